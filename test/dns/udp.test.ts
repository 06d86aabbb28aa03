// The DNS's UDP transports (src/dns/udp.ts): the batched addon must be the
// one in use on Linux, route every reply of a batch to its own sender, drop
// datagrams too long for a slot, send late replies, and free its port on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { listenUdp, nativeUdp, type DatagramHandler } from '../../src/dns/udp.js';
import { ClusterDns } from '../../src/dns/index.js';
import { FakeClient } from './fake-client.js';

const linux = process.platform === 'linux';

function bound(): Promise<Socket> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => res(s));
  });
}

/** Echoes the datagram with its first byte set to 0xEE, so replies can be matched to queries. */
const echo: DatagramHandler = (msg) => {
  const r = Buffer.from(msg);
  r[0] = 0xee;
  return r;
};

test('on Linux the batched addon is built and the cluster DNS uses it', { skip: !linux }, async () => {
  const loaded = nativeUdp();
  assert.equal(loaded.error, undefined, 'the addon must be built by `npm run build`');
  const dns = new ClusterDns({ client: new FakeClient(), listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  await dns.start();
  try {
    assert.equal(dns.udpTransport(), 'batched');
  } finally {
    await dns.stop();
  }
});

for (const transport of ['batched', 'dgram'] as const) {
  test(`${transport}: every reply of a burst goes back to its own sender`, { skip: transport === 'batched' && !linux }, async () => {
    const l = await listenUdp('127.0.0.1', 0, echo, { dgram: transport === 'dgram' });
    assert.equal(l.transport, transport);
    const clients = await Promise.all(Array.from({ length: 8 }, bound));
    try {
      const got = clients.map(() => new Set<number>());
      const wrong: string[] = [];
      clients.forEach((c, ci) => c.on('message', (m) => {
        // [0xEE, client index, sequence (2 bytes)]
        if (m[0] !== 0xee || m[1] !== ci) wrong.push(`client ${ci} got ${m.subarray(0, 4).toString('hex')}`);
        got[ci].add(m.readUInt16BE(2));
      }));
      const perClient = 100;
      for (let i = 0; i < perClient; i++) {
        clients.forEach((c, ci) => {
          const q = Buffer.alloc(20 + ((i * 7) % 50));
          q[1] = ci;
          q.writeUInt16BE(i, 2);
          c.send(q, l.port, '127.0.0.1');
        });
        if (i % 25 === 24) await new Promise((r) => setTimeout(r, 5));
      }
      const deadline = Date.now() + 3000;
      while (got.some((g) => g.size < perClient) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(wrong, []);
      // Loopback UDP under a burst may drop a few; nearly all must arrive, each at its sender.
      const total = got.reduce((a, g) => a + g.size, 0);
      assert.ok(total >= clients.length * perClient * 0.95, `${total} of ${clients.length * perClient} replies`);
    } finally {
      for (const c of clients) c.close();
      await l.close();
    }
  });

  test(`${transport}: late replies, replies larger than a slot, and close()`, { skip: transport === 'batched' && !linux }, async () => {
    const handler: DatagramHandler = (msg, client) => {
      const kind = msg.toString('latin1', 0, 4);
      if (kind === 'late') {
        const from = client();
        return new Promise((res) => setTimeout(() => res(Buffer.from(`late from ${from}`)), 20));
      }
      if (kind === 'big!') return Buffer.alloc(3000, 0x61);
      if (kind === 'drop') return undefined;
      return Buffer.from(`len ${msg.length}`);
    };
    const l = await listenUdp('127.0.0.1', 0, handler, { dgram: transport === 'dgram' });
    const c = await bound();
    const next = (): Promise<Buffer | undefined> => new Promise((res) => {
      const t = setTimeout(() => { c.off('message', on); res(undefined); }, 1000);
      const on = (m: Buffer): void => { clearTimeout(t); c.off('message', on); res(m); };
      c.on('message', on);
    });
    const ask = (q: Buffer): Promise<Buffer | undefined> => { const r = next(); c.send(q, l.port, '127.0.0.1'); return r; };
    try {
      assert.equal((await ask(Buffer.from('late')))?.toString(), 'late from 127.0.0.1');
      assert.equal((await ask(Buffer.from('big!')))?.length, 3000);
      assert.equal(await ask(Buffer.from('drop')), undefined);
      assert.equal((await ask(Buffer.alloc(4000, 1)))?.toString(), 'len 4000');
      if (transport === 'batched') {
        // Longer than a 4096-byte slot: dropped as oversized, and the socket keeps serving.
        assert.equal(await ask(Buffer.alloc(5000, 1)), undefined);
      }
      assert.equal((await ask(Buffer.from('ping')))?.toString(), 'len 4');
      const port = l.port;
      await l.close();
      assert.equal(await ask(Buffer.from('ping')), undefined);
      // The port is free again.
      const again = await listenUdp('127.0.0.1', port, echo, { dgram: transport === 'dgram' });
      await again.close();
    } finally {
      c.close();
      await l.close();
    }
  });
}

test('batched: a port in use is reported as EADDRINUSE', { skip: !linux }, async () => {
  const l = await listenUdp('127.0.0.1', 0, echo);
  try {
    await assert.rejects(listenUdp('127.0.0.1', l.port, echo), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
  } finally {
    await l.close();
  }
});

for (const transport of ['batched', 'dgram'] as const) {
  test(`${transport}: a handler that throws drops that datagram only`, { skip: transport === 'batched' && !linux }, async () => {
    const l = await listenUdp('127.0.0.1', 0, (msg) => {
      if (msg[0] === 0) throw new Error('bad datagram');
      return echo(msg, () => '');
    }, { dgram: transport === 'dgram' });
    const c = await bound();
    try {
      const replies: Buffer[] = [];
      c.on('message', (m) => replies.push(m));
      c.send(Buffer.from([0, 1]), l.port, '127.0.0.1');
      c.send(Buffer.from([1, 2]), l.port, '127.0.0.1');
      const deadline = Date.now() + 1000;
      while (!replies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(replies.map((r) => r.toString('hex')), ['ee02']);
    } finally {
      c.close();
      await l.close();
    }
  });
}
