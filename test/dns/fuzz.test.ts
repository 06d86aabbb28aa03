// The packet parser and the whole answer path under 100k hostile messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import packet from 'dns-packet';
import { ClusterDns } from '../../src/dns/index.js';
import { FakeClient } from './fake-client.js';
import { service, slice } from './fixtures.js';
import { fuzzCases, runFuzz } from './fuzz-cases.js';

const EPS = 'endpointslices.discovery.k8s.io';

function cluster(): FakeClient {
  const c = new FakeClient();
  c.put('services', service('nginx'));
  c.put(EPS, slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }]));
  c.put('services', service('api', { clusterIP: '10.96.0.20' }));
  c.put('services', service('ext', { externalName: 'example.com' }));
  c.put('services', service('big'));
  c.put(EPS, slice('big', Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.0.${i}`, hostname: `big-${i}` }))));
  return c;
}

test('100k random and mutated messages: no crash, every reply well-formed', async () => {
  const dns = new ClusterDns({ client: cluster(), listen: [], upstreams: [] });
  await dns.start();
  await dns.waitForSync();
  try {
    const r = await runFuzz(dns, 20240601, 100_000);
    assert.deepEqual(r.failures, []);
    assert.equal(r.cases, 100_000);
    assert.ok(r.replies > 30_000 && r.dropped > 1000, `replies ${r.replies}, dropped ${r.dropped}`);
  } finally {
    await dns.stop();
  }
});

test('a burst of hostile datagrams does not stall the socket', async () => {
  const dns = new ClusterDns({ client: cluster(), listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  await dns.start();
  await dns.waitForSync();
  const sock = createSocket('udp4');
  try {
    const port = dns.addresses()[0].port;
    // Read (and drop) the burst's replies as they come, as a resolver would:
    // a socket nobody reads overflows and loses the answer that matters.
    let answered: ((m: Buffer) => void) | undefined;
    sock.on('message', (m) => { if (m.readUInt16BE(0) === 4321) answered?.(m); });
    let i = 0;
    for (const m of fuzzCases(7, 3000)) {
      sock.send(m, port, '127.0.0.1');
      if (++i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    const q = packet.encode({ type: 'query', id: 4321, questions: [{ type: 'A', name: 'api.default.svc.cluster.local', class: 'IN' }] });
    const answer = await new Promise<packet.DecodedPacket>((resolve, reject) => {
      // UDP may drop a datagram under a burst: retry like a stub resolver (every 500 ms, 3 s in all).
      const retry = setInterval(() => sock.send(q, port, '127.0.0.1'), 500);
      const t = setTimeout(() => { clearInterval(retry); reject(new Error('no answer after the burst')); }, 3000);
      answered = (m) => {
        clearTimeout(t);
        clearInterval(retry);
        resolve(packet.decode(m));
      };
      sock.send(q, port, '127.0.0.1');
    });
    assert.equal((answer.answers?.[0] as { data: string }).data, '10.96.0.20');
  } finally {
    sock.close();
    await dns.stop();
  }
});
