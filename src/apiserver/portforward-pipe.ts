// What both port-forward protocols share: how a session reaches its pod,
// and the back-pressure between the client's WebSocket and the pod sockets.
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';

/** A connection to the pod, or the message a kubelet would put on the error stream. */
export type PodConnection = { socket: Socket; failure(): string | undefined } | { error: string };

/** How a session reaches the pod it was opened for. */
export interface PodConnector {
  readonly pod: string;
  readonly uid: string;
  /** Connects to the pod's port. When the socket closes, failure() tells whether it never connected, and why. */
  open(port: number): PodConnection;
  log(line: string): void;
}

/** A forwarding session over one upgraded WebSocket. */
export interface PortForwardSession {
  readonly connections: number;
  close(): void;
}

export function toBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d as ArrayBuffer);
}

/**
 * Sends on a WebSocket and pauses the given sockets while more than `high`
 * bytes wait to be written, resuming them below `low`: the back-pressure
 * from the client to the pods.
 */
export class OutboundQueue {
  private queued = 0;
  private paused = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly sockets: () => Iterable<Socket>,
    private readonly high = 4 * 1024 * 1024,
    private readonly low = 1024 * 1024,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  send(message: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.queued += message.length;
    this.ws.send(message, { binary: true }, () => {
      this.queued -= message.length;
      if (this.paused && this.queued < this.low) {
        this.paused = false;
        for (const s of this.sockets()) s.resume();
      }
    });
    if (!this.paused && this.queued > this.high) {
      this.paused = true;
      for (const s of this.sockets()) s.pause();
    }
  }
}

/**
 * The other direction: a pod socket that cannot take more pauses the
 * WebSocket's input until every such socket drained.
 */
export class InboundGate {
  private readonly congested = new Set<Socket>();

  constructor(private readonly ws: WebSocket) {}

  write(socket: Socket, data: Buffer): void {
    // Bytes for a connection the pod already closed have nowhere to go.
    if (socket.destroyed || !socket.writable) return;
    if (socket.write(data) || this.congested.has(socket)) return;
    this.congested.add(socket);
    this.ws.pause();
    socket.once('drain', () => this.release(socket));
    socket.once('close', () => this.release(socket));
  }

  private release(socket: Socket): void {
    if (!this.congested.delete(socket)) return;
    if (this.congested.size === 0 && this.ws.readyState === this.ws.OPEN) this.ws.resume();
  }
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
