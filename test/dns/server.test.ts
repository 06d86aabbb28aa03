// The server against real resolvers: dig over UDP and TCP on loopback.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import packet from 'dns-packet';
import { ClusterDns } from '../../src/dns/index.js';
import { FakeClient } from './fake-client.js';
import { service, slice, pod } from './fixtures.js';
import { dig, digMissing } from './dig.js';

const EPS = 'endpointslices.discovery.k8s.io';

function udpQuery(port: number, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(undefined); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, '127.0.0.1');
  });
}

function q(name: string, type: packet.RecordType = 'A', id = 7): Buffer {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
}

function cluster(): FakeClient {
  const c = new FakeClient();
  c.put('services', service('nginx'));
  c.put(EPS, slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }, { ip: '127.0.1.6', hostname: 'web-1' }]));
  c.put('services', service('api', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  c.put('services', service('ext', { externalName: 'example.com' }));
  c.put('services', service('alias', { externalName: 'api.default.svc.cluster.local' }));
  c.put('services', service('big'));
  c.put(EPS, slice('big', Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.${i >> 8}.${i & 255}`, hostname: `big-${i}` }))));
  c.put('pods', pod('web-0', '127.0.1.5'));
  return c;
}

// Both UDP transports: `auto` is the batched addon where it is built (Linux), `dgram` node:dgram.
for (const udp of ['auto', 'dgram'] as const) {
  describe(`cluster DNS over UDP and TCP (dig) (${udp} UDP)`, { skip: digMissing }, () => {
    let client: FakeClient;
    let dns: ClusterDns;
    let port: number;
    before(async () => {
      client = cluster();
      dns = new ClusterDns({ udp, client, listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
      await dns.start();
      await dns.waitForSync();
      port = dns.addresses()[0].port;
    });
    after(() => dns.stop());

    for (const proto of ['+notcp', '+tcp']) {
      test(`a StatefulSet pod's stable name (${proto})`, async () => {
        const r = await dig(port, 'web-0.nginx.default.svc.cluster.local', 'A', [proto]);
        assert.equal(r.status, 'NOERROR');
        assert.ok(r.flags.includes('aa'));
        assert.equal(r.protocol, proto === '+tcp' ? 'TCP' : 'UDP');
        assert.deepEqual(r.answer, [['web-0.nginx.default.svc.cluster.local.', '5', 'IN', 'A', '127.0.1.5']]);
      });
    }

    test('headless Service: every ready endpoint; ClusterIP Service: its IP', async () => {
      const h = await dig(port, 'nginx.default.svc.cluster.local');
      assert.deepEqual(h.answer.map((a) => a[4]).sort(), ['127.0.1.5', '127.0.1.6']);
      const c = await dig(port, 'api.default.svc.cluster.local');
      assert.deepEqual(c.answer.map((a) => a[4]), ['10.96.0.20']);
    });

    test('matching ignores case and the question is echoed as asked', async () => {
      const r = await dig(port, 'WeB-0.Nginx.DEFAULT.svc.Cluster.Local');
      assert.deepEqual(r.question, ['WeB-0.Nginx.DEFAULT.svc.Cluster.Local. IN A']);
      assert.deepEqual(r.answer[0], ['WeB-0.Nginx.DEFAULT.svc.Cluster.Local.', '5', 'IN', 'A', '127.0.1.5']);
    });

    test('NXDOMAIN for missing names, NODATA for other types and empty non-terminals, both with the SOA', async () => {
      for (const [name, type, status] of [
        ['nope.default.svc.cluster.local', 'A', 'NXDOMAIN'],
        ['web-9.nginx.default.svc.cluster.local', 'A', 'NXDOMAIN'],
        ['nope.svc.cluster.local', 'A', 'NXDOMAIN'],
        ['web-0\\.nginx.default.svc.cluster.local', 'A', 'NXDOMAIN'],
        ['x.y.cluster.local', 'AAAA', 'NXDOMAIN'],
        ['api.default.svc.cluster.local', 'AAAA', 'NOERROR'],
        ['api.default.svc.cluster.local', 'TXT', 'NOERROR'],
        ['default.svc.cluster.local', 'A', 'NOERROR'],
        ['svc.cluster.local', 'A', 'NOERROR'],
        ['cluster.local', 'A', 'NOERROR'],
      ]) {
        const r = await dig(port, name, type);
        assert.equal(r.status, status, `${name} ${type}`);
        assert.equal(r.answer.length, 0);
        assert.ok(r.flags.includes('aa'));
        assert.equal(r.authority.length, 1, `${name} ${type}: SOA in authority`);
        assert.deepEqual(r.authority[0].slice(0, 6), ['cluster.local.', '5', 'IN', 'SOA', 'ns.dns.cluster.local.', 'hostmaster.cluster.local.']);
        assert.equal(r.authority[0][10], '5', 'SOA minimum is the negative TTL');
      }
    });

    test('SRV for named ports, with the targets in the additional section', async () => {
      const h = await dig(port, '_web._tcp.nginx.default.svc.cluster.local', 'SRV');
      assert.deepEqual(h.answer.map((a) => a.slice(4).join(' ')).sort(), [
        '0 50 8080 web-0.nginx.default.svc.cluster.local.', '0 50 8080 web-1.nginx.default.svc.cluster.local.',
      ]);
      assert.deepEqual(h.additional.map((a) => `${a[0]} ${a[4]}`).sort(), [
        'web-0.nginx.default.svc.cluster.local. 127.0.1.5', 'web-1.nginx.default.svc.cluster.local. 127.0.1.6',
      ]);
      const c = await dig(port, '_http._tcp.api.default.svc.cluster.local', 'SRV', ['+tcp']);
      assert.deepEqual(c.answer.map((a) => a.slice(4).join(' ')), ['0 100 80 api.default.svc.cluster.local.']);
      assert.deepEqual(c.additional.map((a) => a[4]), ['10.96.0.20']);
      const none = await dig(port, '_nope._tcp.api.default.svc.cluster.local', 'SRV');
      assert.equal(none.status, 'NXDOMAIN');
      const ent = await dig(port, '_tcp.api.default.svc.cluster.local', 'SRV');
      assert.equal(ent.status, 'NOERROR');
    });

    test('PTR for Service and endpoint IPs', async () => {
      const svc = await dig(port, '20.0.96.10.in-addr.arpa', 'PTR');
      assert.deepEqual(svc.answer.map((a) => a[4]), ['api.default.svc.cluster.local.']);
      const viaX = await dig(port, '6.1.0.127.in-addr.arpa', 'PTR', ['+tcp']);
      assert.deepEqual(viaX.answer.map((a) => a[4]), ['web-1.nginx.default.svc.cluster.local.']);
    });

    test('ExternalName: a CNAME, followed inside the zone', async () => {
      const ext = await dig(port, 'ext.default.svc.cluster.local');
      assert.deepEqual(ext.answer, [['ext.default.svc.cluster.local.', '5', 'IN', 'CNAME', 'example.com.']]);
      const alias = await dig(port, 'alias.default.svc.cluster.local');
      assert.deepEqual(alias.answer.map((a) => `${a[3]} ${a[4]}`), ['CNAME api.default.svc.cluster.local.', 'A 10.96.0.20']);
      const srv = await dig(port, 'ext.default.svc.cluster.local', 'SRV');
      assert.equal(srv.status, 'NOERROR');
    });

    test('the apex: SOA and NS', async () => {
      const soa = await dig(port, 'Cluster.Local', 'SOA');
      // Names inside the answer point into the question, so they keep its letter case (as with CoreDNS).
      assert.deepEqual(soa.answer[0].slice(0, 6), ['Cluster.Local.', '5', 'IN', 'SOA', 'ns.dns.Cluster.Local.', 'hostmaster.Cluster.Local.']);
      const ns = await dig(port, 'cluster.local', 'NS');
      assert.deepEqual(ns.answer, [['cluster.local.', '5', 'IN', 'NS', 'ns.dns.cluster.local.']]);
    });

    test('the schema version and pod records', async () => {
      const v = await dig(port, 'dns-version.cluster.local', 'TXT');
      assert.deepEqual(v.answer, [['dns-version.cluster.local.', '28800', 'IN', 'TXT', '"1.1.0"']]);
      for (const proto of ['+notcp', '+tcp']) {
        const p = await dig(port, '127-0-1-5.default.pod.cluster.local', 'A', [proto]);
        assert.deepEqual(p.answer.map((a) => a[4]), ['127.0.1.5']);
      }
      assert.equal((await dig(port, '127-0-1-99.default.pod.cluster.local')).status, 'NXDOMAIN');
    });

    test('EDNS0: the OPT record is echoed with our 1232-byte limit; unknown versions get BADVERS', async () => {
      const r = await dig(port, 'api.default.svc.cluster.local', 'A', ['+bufsize=4096']);
      assert.deepEqual(r.edns, { udp: 1232, version: 0 });
      const plain = await dig(port, 'api.default.svc.cluster.local', 'A', ['+noedns']);
      assert.equal(plain.edns, undefined);
      const v1 = await dig(port, 'api.default.svc.cluster.local', 'A', ['+edns=1', '+noednsnegotiation']);
      assert.equal(v1.status, 'BADVERS');
    });

    test('a 100-pod headless Service: TC over UDP, every record over TCP', async () => {
      for (const edns of ['+noedns', '+bufsize=1232']) {
        const udp = await dig(port, 'big.default.svc.cluster.local', 'A', ['+ignore', edns]);
        assert.ok(udp.flags.includes('tc'), `${edns}: truncated`);
        assert.equal(udp.answer.length, 0);
      }
      const fallback = await dig(port, 'BIG.default.svc.cluster.local', 'A', ['+noedns']);
      assert.equal(fallback.protocol, 'TCP', 'dig retried over TCP');
      assert.equal(fallback.answer.length, 100);
      const srv = await dig(port, '_web._tcp.big.default.svc.cluster.local', 'SRV', ['+tcp']);
      assert.equal(srv.answer.length, 100);
      assert.equal(srv.additional.length, 100);
      // 28 records of a name this long fit in 512 bytes thanks to compression: a 20-pod service needs no TCP.
      client.put('services', service('mid'));
      client.put(EPS, slice('mid', Array.from({ length: 28 }, (_, i) => ({ ip: `10.245.0.${i}` }))));
      const mid = await dig(port, 'mid.default.svc.cluster.local', 'A', ['+noedns', '+ignore']);
      assert.equal(mid.answer.length, 28);
      assert.ok(mid.size <= 512);
    });

    test('zone transfers and other classes are refused; other opcodes are not implemented', async () => {
      assert.equal((await dig(port, 'cluster.local', 'AXFR', ['+tcp'])).status, 'REFUSED');
      assert.equal((await dig(port, 'version.bind', 'TXT', ['-c', 'CH'])).status, 'REFUSED');
      const notify = q('cluster.local');
      notify[2] = (notify[2] & 0x87) | (4 << 3); // NOTIFY
      const r = await udpQuery(port, notify);
      assert.equal(r && (r[3] & 0xf), 4);
    });

    test('names outside the zone are refused without upstreams', async () => {
      const r = await dig(port, 'example.com');
      assert.equal(r.status, 'REFUSED');
      assert.ok(!r.flags.includes('ra'));
    });

    test('malformed packets get FORMERR or nothing, and the server keeps answering', async () => {
      const twoQ = q('api.default.svc.cluster.local');
      twoQ.writeUInt16BE(2, 4);
      const r1 = await udpQuery(port, twoQ);
      assert.equal(r1 && (r1[3] & 0xf), 1, 'FORMERR');
      assert.equal(await udpQuery(port, Buffer.from([1, 2, 3]), 200), undefined, 'too short: dropped');
      const loop = Buffer.concat([q('a.cluster.local').subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
      const r2 = await udpQuery(port, loop);
      assert.equal(r2 && (r2[3] & 0xf), 1);
      const ok = await udpQuery(port, q('api.default.svc.cluster.local'));
      assert.equal(packet.decode(ok!).answers?.length, 1);
    });

    // The 10 ms target is measured by bench/dns/propagation.ts, not here.
    test('a recreated pod is answered with its new IP once its EndpointSlice changes', async () => {
      const name = 'web-1.nginx.default.svc.cluster.local';
      const before = packet.decode((await udpQuery(port, q(name)))!);
      assert.equal((before.answers?.[0] as { data: string }).data, '127.0.1.6');
      client.put(EPS, slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }, { ip: '127.0.1.66', hostname: 'web-1' }]));
      const deadline = Date.now() + 5000;
      let seen = '';
      while (seen !== '127.0.1.66' && Date.now() < deadline) {
        const r = packet.decode((await udpQuery(port, q(name)))!);
        seen = (r.answers?.[0] as { data: string } | undefined)?.data ?? '';
      }
      assert.equal(seen, '127.0.1.66');
    });
  });

  describe(`IPv6 listeners (${udp} UDP)`, { skip: digMissing }, () => {
    test('UDP and TCP on ::1', async () => {
      const dns = new ClusterDns({ udp, client: cluster(), listen: [{ host: '::1', port: 0 }], upstreams: [] });
      await dns.start();
      await dns.waitForSync();
      try {
        const { host, port } = dns.addresses()[0];
        assert.equal(host, '::1');
        for (const proto of ['+notcp', '+tcp']) {
          const r = await dig(port, 'api.default.svc.cluster.local', 'A', [proto], '::1');
          assert.deepEqual(r.answer.map((a) => a[4]), ['10.96.0.20']);
        }
      } finally {
        await dns.stop();
      }
    });
  });

  describe(`before the first sync (${udp} UDP)`, { skip: digMissing }, () => {
    test('in-zone names get SERVFAIL, then answers', async () => {
      const client = cluster();
      client.holdLists = true;
      const dns = new ClusterDns({ udp, client, listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
      await dns.start();
      try {
        const port = dns.addresses()[0].port;
        assert.equal((await dig(port, 'api.default.svc.cluster.local')).status, 'SERVFAIL');
        assert.equal((await dig(port, 'example.com')).status, 'REFUSED');
        client.release();
        await dns.waitForSync();
        assert.equal((await dig(port, 'api.default.svc.cluster.local')).status, 'NOERROR');
      } finally {
        await dns.stop();
      }
    });
  });

  describe(`forwarding to upstreams (${udp} UDP)`, { skip: digMissing }, () => {
    let upUdp: ReturnType<typeof createSocket>;
    let upTcp: Server;
    let upPort: number;
    let dns: ClusterDns;
    const seen: string[] = [];
    const answer = (msg: Buffer): Buffer => {
      const d = packet.decode(msg);
      seen.push(d.questions![0].name);
      return packet.encode({
        type: 'response', id: d.id, flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
        questions: d.questions, answers: [{ type: 'A', name: d.questions![0].name, ttl: 60, data: '192.0.2.1' }],
      });
    };
    before(async () => {
      // The upstream answers UDP and TCP on one port: the UDP socket picks a
      // free port, which TCP may have in use; then both try again elsewhere.
      for (let attempt = 1; ; attempt++) {
        upUdp = createSocket('udp4');
        upUdp.on('message', (m, r) => upUdp.send(answer(m), r.port, r.address));
        await new Promise<void>((res) => upUdp.bind(0, '127.0.0.1', res));
        upPort = upUdp.address().port;
        upTcp = createServer((s) => s.on('data', (d) => {
          const a = answer(d.subarray(2, 2 + d.readUInt16BE(0)));
          const f = Buffer.alloc(a.length + 2); f.writeUInt16BE(a.length); a.copy(f, 2); s.end(f);
        }));
        const tcp = upTcp;
        const listened = await new Promise<NodeJS.ErrnoException | undefined>((res) => {
          tcp.once('error', res);
          tcp.listen(upPort, '127.0.0.1', () => {
            tcp.off('error', res);
            res(undefined);
          });
        });
        if (!listened) break;
        upUdp.close();
        if (listened.code !== 'EADDRINUSE' || attempt >= 20) throw listened;
      }
      dns = new ClusterDns({
        udp, client: cluster(), listen: [{ host: '127.0.0.1', port: 0 }],
        // A dead upstream first: the query moves on to the next after the timeout.
        upstreams: ['127.0.0.1:9', `127.0.0.1:${upPort}`], upstreamTimeoutMs: 200,
      });
      await dns.start();
      await dns.waitForSync();
    });
    after(async () => {
      await dns.stop();
      upUdp.close();
      await new Promise((res) => upTcp.close(res));
    });

    test('out-of-zone names are forwarded over UDP and TCP; in-zone names never are', async () => {
      const port = dns.addresses()[0].port;
      for (const proto of ['+notcp', '+tcp']) {
        const r = await dig(port, 'www.example.com', 'A', [proto]);
        assert.equal(r.status, 'NOERROR');
        assert.ok(r.flags.includes('ra'));
        assert.deepEqual(r.answer.map((a) => a[4]), ['192.0.2.1']);
      }
      assert.equal((await dig(port, 'nope.default.svc.cluster.local')).status, 'NXDOMAIN');
      assert.equal((await dig(port, '9.9.9.10.in-addr.arpa', 'PTR')).answer[0]?.[4], '192.0.2.1', 'unknown reverse names fall through');
      assert.ok(!seen.some((n) => n.endsWith('cluster.local')));
    });

    test('an ExternalName answer carries its target resolved upstream', async () => {
      const port = dns.addresses()[0].port;
      for (const proto of ['+notcp', '+tcp']) {
        const r = await dig(port, 'Ext.default.svc.cluster.local', 'A', [proto]);
        assert.deepEqual(r.answer, [
          ['Ext.default.svc.cluster.local.', '5', 'IN', 'CNAME', 'example.com.'],
          ['example.com.', '60', 'IN', 'A', '192.0.2.1'],
        ]);
      }
      assert.ok(seen.includes('example.com'));
    });

    test('clients that are not on this host are refused', async () => {
      const r = await dns.resolveMessage(q('www.example.com'), { client: '203.0.113.9' });
      assert.equal(r && (r[3] & 0xf), 5);
      const local = await dns.resolveMessage(q('www.example.com', 'A', 99), { client: '127.0.0.1' });
      assert.equal(local?.readUInt16BE(0), 99, 'the reply carries the client ID');
    });

    test('its own address is never an upstream', async () => {
      const self = new ClusterDns({ udp, client: cluster(), listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
      await self.start();
      const p = self.addresses()[0].port;
      await self.stop();
      const loop = new ClusterDns({ udp, client: cluster(), listen: [{ host: '127.0.0.1', port: p }], upstreams: [`127.0.0.1:${p}`, '10.0.0.1'] });
      await loop.start();
      try {
        assert.deepEqual(loop.upstreams(), [{ host: '10.0.0.1', port: 53 }]);
      } finally {
        await loop.stop();
      }
    });
  });
}
