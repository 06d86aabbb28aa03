// Worker processes sharing the UDP socket mirror the zone and stop with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import packet from 'dns-packet';
import { ClusterDns } from '../../src/dns/index.js';
import { FakeClient } from './fake-client.js';
import { service, slice } from './fixtures.js';
import { dig, digMissing } from './dig.js';

const EPS = 'endpointslices.discovery.k8s.io';

function children(): number[] {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('two workers answer from a mirrored index, follow changes, and exit on stop', { skip: digMissing }, async () => {
  const client = new FakeClient();
  client.put('services', service('nginx'));
  client.put(EPS, slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }]));
  const before = new Set(children());
  const dns = new ClusterDns({ client, listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [], workers: 2 });
  await dns.start();
  const workers = children().filter((p) => !before.has(p));
  const sock = createSocket('udp4');
  try {
    assert.equal(workers.length, 2);
    await dns.waitForSync();
    const port = dns.addresses()[0].port;
    // Workers may learn of the sync a moment later.
    let status = '';
    for (let i = 0; i < 50 && status !== 'NOERROR'; i++) status = (await dig(port, 'web-0.nginx.default.svc.cluster.local')).status;
    const answers = new Map<number, string>();
    sock.on('message', (m) => {
      const d = packet.decode(m) as packet.DecodedPacket & { rcode?: string };
      answers.set(d.id!, d.rcode === 'NOERROR' ? String((d.answers?.[0] as { data?: string } | undefined)?.data) : d.rcode!);
    });
    const ask = async (from: number, n: number): Promise<string[]> => {
      for (let i = 0; i < n; i++) {
        sock.send(packet.encode({ type: 'query', id: from + i, questions: [{ type: 'A', name: 'web-0.nginx.default.svc.cluster.local', class: 'IN' }] }), port, '127.0.0.1');
      }
      for (let t = 0; t < 200 && [...Array(n).keys()].some((i) => !answers.has(from + i)); t++) await new Promise((r) => setTimeout(r, 5));
      return [...Array(n).keys()].map((i) => answers.get(from + i) ?? 'lost');
    };
    assert.deepEqual(new Set(await ask(0, 200)), new Set(['127.0.1.5']));
    const t0 = process.hrtime.bigint();
    client.put(EPS, slice('nginx', [{ ip: '127.0.1.9', hostname: 'web-0' }]));
    // The first batch that every process answers with the new IP must have been sent within 10 ms.
    let sentAt = 0;
    for (let batch = 1; ; batch++) {
      sentAt = Number(process.hrtime.bigint() - t0) / 1e6;
      const got = new Set(await ask(1000 + batch * 20, 20));
      if (got.size === 1 && got.has('127.0.1.9')) break;
      assert.ok(batch < 2000, `still ${[...got]} after ${batch} batches`);
    }
    assert.ok(sentAt < 10, `all processes answered the new IP from ${sentAt.toFixed(2)} ms`);
    assert.deepEqual(new Set(await ask(60_000, 200)), new Set(['127.0.1.9']));
  } finally {
    sock.close();
    await dns.stop();
  }
  const left = children();
  assert.ok(workers.every((p) => !left.includes(p)), 'workers exited');
});
