// The server side of one SPDY/3.1 connection: the peer opens streams (odd
// ids), we answer each with SYN_REPLY or RST_STREAM, exchange DATA, echo the
// peer's PINGs, and hear its GOAWAY. This is what spdystream does as a
// server for the kubelet, minus what port-forward never uses (streams we
// open, pushed streams, flow control).
import {
  FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameReader, FrameType, HeaderCompressor, HeaderDecompressor, MAX_FRAME_PAYLOAD,
  RstStatus, SPDY_VERSION, dataFrame, decodeHeaderBlock, encodeHeaderBlock, pingFrame, rstStreamFrame, synReplyFrame,
  type Frame, type SpdyHeaders,
} from './spdy.js';

export interface SpdyTransport {
  send(frame: Buffer): void;
}

export interface SpdySessionHandlers {
  /** A stream the peer opened; reply() or reject() it. */
  stream(s: SpdyStream): void;
  goAway?(): void;
  /** A protocol error: the session is over (the caller closes the transport). */
  error?(e: Error): void;
}

const noop = () => undefined;

export class SpdyStream {
  onData: (chunk: Buffer) => void = noop;
  /** The peer finished sending (FIN). */
  onEnd: () => void = noop;
  /** The peer reset the stream, or the session ended. */
  onReset: () => void = noop;
  remoteFinished: boolean;
  localFinished: boolean;
  private replied = false;
  private wasReset = false;

  constructor(
    private readonly session: SpdyServerSession,
    readonly id: number,
    readonly headers: SpdyHeaders,
    flags: number,
  ) {
    this.remoteFinished = (flags & FLAG_FIN) !== 0;
    this.localFinished = (flags & FLAG_UNIDIRECTIONAL) !== 0;
  }

  get closed(): boolean {
    return this.wasReset || (this.localFinished && this.remoteFinished);
  }

  /** Accepts the stream (SYN_REPLY with no headers); the peer writes only after it. */
  reply(): void {
    if (this.replied || this.wasReset) return;
    this.replied = true;
    this.session.send(synReplyFrame(this.id, this.session.compressHeaders({})));
  }

  /** Refuses the stream, or abandons it later. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.wasReset) return;
    const open = !this.closed;
    this.wasReset = true;
    if (open) this.session.send(rstStreamFrame(this.id, status));
    this.session.forget(this);
  }

  write(data: Buffer): void {
    if (this.localFinished || this.wasReset || !data.length) return;
    this.reply();
    for (let at = 0; at < data.length; at += MAX_FRAME_PAYLOAD) {
      this.session.send(dataFrame(this.id, data.subarray(at, at + MAX_FRAME_PAYLOAD)));
    }
  }

  /** Ends our side (DATA with FIN). */
  end(): void {
    if (this.localFinished || this.wasReset) return;
    this.reply();
    this.localFinished = true;
    this.session.send(dataFrame(this.id, Buffer.alloc(0), true));
    if (this.closed) this.session.forget(this);
  }

  /** From the session: frames of the peer for this stream. */
  receiveData(data: Buffer, fin: boolean): void {
    if (this.remoteFinished || this.wasReset) return;
    if (data.length) this.onData(data);
    if (fin && !this.remoteFinished && !this.wasReset) {
      this.remoteFinished = true;
      this.onEnd();
      if (this.closed) this.session.forget(this);
    }
  }

  receiveReset(): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.session.forget(this);
    this.onReset();
  }
}

export class SpdyServerSession {
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastPeerStreamId = 0;
  private inflating = false;
  private ended = false;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly handlers: SpdySessionHandlers,
  ) {}

  get openStreams(): number {
    return this.streams.size;
  }

  /** Bytes from the peer, in any chunking. */
  receive(bytes: Buffer): void {
    if (this.ended) return;
    this.reader.push(bytes);
    this.pump();
  }

  /** Ends the session: every open stream hears a reset; nothing more is sent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.decompressor.close();
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const s of open) s.receiveReset();
  }

  send(frame: Buffer): void {
    if (!this.ended) this.transport.send(frame);
  }

  compressHeaders(h: SpdyHeaders): Buffer {
    return this.compressor.compress(encodeHeaderBlock(h));
  }

  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
  }

  private pump(): void {
    while (!this.inflating && !this.ended) {
      let frame: Frame | undefined;
      try {
        frame = this.reader.next();
      } catch (e) {
        return this.fail(e as Error);
      }
      if (!frame) return;
      if (!frame.control) {
        this.streams.get(frame.streamId)?.receiveData(frame.data, (frame.flags & FLAG_FIN) !== 0);
        continue;
      }
      if (frame.version !== SPDY_VERSION) return this.fail(new Error(`unsupported SPDY version ${frame.version}`));
      this.control(frame);
    }
  }

  private control(f: Extract<Frame, { control: true }>): void {
    const p = f.payload;
    switch (f.type) {
      case FrameType.SynStream:
      case FrameType.SynReply:
      case FrameType.Headers: {
        // Every header block moves the peer's compression context on, so
        // each is inflated in order, even those we then ignore.
        const offset = f.type === FrameType.SynStream ? 10 : 4;
        if (p.length < offset) return this.fail(new Error('short SPDY control frame'));
        const streamId = p.readUInt32BE(0) & 0x7fffffff;
        this.inflating = true;
        this.decompressor.decompress(p.subarray(offset)).then(
          (block) => {
            this.inflating = false;
            if (this.ended) return;
            let headers: SpdyHeaders;
            try {
              headers = decodeHeaderBlock(block);
            } catch (e) {
              return this.fail(e as Error);
            }
            if (f.type === FrameType.SynStream) this.synStream(streamId, f.flags, headers);
            this.pump();
          },
          (e: Error) => {
            this.inflating = false;
            this.fail(e);
          },
        );
        return;
      }
      case FrameType.RstStream:
        if (p.length >= 8) this.streams.get(p.readUInt32BE(0) & 0x7fffffff)?.receiveReset();
        return;
      case FrameType.Ping:
        // The peer's pings have odd ids; answered with the same frame.
        if (p.length >= 4 && p.readUInt32BE(0) & 1) this.send(pingFrame(p.readUInt32BE(0)));
        return;
      case FrameType.GoAway:
        this.handlers.goAway?.();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and anything newer: nothing to do.
        return;
    }
  }

  private synStream(id: number, flags: number, headers: SpdyHeaders): void {
    if (id === 0 || id % 2 === 0 || id <= this.lastPeerStreamId) {
      this.send(rstStreamFrame(id, RstStatus.ProtocolError));
      return;
    }
    this.lastPeerStreamId = id;
    const s = new SpdyStream(this, id, headers, flags);
    if (!s.closed) this.streams.set(id, s);
    this.handlers.stream(s);
  }

  private fail(e: Error): void {
    if (this.ended) return;
    this.close();
    this.handlers.error?.(e);
  }
}
