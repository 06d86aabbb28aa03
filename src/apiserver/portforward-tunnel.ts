// One `kubectl port-forward` (1.31+): a SPDY/3.1 session inside a WebSocket.
// For every local connection kubectl opens two streams with the headers
// port, streamType (error, then data) and requestID, and closes its side of
// the error stream at once. We pair them as the kubelet does, connect to the
// pod, and copy bytes both ways with half-closes: kubectl's FIN on the data
// stream half-closes the pod socket, the pod's end FINs the data stream, and
// when the socket is gone the error stream ends, empty, or carrying why the
// connection could not be made (kubectl prints it and stops forwarding).
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { SpdyServerSession, type SpdyStream } from './spdy-session.js';
import { RstStatus, headerValue } from './spdy.js';
import { InboundGate, OutboundQueue, toBuffer, type PodConnector, type PortForwardSession } from './portforward-pipe.js';

/** How long the two streams of one connection may arrive apart (the kubelet's default). */
const STREAM_PAIR_TIMEOUT_MS = 30_000;

/** One forwarded local connection while its streams arrive. */
interface StreamPair {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  /** What the data stream brought before the pair was complete. */
  early: Buffer[];
  earlyEnd: boolean;
  timer?: NodeJS.Timeout;
}

export class PortForwardTunnel implements PortForwardSession {
  private readonly session: SpdyServerSession;
  private readonly pairs = new Map<string, StreamPair>();
  private readonly sockets = new Set<Socket>();
  private readonly out: OutboundQueue;
  private readonly in: InboundGate;
  private closed = false;

  constructor(private readonly ws: WebSocket, private readonly pod: PodConnector) {
    this.out = new OutboundQueue(ws, () => this.sockets);
    this.in = new InboundGate(ws);
    this.session = new SpdyServerSession(
      { send: (frame) => this.out.send(frame) },
      {
        stream: (s) => this.stream(s),
        error: (e) => {
          pod.log(e.message);
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
    for (const p of this.pairs.values()) clearTimeout(p.timer);
    this.pairs.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** A new stream: checked, and paired by requestID, as the kubelet does. */
  private stream(s: SpdyStream): void {
    const portText = headerValue(s.headers, 'port');
    const type = headerValue(s.headers, 'streamType');
    const port = Number(portText);
    if (!portText || !/^\d+$/.test(portText) || port < 1 || port > 65535 || (type !== 'error' && type !== 'data')) {
      s.reset(RstStatus.RefusedStream);
      return;
    }
    s.reply();
    // Clients older than the requestID header: consecutive stream ids make a pair.
    const requestId = headerValue(s.headers, 'requestID') ?? String(type === 'error' ? s.id : s.id - 2);
    let p = this.pairs.get(requestId);
    if (!p) {
      const pair: StreamPair = { requestId, early: [], earlyEnd: false };
      pair.timer = setTimeout(() => this.abandon(pair), STREAM_PAIR_TIMEOUT_MS);
      pair.timer.unref();
      this.pairs.set(requestId, (p = pair));
    }
    if (p[type]) {
      (p.error ?? s).write(Buffer.from(`error processing stream for request ${requestId}: ${type} stream already assigned`));
      s.reset();
      return;
    }
    p[type] = s;
    if (type === 'data') {
      const pair = p;
      s.onData = (b) => pair.early.push(b);
      s.onEnd = () => (pair.earlyEnd = true);
    }
    if (p.error && p.data) {
      clearTimeout(p.timer);
      this.pairs.delete(requestId);
      this.forward(p, p.error, p.data, port);
    }
  }

  private abandon(p: StreamPair): void {
    this.pairs.delete(p.requestId);
    p.error?.write(Buffer.from(`timed out waiting for streams of request ${p.requestId}`));
    p.error?.end();
    p.data?.reset();
  }

  private forward(p: StreamPair, error: SpdyStream, data: SpdyStream, port: number): void {
    const conn = this.pod.open(port);
    if ('error' in conn) {
      error.write(Buffer.from(conn.error));
      error.end();
      data.end();
      return;
    }
    const socket = conn.socket;
    this.sockets.add(socket);
    if (this.out.isPaused) socket.pause();
    for (const b of p.early.splice(0)) this.in.write(socket, b);
    data.onData = (b) => this.in.write(socket, b);
    data.onEnd = () => socket.end();
    if (p.earlyEnd) socket.end();
    // kubectl resets the data stream once the pod's side ended, or when it stops.
    data.onReset = () => socket.destroy();
    error.onReset = () => socket.destroy();
    socket.on('data', (b: Buffer) => data.write(b));
    socket.on('end', () => data.end());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      const failure = conn.failure();
      // A connection the pod reset ends like one it closed: not a failure of
      // the forward, so kubectl goes on forwarding the others.
      if (failure) error.write(Buffer.from(failure));
      error.end();
      data.end();
    });
  }
}
