// Hostile DNS messages for fuzzing the server: random bytes, and valid
// queries mutated (bit flips, truncation, bogus counts, compression pointers,
// loops, oversized names). Deterministic for a seed.
import packet from 'dns-packet';
import type { ClusterDns } from '../../src/dns/index.js';

import { mulberry32 as prng } from '../helpers/prng.js';

export { prng };

const NAMES = [
  'web-0.nginx.default.svc.cluster.local', 'nginx.default.svc.cluster.local', 'api.default.svc.cluster.local',
  '_web._tcp.nginx.default.svc.cluster.local', 'big.default.svc.cluster.local', 'cluster.local', 'svc.cluster.local',
  'dns-version.cluster.local', '5.1.0.127.in-addr.arpa', 'ext.default.svc.cluster.local', 'example.com', '.',
  '127-0-1-5.default.pod.cluster.local', 'x.y.z.default.svc.cluster.local',
];
const TYPES: packet.RecordType[] = ['A', 'AAAA', 'SRV', 'PTR', 'TXT', 'CNAME', 'SOA', 'NS', 'ANY' as packet.RecordType, 'AXFR', 'MX', 'OPT'];

function seeds(): Buffer[] {
  const out: Buffer[] = [];
  for (const name of NAMES) {
    for (const type of TYPES) {
      out.push(packet.encode({ type: 'query', id: 1, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }));
    }
    out.push(packet.encode({
      type: 'query', id: 2, questions: [{ type: 'A', name, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: packet.DNSSEC_OK, options: [{ code: 10, data: Buffer.alloc(8, 7) }] } as unknown as packet.Answer],
    }));
  }
  return out;
}

export function* fuzzCases(seed: number, n: number): Generator<Buffer> {
  const rnd = prng(seed);
  const int = (k: number): number => Math.floor(rnd() * k);
  const base = seeds();
  for (let i = 0; i < n; i++) {
    const kind = int(10);
    if (kind === 0) {
      // Random bytes, mostly short.
      const len = rnd() < 0.9 ? int(64) : int(2000);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = int(256);
      if (len > 3 && rnd() < 0.8) b[2] &= 0x07; // a query, opcode 0, so parsing goes further
      yield b;
      continue;
    }
    let b = Buffer.from(base[int(base.length)]);
    const edits = 1 + int(4);
    for (let e = 0; e < edits; e++) {
      const op = int(9);
      if (op === 0 && b.length) b[int(b.length)] ^= 1 << int(8);
      else if (op === 1 && b.length) b[int(b.length)] = int(256);
      else if (op === 2) b = b.subarray(0, int(b.length + 1));
      else if (op === 3) { const extra = Buffer.alloc(int(40)); for (let j = 0; j < extra.length; j++) extra[j] = int(256); b = Buffer.concat([b, extra]); }
      else if (op === 4 && b.length >= 12) b.writeUInt16BE(int(4) === 0 ? int(65536) : int(4), 4 + 2 * int(4));
      else if (op === 5 && b.length > 13) {
        // A compression pointer somewhere, possibly at itself (a loop).
        const at = 12 + int(b.length - 13);
        const to = rnd() < 0.5 ? at : int(b.length);
        b.writeUInt16BE(0xc000 | (to & 0x3fff), at);
      } else if (op === 6) {
        // An oversized name: many labels.
        const labels = Buffer.alloc(int(400));
        for (let j = 0; j < labels.length; j++) labels[j] = j % 4 === 0 ? 3 : 97;
        b = Buffer.concat([b.subarray(0, 12), labels, Buffer.from([0, 0, 1, 0, 1])]);
      } else if (op === 7 && b.length >= 4) b[2] = (b[2] & 0x7f) | (int(2) << 7);
      else if (op === 8) {
        // A label length with the reserved 0x40/0x80 bits.
        if (b.length > 12) b[12] = 0x40 | int(64);
      }
    }
    yield b;
  }
}

export interface FuzzReport { cases: number; replies: number; dropped: number; failures: string[] }

/** Sends every case through the server in-process and checks each reply is a well-formed response to it. */
export async function runFuzz(dns: ClusterDns, seed: number, n: number): Promise<FuzzReport> {
  const report: FuzzReport = { cases: 0, replies: 0, dropped: 0, failures: [] };
  for (const msg of fuzzCases(seed, n)) {
    report.cases++;
    const tcp = (report.cases & 7) === 0;
    let reply: Buffer | undefined;
    try {
      reply = await dns.resolveMessage(msg, { tcp });
    } catch (e) {
      report.failures.push(`threw on ${msg.toString('hex')}: ${(e as Error).stack}`);
      continue;
    }
    if (!reply) { report.dropped++; continue; }
    report.replies++;
    const problem = checkReply(msg, reply, tcp);
    if (problem && report.failures.length < 20) report.failures.push(`${problem} for ${msg.toString('hex')} -> ${reply.toString('hex')}`);
  }
  return report;
}

function checkReply(msg: Buffer, reply: Buffer, tcp: boolean): string | undefined {
  if (reply.length < 12) return 'short reply';
  if (reply.readUInt16BE(0) !== msg.readUInt16BE(0)) return 'ID mismatch';
  if (!(reply[2] & 0x80)) return 'QR not set';
  if (!tcp && reply.length > 1232) return `UDP reply of ${reply.length} bytes`;
  try {
    packet.decode(reply);
  } catch (e) {
    return `undecodable reply (${(e as Error).message})`;
  }
  return undefined;
}
