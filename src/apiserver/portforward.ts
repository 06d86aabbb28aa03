// pods/{name}/portforward: what `kubectl port-forward` opens. kubectl 1.31+
// sends `GET …/portforward` as a WebSocket upgrade offering the subprotocol
// SPDY/3.1+portforward.k8s.io and then speaks SPDY/3.1 inside binary
// messages, exactly as it would over a kubelet's SPDY upgrade: for every
// local connection it opens two streams carrying the headers port,
// streamType (error, then data) and requestID. We pair them as the kubelet
// does, connect to the pod's IP on that port (pods are processes on this
// machine with a loopback address of their own), and copy bytes both ways
// with half-closes. A connection that cannot be made is reported on the
// error stream, which kubectl prints. The older SPDY upgrade (POST with
// Upgrade: SPDY/3.1, what kubectl does when the WebSocket attempt is refused
// or KUBECTL_PORT_FORWARD_WEBSOCKETS=false) is refused with a Status.
import { connect as tcpConnect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { badRequest } from '../api/errors.js';
import type { KObject } from '../client/types.js';
import { SpdyServerSession, type SpdyStream } from './spdy-session.js';
import { RstStatus, headerValue } from './spdy.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** client-go's tunnelling subprotocol: SPDY framing inside WebSocket messages. */
export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** How long the two streams of one connection may arrive apart (the kubelet's default). */
const STREAM_PAIR_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 30_000;
/** Bytes queued towards kubectl above which pod sockets stop being read, and below which they resume. */
const OUT_HIGH_WATER = 4 * 1024 * 1024;
const OUT_LOW_WATER = 1024 * 1024;

export interface PortForwardOptions {
  /** The pod as the API holds it now; throws NotFound when there is none. */
  getPod(ns: string, name: string): KObject;
  /** Opens the TCP connection to a pod (tests inject failures). */
  connect?: (host: string, port: number) => Socket;
  log?: (line: string) => void;
}

export class PodPortForwarding {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tunnels = new Set<PortForwardTunnel>();

  constructor(private readonly opts: PortForwardOptions) {
    // The subprotocol has a '/', which RFC 6455 tokens do not allow, so ws
    // refuses the offer; Go's client does not mind. upgrade() takes the
    // header off the request and the answer names the protocol here.
    this.wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${SPDY_TUNNEL_PROTOCOL}`));
  }

  /** Open tunnels (kubectl port-forward processes) and their pod connections, for tests and leak checks. */
  stats(): { tunnels: number; connections: number } {
    let connections = 0;
    for (const t of this.tunnels) connections += t.connections;
    return { tunnels: this.tunnels.size, connections };
  }

  /**
   * Answers an upgrade of pods/{name}/portforward. Throws a StatusError (the
   * caller writes it as the HTTP answer) when the pod cannot be forwarded to
   * or the client does not speak the WebSocket tunnel; both of kubectl's
   * attempts get the same answer about the pod.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ns: string, name: string, nodeRunsPods: boolean): void {
    const pod = this.opts.getPod(ns, name) as Pod;
    if (!nodeRunsPods) throw badRequest(`pod "${name}" has no node agent that runs processes`);
    const phase = pod.status?.phase ?? 'Pending';
    if (phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
    if (!pod.status?.podIP) throw badRequest(`pod ${name} does not have an IP address yet`);
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (!websocket) {
      throw badRequest(
        `port-forward over a SPDY upgrade is not supported; kubectl 1.31 or later tunnels it over WebSocket (${SPDY_TUNNEL_PROTOCOL}) unless KUBECTL_PORT_FORWARD_WEBSOCKETS=false`,
      );
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!offered.includes(SPDY_TUNNEL_PROTOCOL)) {
      throw badRequest(`none of the offered subprotocols are supported (${offered.join(', ') || 'none'}); use ${SPDY_TUNNEL_PROTOCOL}`);
    }
    const uid = pod.metadata?.uid ?? '';
    delete req.headers['sec-websocket-protocol'];
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const tunnel = new PortForwardTunnel(ws, {
        ns,
        name,
        uid,
        target: () => this.target(ns, name, uid),
        connect: this.opts.connect ?? ((host, port) => tcpConnect({ host, port })),
        log: this.opts.log,
      });
      this.tunnels.add(tunnel);
      ws.once('close', () => this.tunnels.delete(tunnel));
    });
  }

  /** The pod's address for a new connection, or why there is none (in the words kubectl prints). */
  private target(ns: string, name: string, uid: string): { host: string } | { error: string } {
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
    return { host: pod.status.podIP };
  }

  /** Ends every tunnel (the API server stops). */
  closeAll(): void {
    for (const t of this.tunnels) t.close();
    this.tunnels.clear();
  }
}

interface TunnelDeps {
  ns: string;
  name: string;
  uid: string;
  target(): { host: string } | { error: string };
  connect(host: string, port: number): Socket;
  log?: (line: string) => void;
}

/** One forwarded local connection: its error and data streams, and the pod socket. */
interface ForwardedConnection {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  /** What the data stream brought before the pod socket existed. */
  early: Buffer[];
  earlyEnd: boolean;
  socket?: Socket;
  timer?: NodeJS.Timeout;
}

/** One kubectl port-forward: a SPDY session inside a WebSocket. */
class PortForwardTunnel {
  private readonly session: SpdyServerSession;
  private readonly pending = new Map<string, ForwardedConnection>();
  private readonly sockets = new Set<Socket>();
  /** Pod sockets whose writes are queued; kubectl's input waits until they drain. */
  private readonly congested = new Set<Socket>();
  private queuedOut = 0;
  private outPaused = false;
  private closed = false;

  constructor(private readonly ws: WebSocket, private readonly d: TunnelDeps) {
    this.session = new SpdyServerSession(
      { send: (frame) => this.sendFrame(frame) },
      {
        stream: (s) => this.stream(s),
        error: (e) => {
          d.log?.(`port-forward ${d.ns}/${d.name}: ${e.message}`);
          this.close(1002);
        },
      },
    );
    ws.on('message', (data: RawData) => this.session.receive(toBuffer(data)));
    ws.on('error', () => undefined);
    ws.once('close', () => this.teardown());
  }

  get connections(): number {
    return this.sockets.size;
  }

  close(code = 1001): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code);
    else this.ws.terminate();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
    for (const c of this.pending.values()) clearTimeout(c.timer);
    this.pending.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.congested.clear();
  }

  private sendFrame(frame: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.queuedOut += frame.length;
    this.ws.send(frame, { binary: true }, () => {
      this.queuedOut -= frame.length;
      if (this.outPaused && this.queuedOut < OUT_LOW_WATER) {
        this.outPaused = false;
        for (const s of this.sockets) s.resume();
      }
    });
    if (!this.outPaused && this.queuedOut > OUT_HIGH_WATER) {
      this.outPaused = true;
      for (const s of this.sockets) s.pause();
    }
  }

  /** A new stream: checked and paired by requestID as the kubelet does. */
  private stream(s: SpdyStream): void {
    const portText = headerValue(s.headers, 'port');
    const type = headerValue(s.headers, 'streamType');
    const port = Number(portText);
    if (!portText || !/^\d+$/.test(portText) || port < 1 || port > 65535 || (type !== 'error' && type !== 'data')) {
      s.reset(RstStatus.RefusedStream);
      return;
    }
    s.reply();
    // Clients older than requestID headers: consecutive stream ids make a pair.
    const requestId = headerValue(s.headers, 'requestID') ?? String(type === 'error' ? s.id : s.id - 2);
    let c = this.pending.get(requestId);
    if (!c) {
      c = { requestId, early: [], earlyEnd: false };
      this.pending.set(requestId, c);
      const conn = c;
      c.timer = setTimeout(() => this.abandon(conn, `timed out waiting for streams of request ${requestId}`), STREAM_PAIR_TIMEOUT_MS);
      c.timer.unref();
    }
    if (c[type]) {
      const other = c.error ?? s;
      other.write(Buffer.from(`error processing stream for request ${requestId}: ${type} stream already assigned`));
      s.reset();
      return;
    }
    c[type] = s;
    if (type === 'data') {
      s.onData = (b) => c.early.push(b);
      s.onEnd = () => (c.earlyEnd = true);
    }
    if (c.error && c.data) {
      clearTimeout(c.timer);
      this.pending.delete(requestId);
      this.forward(c, c.error, c.data, port);
    }
  }

  private abandon(c: ForwardedConnection, message: string): void {
    this.pending.delete(c.requestId);
    c.error?.write(Buffer.from(message));
    c.error?.end();
    c.data?.reset();
  }

  private forward(c: ForwardedConnection, error: SpdyStream, data: SpdyStream, port: number): void {
    const fail = (message: string) => {
      error.write(Buffer.from(`error forwarding port ${port} to pod ${this.d.name}, uid ${this.d.uid}: ${message}`));
      error.end();
      data.end();
    };
    const target = this.d.target();
    if ('error' in target) return fail(target.error);
    let socket: Socket;
    try {
      socket = this.d.connect(target.host, port);
    } catch (e) {
      return fail(`failed to connect to ${target.host}:${port}: ${(e as Error).message}`);
    }
    c.socket = socket;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    if (this.outPaused) socket.pause();
    let connected = false;
    let connectError: Error | undefined;
    const connectTimer = setTimeout(() => {
      socket.destroy(Object.assign(new Error('connect: connection timed out'), { code: 'ETIMEDOUT' }));
    }, CONNECT_TIMEOUT_MS);
    connectTimer.unref();
    socket.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
    });

    const toPod = (b: Buffer) => {
      if (!socket.write(b) && !this.congested.has(socket)) {
        this.congested.add(socket);
        this.ws.pause();
        socket.once('drain', () => this.uncongest(socket));
      }
    };
    for (const b of c.early.splice(0)) toPod(b);
    data.onData = toPod;
    data.onEnd = () => socket.end();
    if (c.earlyEnd) socket.end();
    // kubectl resets the data stream once the pod side ended, or when it stops.
    data.onReset = () => socket.destroy();
    error.onReset = () => socket.destroy();

    socket.on('data', (b: Buffer) => data.write(b));
    socket.on('end', () => data.end());
    socket.on('error', (e) => {
      if (!connected) connectError = e;
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.sockets.delete(socket);
      this.uncongest(socket);
      if (connectError) {
        fail(`failed to connect to ${target.host}:${port} (the pod's IP): ${describeSocketError(connectError)}`);
        return;
      }
      // A connection the pod reset ends like one it closed: it is not a
      // failure of the forward, so kubectl keeps forwarding the others.
      data.end();
      error.end();
    });
  }

  private uncongest(socket: Socket): void {
    if (!this.congested.delete(socket)) return;
    if (this.congested.size === 0 && !this.closed) this.ws.resume();
  }
}

function toBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d as ArrayBuffer);
}

/** A socket error in the words Go's dialer uses (what kubelet messages show). */
export function describeSocketError(e: Error): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    ETIMEDOUT: 'connect: connection timed out',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    EADDRNOTAVAIL: 'connect: cannot assign requested address',
    ECONNRESET: 'read: connection reset by peer',
  };
  const code = (e as NodeJS.ErrnoException).code;
  return (code && words[code]) ?? e.message;
}
