// The cluster DNS address made local, as pods reach it (needs root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterDns, ensureServiceAddress, releaseServiceAddress, interfaceWithAddress } from '../../src/dns/index.js';
import { FakeClient } from './fake-client.js';
import { service } from './fixtures.js';
import { dig, digMissing } from './dig.js';

const ADDR = '10.96.0.250';
const DEV = 'ordtest0';
const root = process.getuid?.() === 0;

test('a Service address on a local interface serves DNS, and is removed again', { skip: (!root && 'needs root') || digMissing }, async () => {
  const dev = await ensureServiceAddress(ADDR, DEV);
  try {
    assert.ok([DEV, 'lo'].includes(dev), dev);
    assert.equal(interfaceWithAddress(ADDR), dev);
    assert.equal(await ensureServiceAddress(ADDR, DEV), dev, 'idempotent');
    const client = new FakeClient();
    client.put('services', service('api', { clusterIP: '10.96.0.20' }));
    const dns = new ClusterDns({ client, listen: [{ host: ADDR, port: 0 }], upstreams: [] });
    await dns.start();
    await dns.waitForSync();
    try {
      const r = await dig(dns.addresses()[0].port, 'api.default.svc.cluster.local', 'A', ['+tcp'], ADDR);
      assert.deepEqual(r.answer.map((a) => a[4]), ['10.96.0.20']);
    } finally {
      await dns.stop();
    }
  } finally {
    await releaseServiceAddress(ADDR, DEV);
  }
  assert.equal(interfaceWithAddress(ADDR), undefined);
  await releaseServiceAddress(ADDR, DEV); // nothing left: no error
});
