// pods/{name}/portforward. Pods are processes on this machine with a
// loopback address of their own (status.podIP), so a forwarded connection
// to port P is a TCP connection to <podIP>:P, made here, where a kubelet
// would dial localhost:P inside the pod's network namespace.
//
// Two protocols, as a kubelet behind an API server serves them:
//  - kubectl 1.31+: `GET …/portforward` upgraded to a WebSocket with the
//    subprotocol SPDY/3.1+portforward.k8s.io, SPDY inside (portforward-tunnel.ts);
//  - @kubernetes/client-node and other WebSocket clients: `GET
//    …/portforward?ports=P` with v4.channel.k8s.io, a data and an error
//    channel per port (portforward-channels.ts).
// The SPDY upgrade of older kubectls (POST, Upgrade: SPDY/3.1; also what
// kubectl tries when its WebSocket attempt is refused) gets a Status saying
// what to use instead; both attempts get the same answer about the pod.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocketServer } from 'ws';
import { badRequest } from '../api/errors.js';
import type { KObject } from '../client/types.js';
import { PortForwardTunnel } from './portforward-tunnel.js';
import { CHANNEL_PROTOCOL, ChannelPortForward, channelPorts } from './portforward-channels.js';
import { describeSocketError, type PodConnector, type PortForwardSession } from './portforward-pipe.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** client-go's tunnelling subprotocol: SPDY framing inside WebSocket messages. */
export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

const CONNECT_TIMEOUT_MS = 30_000;

export interface PortForwardOptions {
  /** The pod as the API holds it now; throws NotFound when there is none. */
  getPod(ns: string, name: string): KObject;
  /** Opens a TCP connection (tests inject failures). */
  connect?: (host: string, port: number) => Socket;
  log?: (line: string) => void;
}

export class PodPortForwarding {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<PortForwardSession>();
  private readonly chosen = new WeakMap<IncomingMessage, string>();

  constructor(private readonly opts: PortForwardOptions) {
    // SPDY/3.1+portforward.k8s.io has a '/', which RFC 6455 tokens do not
    // allow, so ws would refuse the offer (Go's client does not mind):
    // upgrade() takes the header off the request and names the protocol here.
    this.wss.on('headers', (headers, req) => {
      const protocol = this.chosen.get(req);
      if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    });
  }

  /** Open sessions (kubectl port-forward processes, client-node forwards) and their pod connections. */
  stats(): { sessions: number; connections: number } {
    let connections = 0;
    for (const s of this.sessions) connections += s.connections;
    return { sessions: this.sessions.size, connections };
  }

  /**
   * Answers an upgrade of pods/{name}/portforward, or throws a StatusError
   * (the caller writes it as the HTTP answer) before upgrading.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ns: string, name: string, nodeRunsPods: boolean): void {
    const pod = this.opts.getPod(ns, name) as Pod;
    if (!nodeRunsPods) throw badRequest(`pod "${name}" has no node agent that runs processes`);
    const phase = pod.status?.phase ?? 'Pending';
    if (phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
    if (!pod.status?.podIP) throw badRequest(`pod ${name} does not have an IP address yet`);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      throw badRequest(
        `port-forward over a SPDY upgrade is not supported; kubectl 1.31 or later tunnels it over WebSocket (${SPDY_TUNNEL_PROTOCOL}) unless KUBECTL_PORT_FORWARD_WEBSOCKETS=false`,
      );
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    let protocol: string;
    let ports: number[] = [];
    if (offered.includes(SPDY_TUNNEL_PROTOCOL)) {
      protocol = SPDY_TUNNEL_PROTOCOL;
    } else if (offered.includes(CHANNEL_PROTOCOL) || offered.length === 0) {
      protocol = offered.length ? CHANNEL_PROTOCOL : '';
      ports = channelPorts(new URL(req.url ?? '/', 'http://localhost').searchParams);
    } else {
      throw badRequest(`none of the offered subprotocols are supported (${offered.join(', ')}); use ${SPDY_TUNNEL_PROTOCOL} or ${CHANNEL_PROTOCOL}`);
    }
    const connector = this.connector(ns, name, pod.metadata?.uid ?? '');
    delete req.headers['sec-websocket-protocol'];
    this.chosen.set(req, protocol);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = protocol === SPDY_TUNNEL_PROTOCOL
        ? new PortForwardTunnel(ws, connector)
        : new ChannelPortForward(ws, connector, ports);
      this.sessions.add(session);
      ws.once('close', () => this.sessions.delete(session));
    });
  }

  /** Ends every session (the API server stops). */
  closeAll(): void {
    for (const s of this.sessions) s.close();
    this.sessions.clear();
  }

  private connector(ns: string, name: string, uid: string): PodConnector {
    const connect = this.opts.connect ?? ((host: string, port: number) => tcpConnect({ host, port }));
    const log = (line: string) => this.opts.log?.(`port-forward ${ns}/${name}: ${line}`);
    const failed = (port: number, why: string) => `error forwarding port ${port} to pod ${name}, uid ${uid}: ${why}`;
    return {
      pod: name,
      uid,
      log,
      open: (port) => {
        const host = this.podIP(ns, name, uid);
        if (typeof host !== 'string') return { error: failed(port, host.error) };
        let socket: Socket;
        try {
          socket = connect(host, port);
        } catch (e) {
          return { error: failed(port, `failed to connect to ${host}:${port} (the pod's IP): ${(e as Error).message}`) };
        }
        let connected = false;
        let connectError: Error | undefined;
        const timer = setTimeout(() => {
          socket.destroy(Object.assign(new Error('connect: connection timed out'), { code: 'ETIMEDOUT' }));
        }, CONNECT_TIMEOUT_MS);
        timer.unref();
        socket.once('connect', () => {
          connected = true;
          clearTimeout(timer);
        });
        socket.on('error', (e) => {
          if (!connected) connectError ??= e;
        });
        socket.once('close', () => clearTimeout(timer));
        socket.setNoDelay(true);
        return {
          socket,
          failure: () => connectError && failed(port, `failed to connect to ${host}:${port} (the pod's IP): ${describeSocketError(connectError)}`),
        };
      },
    };
  }

  /** The pod's address for a new connection, or why there is none. */
  private podIP(ns: string, name: string, uid: string): string | { error: string } {
    let pod: Pod | undefined;
    try {
      pod = this.opts.getPod(ns, name) as Pod;
    } catch {
      pod = undefined;
    }
    if (!pod || pod.metadata?.uid !== uid) return { error: `pod ${name} (uid ${uid}) no longer exists` };
    if (pod.status?.phase !== 'Running' || !pod.status.podIP) {
      return { error: `pod ${name} is not running (phase ${pod.status?.phase ?? 'Pending'})` };
    }
    return pod.status.podIP;
  }
}
