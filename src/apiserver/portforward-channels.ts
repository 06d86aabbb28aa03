// Port-forward over the kubelet's WebSocket channel protocol, what
// @kubernetes/client-node's PortForward speaks: `GET …/portforward?ports=P`
// with v4.channel.k8s.io (or no subprotocol). Each port i gets channel 2i
// for data both ways and 2i+1 for errors from us; every binary message is
// the channel byte then the payload, and the first message on each of our
// channels is the port, 2 bytes little-endian. One connection per port is
// made at once; the WebSocket closes (1000) when all of them ended.
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { badRequest } from '../api/errors.js';
import { InboundGate, OutboundQueue, toBuffer, type PodConnector, type PortForwardSession } from './portforward-pipe.js';

export const CHANNEL_PROTOCOL = 'v4.channel.k8s.io';

/** The ports asked for: `ports` (PodPortForwardOptions) or `port` (the kubelet's name), repeated or comma-separated. */
export function channelPorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('ports'), ...q.getAll('port')].flatMap((v) => v.split(','));
  if (!raw.length) throw badRequest('query parameter "ports" is required');
  return raw.map((text) => {
    if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) throw badRequest(`unable to parse "${text}" as a port`);
    if (Number(text) < 1) throw badRequest(`port "${text}" must be > 0`);
    return Number(text);
  });
}

function message(channel: number, payload: Buffer): Buffer {
  const m = Buffer.allocUnsafe(payload.length + 1);
  m[0] = channel;
  payload.copy(m, 1);
  return m;
}

export class ChannelPortForward implements PortForwardSession {
  private readonly sockets: (Socket | undefined)[];
  private readonly out: OutboundQueue;
  private readonly in: InboundGate;
  private open: number;
  private closed = false;

  constructor(private readonly ws: WebSocket, pod: PodConnector, ports: number[]) {
    this.out = new OutboundQueue(ws, () => this.sockets.filter((s): s is Socket => !!s));
    this.in = new InboundGate(ws);
    this.sockets = ports.map(() => undefined);
    this.open = ports.length;
    ws.on('error', () => undefined);
    ws.once('close', () => this.teardown());
    ws.on('message', (d: RawData) => {
      const b = toBuffer(d);
      const socket = b.length && b[0] % 2 === 0 ? this.sockets[b[0] / 2] : undefined;
      if (socket && b.length > 1) this.in.write(socket, b.subarray(1));
    });
    ports.forEach((port, i) => {
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port, 0);
      this.out.send(message(2 * i, portBytes));
      this.out.send(message(2 * i + 1, portBytes));
    });
    ports.forEach((port, i) => this.forward(pod, port, i));
  }

  get connections(): number {
    return this.sockets.filter(Boolean).length;
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1001);
    else this.ws.terminate();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s?.destroy();
    this.sockets.fill(undefined);
  }

  private forward(pod: PodConnector, port: number, i: number): void {
    const conn = pod.open(port);
    if ('error' in conn) return this.ended(i, conn.error);
    const socket = conn.socket;
    this.sockets[i] = socket;
    if (this.out.isPaused) socket.pause();
    socket.on('data', (b: Buffer) => this.out.send(message(2 * i, b)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets[i] = undefined;
      this.ended(i, conn.failure());
    });
  }

  private ended(i: number, failure: string | undefined): void {
    if (failure) this.out.send(message(2 * i + 1, Buffer.from(failure)));
    if (--this.open === 0 && !this.closed && this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}
