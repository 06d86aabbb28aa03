// The DNS wire format, as much of it as an authoritative cluster DNS needs:
// a bounds-checked query parser that never throws on hostile input, and a
// record writer with name compression (RFC 1035 §4.1.4). dns-packet decodes
// fine but never compresses, which fits 9 instead of 28 A records in 512 bytes.

export const TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  IXFR: 251, AXFR: 252, ANY: 255,
} as const;

export const CLASS_IN = 1;

export const RCODE = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
  /** Extended rcode 16: only expressible with an OPT record. */
  BADVERS: 16,
} as const;

export const FLAG = {
  QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080,
} as const;

/** The largest UDP answer we send to an EDNS client (DNS Flag Day 2020). */
export const EDNS_UDP_MAX = 1232;
export const HEADER_LEN = 12;
export const OPT_RR_LEN = 11;

export interface Edns {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
}

export interface Query {
  id: number;
  /** The raw flags word of the query. */
  flags: number;
  /** The question name in wire format, lower-cased (a cache key, one char per byte). */
  wireKey: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question section (so [12, questionEnd) is the question as asked). */
  questionEnd: number;
  edns?: Edns;
}

/**
 * The outcome of parsing a datagram: a query to answer, a packet to drop
 * (too short to answer, or itself a response), or a FORMERR/NOTIMP to send,
 * with the question echoed when it could be read.
 */
export type Parsed =
  | { kind: 'query'; query: Query }
  | { kind: 'drop' }
  | { kind: 'error'; id: number; flags: number; rcode: number; questionEnd: number };

const DROP: Parsed = { kind: 'drop' };

/** Skips a possibly compressed name; returns the end offset or -1. */
function skipName(buf: Buffer, off: number): number {
  let total = 0;
  for (;;) {
    if (off >= buf.length) return -1;
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if (len > 63) return -1;
    total += len + 1;
    if (total > 254) return -1;
    off += 1 + len;
  }
}

function formerr(id: number, flags: number, questionEnd: number): Parsed {
  return { kind: 'error', id, flags, rcode: RCODE.FORMERR, questionEnd };
}

/**
 * Parses a query without ever throwing: the header, the one question (whose
 * name may not use compression: nothing precedes it), and the other sections
 * only as far as needed to find a single OPT record in the additional section.
 */
export function parseQuery(buf: Buffer): Parsed {
  const n = buf.length;
  if (n < HEADER_LEN || n > 65535) return DROP;
  const flags = (buf[2] << 8) | buf[3];
  if (flags & FLAG.QR) return DROP;
  const id = (buf[0] << 8) | buf[1];
  if ((flags >> 11) & 0xf) return { kind: 'error', id, flags, rcode: RCODE.NOTIMP, questionEnd: HEADER_LEN };
  if (buf[4] !== 0 || buf[5] !== 1) return formerr(id, flags, HEADER_LEN);
  // The question name: plain labels only, at most 255 bytes.
  let off = HEADER_LEN;
  let upper = false;
  for (;;) {
    if (off >= n) return formerr(id, flags, HEADER_LEN);
    const len = buf[off];
    if (len === 0) break;
    if (len > 63) return formerr(id, flags, HEADER_LEN);
    const end = off + 1 + len;
    for (let i = off + 1; i < end && i < n; i++) {
      const c = buf[i];
      if ((c >= 0x41 && c <= 0x5a) || c >= 0xc0) upper = true;
    }
    off = end;
  }
  const nameEnd = off + 1;
  if (nameEnd - HEADER_LEN > 255 || nameEnd + 4 > n) return formerr(id, flags, HEADER_LEN);
  const qtype = (buf[nameEnd] << 8) | buf[nameEnd + 1];
  const qclass = (buf[nameEnd + 2] << 8) | buf[nameEnd + 3];
  const questionEnd = nameEnd + 4;
  const raw = buf.toString('latin1', HEADER_LEN, nameEnd);
  const wireKey = upper ? raw.toLowerCase() : raw;
  const an = (buf[6] << 8) | buf[7];
  const ns = (buf[8] << 8) | buf[9];
  const ar = (buf[10] << 8) | buf[11];
  if (an + ns + ar === 0) {
    return { kind: 'query', query: { id, flags, wireKey, qtype, qclass, questionEnd, edns: undefined } };
  }
  off = questionEnd;
  let edns: Edns | undefined;
  for (let i = 0; i < an + ns + ar; i++) {
    const start = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > n) return formerr(id, flags, questionEnd);
    const type = (buf[off] << 8) | buf[off + 1];
    const end = off + 10 + ((buf[off + 8] << 8) | buf[off + 9]);
    if (end > n) return formerr(id, flags, questionEnd);
    if (type === TYPE.OPT && i >= an + ns) {
      // One OPT, owned by the root (RFC 6891 §6.1.1).
      if (edns || off !== start + 1 || buf[start] !== 0) return formerr(id, flags, questionEnd);
      edns = {
        udpSize: (buf[off + 2] << 8) | buf[off + 3],
        version: buf[off + 5],
        dnssecOk: (buf[off + 6] & 0x80) !== 0,
      };
    }
    off = end;
  }
  return { kind: 'query', query: { id, flags, wireKey, qtype, qclass, questionEnd, edns } };
}

/** The question's labels, lower-cased (for a query parseQuery accepted). */
export function questionLabels(buf: Buffer): string[] {
  const labels: string[] = [];
  let off = HEADER_LEN;
  while (buf[off] !== 0) {
    const len = buf[off];
    const label = buf.toString('latin1', off + 1, off + 1 + len).toLowerCase();
    // A dot inside a label must not make it look like two (no index name holds a NUL).
    labels.push(label.includes('.') ? label.replaceAll('.', '\0') : label);
    off += 1 + len;
  }
  return labels;
}

// ---------------------------------------------------------------------------
// Writing

export interface Srv { priority: number; weight: number; port: number; target: string }
export interface Soa {
  mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number;
}

/**
 * Appends records to a growing buffer, compressing names against every name
 * already written (including the question, registered by the caller).
 * Names are dotted and lower-case, without the trailing dot; '' is the root.
 */
export class RecordWriter {
  buf: Buffer;
  off: number;
  private readonly names = new Map<string, number>();

  constructor(initialSize = 512, startOffset = 0) {
    this.buf = Buffer.alloc(initialSize);
    this.off = startOffset;
  }

  /** Declares that `name` is already present at absolute offset `at` (e.g. the question). */
  registerName(labels: readonly string[], at: number, labelLengths: readonly number[]): void {
    let pos = at;
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      if (pos < 0x4000 && !this.names.has(suffix)) this.names.set(suffix, pos);
      pos += 1 + labelLengths[i];
    }
  }

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  u8(v: number): void { this.ensure(1); this.buf[this.off++] = v; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v, this.off); this.off += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.off); this.off += b.length; }

  /** Writes a name, pointing at the longest suffix already written (unless compress is false). */
  name(name: string, compress = true): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = i === 0 ? name : labels.slice(i).join('.');
      const ptr = compress ? this.names.get(suffix) : undefined;
      if (ptr !== undefined) { this.u16(0xc000 | ptr); return; }
      if (this.off < 0x4000) this.names.set(suffix, this.off);
      const lab = Buffer.from(labels[i], 'latin1');
      this.u8(lab.length);
      this.bytes(lab);
    }
    this.u8(0);
  }

  /** Owner as a raw pointer (e.g. 0xc00c for the question name). */
  private header(owner: string | number, type: number, ttl: number): void {
    if (typeof owner === 'number') this.u16(0xc000 | owner);
    else this.name(owner);
    this.u16(type);
    this.u16(CLASS_IN);
    this.u32(ttl);
  }

  /** Starts rdata: returns the offset of the length field to patch. */
  private rdStart(): number { this.u16(0); return this.off; }
  private rdEnd(start: number): void { this.buf.writeUInt16BE(this.off - start, start - 2); }

  a(owner: string | number, ttl: number, ip: Uint8Array): void {
    this.header(owner, ip.length === 4 ? TYPE.A : TYPE.AAAA, ttl);
    this.u16(ip.length);
    this.bytes(ip);
  }

  nameRecord(owner: string | number, type: number, ttl: number, target: string): void {
    this.header(owner, type, ttl);
    const s = this.rdStart();
    this.name(target);
    this.rdEnd(s);
  }

  srv(owner: string | number, ttl: number, srv: Srv): void {
    this.header(owner, TYPE.SRV, ttl);
    const s = this.rdStart();
    this.u16(srv.priority);
    this.u16(srv.weight);
    this.u16(srv.port);
    // RFC 2782: the target is not compressed, but later names may point at it.
    this.name(srv.target, false);
    this.rdEnd(s);
  }

  txt(owner: string | number, ttl: number, strings: readonly string[]): void {
    this.header(owner, TYPE.TXT, ttl);
    const s = this.rdStart();
    for (const str of strings) {
      const b = Buffer.from(str, 'utf8').subarray(0, 255);
      this.u8(b.length);
      this.bytes(b);
    }
    this.rdEnd(s);
  }

  soa(owner: string | number, ttl: number, soa: Soa): void {
    this.header(owner, TYPE.SOA, ttl);
    const s = this.rdStart();
    this.name(soa.mname);
    this.name(soa.rname);
    this.u32(soa.serial);
    this.u32(soa.refresh);
    this.u32(soa.retry);
    this.u32(soa.expire);
    this.u32(soa.minimum);
    this.rdEnd(s);
  }

  result(): Buffer { return this.buf.subarray(0, this.off); }
}

/** Writes an OPT pseudo-record (EDNS0) at `off`; returns the new offset. */
export function writeOpt(buf: Buffer, off: number, extendedRcode: number, dnssecOk: boolean): number {
  buf[off] = 0;
  buf.writeUInt16BE(TYPE.OPT, off + 1);
  buf.writeUInt16BE(EDNS_UDP_MAX, off + 3);
  buf.writeUInt32BE((((extendedRcode >> 4) & 0xff) << 24 | (dnssecOk ? 0x8000 : 0)) >>> 0, off + 5);
  buf.writeUInt16BE(0, off + 9);
  return off + OPT_RR_LEN;
}

/** The most a client accepts over UDP: 512 without EDNS, its advertised size (capped) with it. */
export function udpLimit(edns: Edns | undefined): number {
  if (!edns) return 512;
  return Math.min(Math.max(edns.udpSize, 512), EDNS_UDP_MAX);
}
