// The server driven by the real registry (validation, defaulting, watches)
// over the in-memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import packet from 'dns-packet';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KObject } from '../../src/client/types.js';
import { createMemoryApi } from '../../src/testing/api.js';
import { ClusterDns, kubeDnsService } from '../../src/dns/index.js';
import { service, slice } from './fixtures.js';
import { dig, digMissing } from './dig.js';

const EPS = 'endpointslices.discovery.k8s.io';

function ask(port: number, name: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 1000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve((packet.decode(m).answers ?? []).map((a) => String((a as { data: unknown }).data)));
    });
    s.send(packet.encode({ type: 'query', id: 1, questions: [{ type: 'A', name, class: 'IN' }] }), port, '127.0.0.1');
  });
}

test('records follow the API: a changed EndpointSlice is answered with the new address', { skip: digMissing }, async () => {
  const api = await createMemoryApi();
  const dns = new ClusterDns({ client: api.client, listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  try {
    const dnsSvc = await api.client.create('services', 'kube-system', kubeDnsService('10.96.0.10') as unknown as KObject);
    assert.equal((dnsSvc.spec as { clusterIP: string }).clusterIP, '10.96.0.10');
    await api.client.create('services', 'default', service('nginx') as unknown as KObject);
    await dns.start();
    await dns.waitForSync();
    const port = dns.addresses()[0].port;
    assert.equal((await dig(port, 'nginx.default.svc.cluster.local')).status, 'NXDOMAIN', 'no ready endpoint');
    assert.deepEqual((await dig(port, 'kube-dns.kube-system.svc.cluster.local')).answer.map((a) => a[4]), ['10.96.0.10']);
    assert.deepEqual((await dig(port, 'ns.dns.cluster.local')).answer.map((a) => a[4]), ['10.96.0.10']);

    const created = await api.client.create<EndpointSlice & { [k: string]: unknown }>(EPS, 'default',
      slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }]) as EndpointSlice & { [k: string]: unknown });
    assert.deepEqual(await ask(port, 'web-0.nginx.default.svc.cluster.local'), ['127.0.1.5']);

    // web-0 is recreated with a new IP: the endpoints controller rewrites the slice.
    const next = { ...created, endpoints: [{ addresses: ['127.0.1.9'], hostname: 'web-0', conditions: { ready: true } }] };
    // The 10 ms target is measured by bench/dns/propagation.ts against a real
    // `ordinal serve`; here the answer must follow the watch at all.
    await api.client.update(EPS, 'default', next);
    const deadline = Date.now() + 5000;
    let seen: string[] = [];
    while (seen[0] !== '127.0.1.9' && Date.now() < deadline) seen = await ask(port, 'web-0.nginx.default.svc.cluster.local');
    assert.deepEqual(seen, ['127.0.1.9']);

    await api.client.delete('services', 'default', 'nginx');
    let gone = '';
    for (let i = 0; i < 100 && gone !== 'NXDOMAIN'; i++) gone = (await dig(port, 'web-0.nginx.default.svc.cluster.local')).status;
    assert.equal(gone, 'NXDOMAIN');
  } finally {
    await dns.stop();
    api.stop();
  }
});
