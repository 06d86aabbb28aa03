import { test } from 'node:test';
import assert from 'node:assert/strict';
import packet from 'dns-packet';
import { parseQuery, questionLabels, RecordWriter, RCODE, TYPE } from '../../src/dns/wire.js';
import { ipBytes, reverseName, dashedIp } from '../../src/dns/ip.js';

function query(name: string, type: packet.RecordType = 'A', extra: Partial<packet.Packet> = {}): Buffer {
  return packet.encode({ type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], ...extra });
}

test('parses a question, lower-casing the name for lookups', () => {
  const msg = query('Web-0.NGINX.default.svc.cluster.local', 'SRV');
  const p = parseQuery(msg);
  assert.equal(p.kind, 'query');
  if (p.kind !== 'query') return;
  assert.deepEqual(questionLabels(msg), ['web-0', 'nginx', 'default', 'svc', 'cluster', 'local']);
  assert.equal(p.query.wireKey, '\x05web-0\x05nginx\x07default\x03svc\x07cluster\x05local\x00');
  assert.equal(p.query.qtype, TYPE.SRV);
  assert.equal(p.query.id, 4242);
  assert.equal(p.query.edns, undefined);
  assert.equal(p.query.questionEnd, 12 + 39 + 4);
});

test('reads EDNS0 from an OPT record', () => {
  const p = parseQuery(query('a.cluster.local', 'A', {
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: packet.DNSSEC_OK } as packet.Answer],
  }));
  assert.equal(p.kind, 'query');
  if (p.kind === 'query') assert.deepEqual(p.query.edns, { udpSize: 4096, version: 0, dnssecOk: true });
});

test('a dot inside a label never makes two labels', () => {
  const msg = Buffer.concat([query('x').subarray(0, 12), Buffer.from('\x0bweb-0.nginx\x07default\x03svc\x07cluster\x05local\x00\x00\x01\x00\x01', 'latin1')]);
  assert.equal(parseQuery(msg).kind, 'query');
  assert.deepEqual(questionLabels(msg), ['web-0\0nginx', 'default', 'svc', 'cluster', 'local']);
});

test('rejects malformed queries with FORMERR or drops them', () => {
  const q = query('a.cluster.local');
  assert.equal(parseQuery(q.subarray(0, 11)).kind, 'drop');
  const resp = Buffer.from(q); resp[2] |= 0x80;
  assert.equal(parseQuery(resp).kind, 'drop', 'responses are dropped');
  const two = Buffer.from(q); two.writeUInt16BE(2, 4);
  assert.deepEqual(parseQuery(two), { kind: 'error', id: 4242, flags: 0x0100, rcode: RCODE.FORMERR, questionEnd: 12 });
  const truncated = parseQuery(q.subarray(0, q.length - 3));
  assert.equal(truncated.kind === 'error' && truncated.rcode, RCODE.FORMERR);
  // A compression pointer in the question has nothing to point at.
  const ptr = Buffer.concat([q.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal((parseQuery(ptr) as { rcode: number }).rcode, RCODE.FORMERR);
  // More additional records claimed than present.
  const ar = Buffer.from(q); ar.writeUInt16BE(3, 10);
  assert.equal((parseQuery(ar) as { rcode: number }).rcode, RCODE.FORMERR);
  const opcode = Buffer.from(q); opcode[2] |= 0x10; // opcode 2 (STATUS)
  assert.equal((parseQuery(opcode) as { rcode: number }).rcode, RCODE.NOTIMP);
  // Two OPT records.
  const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232 } as packet.Answer;
  const twoOpt = parseQuery(query('a.cluster.local', 'A', { additionals: [opt, opt] }));
  assert.equal((twoOpt as { rcode: number }).rcode, RCODE.FORMERR);
});

test('compression fits 28 A records of a 31-character name in 512 bytes', () => {
  const name = 'nginx.default.svc.cluster.local';
  const labels = name.split('.');
  const qEnd = 12 + name.length + 2 + 4;
  const w = new RecordWriter(512, qEnd);
  w.registerName(labels, 12, labels.map((l) => l.length));
  for (let i = 0; i < 28; i++) w.a(12, 5, Uint8Array.of(10, 0, 0, i));
  assert.ok(w.off <= 512, `28 records end at ${w.off}`);
  // And they decode as what was written.
  const msg = Buffer.concat([query(name).subarray(0, qEnd), w.result().subarray(qEnd)]);
  msg.writeUInt16BE(28, 6);
  const d = packet.decode(msg);
  assert.equal(d.answers?.length, 28);
  assert.equal(d.answers?.[27].name, name);
  assert.equal((d.answers?.[27] as { data: string }).data, '10.0.0.27');
});

test('names point at the longest suffix already written', () => {
  const w = new RecordWriter(64, 12);
  w.name('web-0.nginx.default.svc.cluster.local');
  const first = w.off;
  w.name('web-1.nginx.default.svc.cluster.local');
  assert.equal(w.off - first, 1 + 5 + 2, 'one label and a pointer');
  w.name('cluster.local');
  assert.equal(w.off - first, 8 + 2);
});

test('IP helpers', () => {
  assert.deepEqual([...ipBytes('10.96.0.10')!], [10, 96, 0, 10]);
  assert.deepEqual([...ipBytes('fd00::1')!], [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...ipBytes('::ffff:1.2.3.4')!].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(ipBytes('10.0.0'), undefined);
  assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
  assert.equal(reverseName('2001:db8::567:89ab'), 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.equal(dashedIp('127.0.1.5'), '127-0-1-5');
  assert.equal(dashedIp('fd00::'), 'fd00--0');
});
