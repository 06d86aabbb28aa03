// Turning a question into an answer. An answer is computed once per
// (name, type) from the zone index and kept pre-encoded: the records are
// written with compression pointers into the question at offset 12, whose
// length depends only on the name, so the same bytes serve every later query
// for that name whatever its letter case. Rendering a reply is then a header,
// a copy of the question as asked, the cached records and perhaps an OPT.
import packet from 'dns-packet';
import { ipBytes } from './ip.js';
import type { NameRecords, ZoneIndex } from './zone.js';
import {
  FLAG, HEADER_LEN, OPT_RR_LEN, RCODE, RecordWriter, TYPE, writeOpt,
  type Query, type Soa,
} from './wire.js';

export interface Answer {
  rcode: number;
  authoritative: boolean;
  an: number;
  ns: number;
  ar: number;
  /** Answer, authority and additional records, positioned after a question of this name's length. */
  body: Buffer;
  /** Length of body without the additional section (dropped first when space runs out). */
  coreLen: number;
  /** A CNAME chain that ends outside the zone: the target's records of this type can be fetched upstream and appended. */
  chase?: { target: string; qtype: number };
}

/** The question belongs to someone else: forward it (or refuse it). */
export const FORWARD = Symbol('forward');
export type Outcome = Answer | typeof FORWARD;

export interface AnswerOptions {
  /** TTL of the zone's records and of negative answers (SOA minimum). */
  ttl: number;
}

const SCHEMA_TTL = 28800;
const MAX_CNAME_CHAIN = 8;

function questionLabelLengths(labels: readonly string[]): number[] {
  return labels.map((l) => Buffer.byteLength(l, 'latin1'));
}

function newWriter(labels: string[], q: Pick<Query, 'questionEnd'>): RecordWriter {
  const w = new RecordWriter(512, q.questionEnd);
  w.registerName(labels, HEADER_LEN, questionLabelLengths(labels));
  return w;
}

function finish(w: RecordWriter, start: number, coreEnd: number, a: Omit<Answer, 'body' | 'coreLen'>): Answer {
  return { ...a, body: Buffer.from(w.result().subarray(start)), coreLen: coreEnd - start };
}

/** An answer with no records: SERVFAIL, REFUSED. */
export function emptyAnswer(rcode: number, authoritative = false): Answer {
  return { rcode, authoritative, an: 0, ns: 0, ar: 0, body: Buffer.alloc(0), coreLen: 0 };
}

/** The answer for a query, or FORWARD for names outside the index. Only called once the index has synced. */
export function computeAnswer(zone: ZoneIndex, q: Query, labels: string[], opts: AnswerOptions): Outcome {
  const name = labels.join('.');
  const qtype = q.qtype;
  if (!zone.inZone(name)) {
    // Reverse names we know are ours; the rest of the reverse tree falls through.
    if (qtype === TYPE.PTR && (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa'))) {
      const rec = zone.lookup(name);
      if (rec?.ptr.length) {
        const w = newWriter(labels, q);
        const start = w.off;
        for (const p of rec.ptr) w.nameRecord(HEADER_LEN, TYPE.PTR, opts.ttl, p);
        return finish(w, start, w.off, { rcode: RCODE.NOERROR, authoritative: true, an: rec.ptr.length, ns: 0, ar: 0 });
      }
    }
    return FORWARD;
  }
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return emptyAnswer(RCODE.REFUSED);

  const w = newWriter(labels, q);
  const start = w.off;
  let an = 0;
  let ar = 0;
  const rec = zone.lookup(name);
  if (!rec) return negative(zone, w, start, RCODE.NXDOMAIN, opts);

  let owner: string | number = HEADER_LEN;
  let cur: NameRecords = rec;
  // ExternalName: the CNAME, then whatever of its target this zone holds.
  for (let hops = 0; cur.cname && qtype !== TYPE.CNAME && hops < MAX_CNAME_CHAIN; hops++) {
    w.nameRecord(owner, TYPE.CNAME, opts.ttl, cur.cname);
    an++;
    owner = cur.cname;
    const next = zone.inZone(cur.cname) ? zone.lookup(cur.cname) : undefined;
    if (!next) break;
    cur = next;
  }
  const chain = an;
  if (chain > 0 && cur.cname) {
    // The target is outside the zone (or the chain too long): its records come from upstream, if anywhere.
    const chase = zone.inZone(cur.cname) ? undefined : { target: cur.cname, qtype };
    return finish(w, start, w.off, { rcode: RCODE.NOERROR, authoritative: true, an, ns: 0, ar: 0, chase });
  }

  const glue: string[] = [];
  const addrs = (o: string | number, r: NameRecords, want: number): void => {
    if (want === TYPE.A || want === TYPE.ANY) for (const ip of r.a) { w.a(o, opts.ttl, ipBytes(ip)!); an++; }
    if (want === TYPE.AAAA || want === TYPE.ANY) for (const ip of r.aaaa) { w.a(o, opts.ttl, ipBytes(ip)!); an++; }
  };
  switch (qtype) {
    case TYPE.A:
    case TYPE.AAAA:
      addrs(owner, cur, qtype);
      break;
    case TYPE.SRV:
      if (!cur.cname) for (const s of cur.srv) { w.srv(owner, opts.ttl, s); an++; if (!glue.includes(s.target)) glue.push(s.target); }
      break;
    case TYPE.PTR:
      for (const p of cur.ptr) { w.nameRecord(owner, TYPE.PTR, opts.ttl, p); an++; }
      break;
    case TYPE.TXT:
      if (cur.txt.length) { w.txt(owner, SCHEMA_TTL, cur.txt); an++; }
      break;
    case TYPE.CNAME:
      if (cur.cname) { w.nameRecord(owner, TYPE.CNAME, opts.ttl, cur.cname); an++; }
      break;
    case TYPE.NS:
      for (const n of cur.ns) { w.nameRecord(owner, TYPE.NS, opts.ttl, n); an++; if (!glue.includes(n)) glue.push(n); }
      break;
    case TYPE.SOA:
      if (cur.soa) { w.soa(owner, soaTtl(opts), soaOf(zone, opts)); an++; }
      break;
    case TYPE.ANY:
      // RFC 8482 allows a minimal answer; ours is whatever the name holds.
      addrs(owner, cur, TYPE.ANY);
      for (const s of cur.srv) { w.srv(owner, opts.ttl, s); an++; }
      for (const p of cur.ptr) { w.nameRecord(owner, TYPE.PTR, opts.ttl, p); an++; }
      if (cur.txt.length) { w.txt(owner, SCHEMA_TTL, cur.txt); an++; }
      if (cur.cname) { w.nameRecord(owner, TYPE.CNAME, opts.ttl, cur.cname); an++; }
      break;
    default:
      break;
  }
  if (an === 0) return negative(zone, w, start, RCODE.NOERROR, opts);
  if (an === chain) return finish(w, start, w.off, { rcode: RCODE.NOERROR, authoritative: true, an, ns: 0, ar: 0 });
  const coreEnd = w.off;
  for (const g of glue) {
    const r = zone.inZone(g) ? zone.lookup(g) : undefined;
    if (!r) continue;
    for (const ip of r.a) { w.a(g, opts.ttl, ipBytes(ip)!); ar++; }
    for (const ip of r.aaaa) { w.a(g, opts.ttl, ipBytes(ip)!); ar++; }
  }
  return finish(w, start, coreEnd, { rcode: RCODE.NOERROR, authoritative: true, an, ns: 0, ar });
}

function soaTtl(opts: AnswerOptions): number {
  return Math.min(opts.ttl, 300);
}

function soaOf(zone: ZoneIndex, opts: AnswerOptions): Soa {
  return {
    mname: `ns.dns.${zone.zone}`,
    rname: `hostmaster.${zone.zone}`,
    serial: zone.serial >>> 0,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: opts.ttl,
  };
}

/** The query that fetches a CNAME target's records upstream. */
export function chaseQuery(target: string, qtype: number): Buffer {
  const w = new RecordWriter(64, HEADER_LEN);
  w.name(target, false);
  w.u16(qtype);
  w.u16(1);
  const out = Buffer.from(w.result());
  out.writeUInt16BE(FLAG.RD, 2);
  out.writeUInt16BE(1, 4);
  return out;
}

/**
 * Appends the answer records of an upstream reply to a CNAME answer. The
 * records are re-encoded without compression, so they fit at any offset.
 */
export function appendChased(a: Answer, reply: Buffer | undefined): Answer {
  if (!reply) return a;
  let decoded: packet.DecodedPacket & { rcode?: string };
  try {
    decoded = packet.decode(reply);
  } catch {
    return a;
  }
  const answers = (decoded.answers ?? []).filter((r) => r.type !== 'OPT');
  const rcode = decoded.rcode === 'NXDOMAIN' ? RCODE.NXDOMAIN : RCODE.NOERROR;
  if (!answers.length) return { ...a, rcode };
  let section: Buffer;
  try {
    section = packet.encode({ type: 'response', answers }).subarray(HEADER_LEN);
  } catch {
    return a;
  }
  const core = a.body.subarray(0, a.coreLen);
  return {
    ...a, rcode, chase: undefined, an: a.an + answers.length, ar: 0,
    body: Buffer.concat([core, section]), coreLen: core.length + section.length,
  };
}

/** NXDOMAIN or NODATA, with the zone's SOA in the authority section (RFC 2308). */
function negative(zone: ZoneIndex, w: RecordWriter, start: number, rcode: number, opts: AnswerOptions): Answer {
  // Rewind anything a partial answer (a CNAME chain) wrote: the negative answer stands alone.
  w.off = start;
  w.soa(zone.zone, soaTtl(opts), soaOf(zone, opts));
  return finish(w, start, w.off, { rcode, authoritative: true, an: 0, ns: 1, ar: 0 });
}

export interface RenderFlags {
  recursionAvailable: boolean;
}

/**
 * Encodes the reply to `msg` (whose question ends at q.questionEnd) into a new
 * buffer, starting `headroom` bytes in (2 for the TCP length prefix). Records
 * that do not fit in `limit` are dropped: first the additional section, then
 * everything, with TC set so that the client retries over TCP.
 */
export function render(
  msg: Buffer, q: Query, a: Answer, limit: number, flags: RenderFlags, headroom = 0, extendedRcode = a.rcode,
): Buffer {
  const qEnd = q.questionEnd;
  const optLen = q.edns ? OPT_RR_LEN : 0;
  let bodyLen = a.body.length;
  let an = a.an;
  let ns = a.ns;
  let ar = a.ar;
  let tc = false;
  if (qEnd + bodyLen + optLen > limit) {
    ar = 0;
    bodyLen = a.coreLen;
    if (qEnd + bodyLen + optLen > limit) {
      tc = true;
      bodyLen = 0;
      an = 0;
      ns = 0;
    }
  }
  const out = Buffer.allocUnsafe(headroom + qEnd + bodyLen + optLen);
  msg.copy(out, headroom, 0, qEnd);
  let f = FLAG.QR | (q.flags & FLAG.RD) | (extendedRcode & 0xf);
  if (a.authoritative) f |= FLAG.AA;
  if (tc) f |= FLAG.TC;
  if (flags.recursionAvailable) f |= FLAG.RA;
  out.writeUInt16BE(f, headroom + 2);
  out.writeUInt16BE(1, headroom + 4);
  out.writeUInt16BE(an, headroom + 6);
  out.writeUInt16BE(ns, headroom + 8);
  out.writeUInt16BE(ar + (optLen ? 1 : 0), headroom + 10);
  a.body.copy(out, headroom + qEnd, 0, bodyLen);
  if (q.edns) writeOpt(out, headroom + qEnd + bodyLen, extendedRcode, q.edns.dnssecOk);
  if (headroom === 2) out.writeUInt16BE(out.length - 2, 0);
  return out;
}

/** A reply carrying only an rcode (FORMERR, NOTIMP), echoing the question when it was readable. */
export function renderError(msg: Buffer, id: number, qflags: number, rcode: number, questionEnd: number, headroom = 0): Buffer {
  const out = Buffer.alloc(headroom + questionEnd);
  msg.copy(out, headroom, 0, questionEnd);
  out.writeUInt16BE(id, headroom);
  out.writeUInt16BE(FLAG.QR | (qflags & 0x7800) | (qflags & FLAG.RD) | rcode, headroom + 2);
  out.writeUInt16BE(questionEnd > HEADER_LEN ? 1 : 0, headroom + 4);
  out.writeUInt16BE(0, headroom + 6);
  out.writeUInt16BE(0, headroom + 8);
  out.writeUInt16BE(0, headroom + 10);
  if (headroom === 2) out.writeUInt16BE(out.length - 2, 0);
  return out;
}
