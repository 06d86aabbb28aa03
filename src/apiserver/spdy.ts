// SPDY/3.1, the subset Kubernetes port-forward speaks (moby/spdystream, the
// library client-go and the kubelet use): the server side of a connection
// whose peer opens every stream. kubectl 1.31+ carries these bytes inside
// WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io); the
// transport is anything that sends bytes.
//
// Frames (big-endian):
//   data     [0|stream id:31][flags:8][length:24][data]
//   control  [1|version:15 = 3][type:16][flags:8][length:24][payload]
// Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are one zlib stream per
// direction, primed with the SPDY/3 dictionary and sync-flushed after each
// block. The peer's blocks are inflated (asynchronously, so reading pauses
// until a SYN_STREAM's headers are known); ours are written as stored
// (uncompressed) deflate blocks, which any inflater reads and which need no
// compressor state. There is no flow control: spdystream sends no
// WINDOW_UPDATE and ignores ours, so SETTINGS and WINDOW_UPDATE are read and
// dropped, and back-pressure is the transport's.
import { createInflate, constants as zlibConstants, type Inflate } from 'node:zlib';

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;
/** GOAWAY status codes. */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** Largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;
/** Largest header block we inflate; more is a protocol error (a compression bomb). */
const MAX_HEADER_BLOCK = 256 * 1024;

export type Frame =
  | { control: false; streamId: number; flags: number; data: Buffer }
  | { control: true; version: number; type: number; flags: number; payload: Buffer };

/** Splits a byte stream into frames, whatever the chunking of the transport. */
export class FrameReader {
  private chunks: Buffer[] = [];
  /** Index of the first unread chunk (consumed ones are dropped in batches). */
  private first = 0;
  private buffered = 0;

  push(bytes: Buffer): void {
    if (!bytes.length) return;
    this.chunks.push(bytes);
    this.buffered += bytes.length;
  }

  /** The next whole frame, or undefined until more bytes arrive. */
  next(): Frame | undefined {
    if (this.buffered < 8) return undefined;
    const head = this.read(8, false);
    const length = head.readUInt32BE(4) & 0xffffff;
    if (this.buffered < 8 + length) return undefined;
    this.read(8, true);
    const body = this.read(length, true);
    const flags = head[4];
    const word = head.readUInt32BE(0);
    if (word & 0x80000000) {
      return { control: true, version: (word >>> 16) & 0x7fff, type: word & 0xffff, flags, payload: body };
    }
    return { control: false, streamId: word & 0x7fffffff, flags, data: body };
  }

  /** The first n buffered bytes (a slice of one chunk when it can be), removed if consume. */
  private read(n: number, consume: boolean): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const c0 = this.chunks[this.first];
    let out: Buffer;
    if (c0.length >= n) {
      out = c0.subarray(0, n);
      if (consume) {
        if (c0.length === n) this.first++;
        else this.chunks[this.first] = c0.subarray(n);
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      let i = this.first;
      while (at < n) {
        const c = this.chunks[i];
        const used = Math.min(c.length, n - at);
        c.copy(out, at, 0, used);
        at += used;
        if (!consume) i++;
        else if (used === c.length) this.first = ++i;
        else this.chunks[i] = c.subarray(used);
      }
    }
    if (consume) {
      this.buffered -= n;
      if (this.first > 64 && this.first * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.first);
        this.first = 0;
      }
    }
    return out;
  }
}

// ---- frames we write ----

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  out.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  payload.copy(out, 8);
  return out;
}

export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new RangeError('SPDY data frame too large');
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(streamId & 0x7fffffff, 0);
  out.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | data.length) >>> 0, 4);
  data.copy(out, 8);
  return out;
}

export function synReplyFrame(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  const p = Buffer.allocUnsafe(4 + compressedHeaders.length);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  compressedHeaders.copy(p, 4);
  return controlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, p);
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.allocUnsafe(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function pingFrame(id: number): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.Ping, 0, p);
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  const p = Buffer.allocUnsafe(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}

// ---- header blocks ----

export type SpdyHeaders = Record<string, string[]>;

/** The uncompressed name/value block: count, then length-prefixed lower-case names and NUL-joined values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const names = Object.keys(headers);
  parts.push(u32(names.length));
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(headers[name].join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const fail = () => new Error('malformed SPDY header block');
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw fail();
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const str = () => {
    const n = u32();
    if (at + n > block.length) throw fail();
    const s = block.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const count = u32();
  const out: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = str().toLowerCase();
    const values = str().split('\0');
    (out[name] ??= []).push(...values);
  }
  if (at !== block.length) throw fail();
  return out;
}

/** The first value of a header, by its (case-insensitive) name. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

/**
 * Our direction's zlib stream, written as stored deflate blocks: the zlib
 * header naming the SPDY dictionary once, then per header block the block
 * stored as is and the empty stored block a sync flush ends with (the mark
 * Go's inflater returns the data at).
 */
export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      const head = Buffer.allocUnsafe(6);
      head[0] = 0x78; // deflate, 32K window
      head[1] = 0x20; // FDICT, lowest level; (0x78 << 8 | 0x20) % 31 === 0
      head.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(head);
    }
    let at = 0;
    do {
      const piece = block.subarray(at, at + 0xffff);
      const h = Buffer.allocUnsafe(5);
      h[0] = 0x00; // not final, stored
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
      at += piece.length;
    } while (at < block.length);
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The peer's direction: one inflater for the connection, fed one header block at a time. */
export class HeaderDecompressor {
  private readonly z: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private out: Buffer[] = [];
  private size = 0;
  private failure?: Error;
  private pending?: { resolve: (b: Buffer) => void; reject: (e: Error) => void };

  constructor() {
    this.z.on('data', (b: Buffer) => {
      this.out.push(b);
      this.size += b.length;
      if (this.size > MAX_HEADER_BLOCK) this.fail(new Error('SPDY header block too large'));
    });
    this.z.on('error', (e) => this.fail(e));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.failure);
  }

  /** One compressed header block in, its name/value block out. One call at a time. */
  decompress(compressed: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.z.write(compressed);
      this.z.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        // Output of this flush may still be on its way to 'data' listeners.
        setImmediate(() => {
          const p = this.pending;
          if (!p) return;
          this.pending = undefined;
          if (this.failure) return p.reject(this.failure);
          const block = Buffer.concat(this.out);
          this.out = [];
          this.size = 0;
          p.resolve(block);
        });
      });
    });
  }

  close(): void {
    this.pending = undefined;
    this.z.removeAllListeners('data');
    this.z.on('error', () => undefined);
    this.z.destroy();
  }
}

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The SPDY/3 header compression dictionary: length-prefixed words, then text. */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
    'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
    'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5',
    'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match',
    'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'location',
    'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after',
    'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
    'keep-alive', 'origin',
  ];
  const text =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(w.length, 0);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(text, 'latin1'));
  return Buffer.concat(parts);
})();
