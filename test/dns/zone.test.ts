import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneIndex } from '../../src/dns/zone.js';
import { kubeDnsService } from '../../src/dns/kube-dns.js';
import { service, slice, pod } from './fixtures.js';

const Z = 'cluster.local';

test('a ClusterIP Service: A, SRV per named port, PTR, empty non-terminals', () => {
  const z = new ZoneIndex();
  z.upsertService(service('api', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 81 }] }));
  assert.deepEqual(z.lookup(`api.default.svc.${Z}`)?.a, ['10.96.0.20']);
  assert.deepEqual(z.lookup(`_http._tcp.api.default.svc.${Z}`)?.srv, [{ priority: 0, weight: 100, port: 80, target: `api.default.svc.${Z}` }]);
  assert.deepEqual(z.lookup('20.0.96.10.in-addr.arpa')?.ptr, [`api.default.svc.${Z}`]);
  for (const ent of [`_tcp.api.default.svc.${Z}`, `default.svc.${Z}`, `svc.${Z}`, `pod.${Z}`, Z]) assert.ok(z.lookup(ent), ent);
  assert.equal(z.lookup(`x.api.default.svc.${Z}`), undefined);
  z.deleteService(service('api'));
  assert.equal(z.lookup(`api.default.svc.${Z}`), undefined);
  assert.equal(z.lookup(`_tcp.api.default.svc.${Z}`), undefined);
  assert.equal(z.lookup('20.0.96.10.in-addr.arpa'), undefined);
  assert.ok(z.lookup(`svc.${Z}`), 'the apex subtrees stay');
});

test('a headless Service: one A per ready endpoint, hostnames, NXDOMAIN when none is ready', () => {
  const z = new ZoneIndex();
  z.upsertService(service('nginx'));
  assert.equal(z.lookup(`nginx.default.svc.${Z}`), undefined, 'no endpoints yet');
  assert.ok(z.lookup(`default.svc.${Z}`), 'the namespace exists');
  z.upsertSlice(slice('nginx', [
    { ip: '127.0.1.5', hostname: 'web-0' },
    { ip: '127.0.1.6', hostname: 'web-1', ready: null },
    { ip: '127.0.1.7', hostname: 'web-2', ready: false },
    { ip: '127.0.1.8' },
  ]));
  assert.deepEqual(z.lookup(`nginx.default.svc.${Z}`)?.a, ['127.0.1.5', '127.0.1.6', '127.0.1.8']);
  assert.deepEqual(z.lookup(`web-0.nginx.default.svc.${Z}`)?.a, ['127.0.1.5']);
  assert.deepEqual(z.lookup(`web-1.nginx.default.svc.${Z}`)?.a, ['127.0.1.6'], 'ready unset counts as ready');
  assert.equal(z.lookup(`web-2.nginx.default.svc.${Z}`), undefined, 'not ready');
  assert.deepEqual(z.lookup(`127-0-1-8.nginx.default.svc.${Z}`)?.a, ['127.0.1.8'], 'no hostname: the dashed IP');
  assert.deepEqual(z.lookup('5.1.0.127.in-addr.arpa')?.ptr, [`web-0.nginx.default.svc.${Z}`]);
  const srv = z.lookup(`_web._tcp.nginx.default.svc.${Z}`)?.srv ?? [];
  assert.deepEqual(srv.map((s) => [s.weight, s.port, s.target]), [
    [33, 8080, `web-0.nginx.default.svc.${Z}`], [33, 8080, `web-1.nginx.default.svc.${Z}`], [33, 8080, `127-0-1-8.nginx.default.svc.${Z}`],
  ]);
  // The pod is recreated with a new IP.
  z.upsertSlice(slice('nginx', [{ ip: '127.0.1.9', hostname: 'web-0' }]));
  assert.deepEqual(z.lookup(`web-0.nginx.default.svc.${Z}`)?.a, ['127.0.1.9']);
  assert.equal(z.lookup('5.1.0.127.in-addr.arpa'), undefined);
  z.upsertSlice(slice('nginx', [{ ip: '127.0.1.9', hostname: 'web-0', ready: false }]));
  assert.equal(z.lookup(`nginx.default.svc.${Z}`), undefined);
  z.deleteSlice(slice('nginx', []));
  z.upsertSlice(slice('nginx', [{ ip: '127.0.1.9', hostname: 'web-0' }], { name: 'other' }));
  assert.deepEqual(z.lookup(`nginx.default.svc.${Z}`)?.a, ['127.0.1.9'], 'several slices per service');
});

test('slices of a Service that does not exist yet count once it does', () => {
  const z = new ZoneIndex();
  z.upsertSlice(slice('late', [{ ip: '10.1.0.1', hostname: 'a' }]));
  assert.equal(z.lookup(`a.late.default.svc.${Z}`), undefined);
  z.upsertService(service('late'));
  assert.deepEqual(z.lookup(`a.late.default.svc.${Z}`)?.a, ['10.1.0.1']);
});

test('a slice relabelled to another Service moves', () => {
  const z = new ZoneIndex();
  z.upsertService(service('one'));
  z.upsertService(service('two'));
  const s = slice('one', [{ ip: '10.1.0.1', hostname: 'a' }], { name: 's' });
  z.upsertSlice(s);
  s.metadata!.labels!['kubernetes.io/service-name'] = 'two';
  z.upsertSlice(s);
  assert.equal(z.lookup(`a.one.default.svc.${Z}`), undefined);
  assert.ok(z.lookup(`a.two.default.svc.${Z}`));
});

test('IPv6 and dual-stack', () => {
  const z = new ZoneIndex();
  z.upsertService(service('dual', { clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30', 'fd00::30'] }));
  const r = z.lookup(`dual.default.svc.${Z}`)!;
  assert.deepEqual([r.a, r.aaaa], [['10.96.0.30'], ['fd00::30']]);
  z.upsertService(service('v6'));
  z.upsertSlice(slice('v6', [{ ip: 'fd00::5' }], { addressType: 'IPv6' }));
  assert.deepEqual(z.lookup(`fd00--5.v6.default.svc.${Z}`)?.aaaa, ['fd00::5']);
});

test('ExternalName is a CNAME; pods have dashed-IP names; the zone has its version', () => {
  const z = new ZoneIndex();
  z.upsertService(service('ext', { externalName: 'Example.COM.' }));
  assert.equal(z.lookup(`ext.default.svc.${Z}`)?.cname, 'example.com');
  z.upsertPod(pod('web-0', '127.0.1.5', 'prod'));
  assert.deepEqual(z.lookup(`127-0-1-5.prod.pod.${Z}`)?.a, ['127.0.1.5']);
  assert.ok(z.lookup(`prod.pod.${Z}`));
  z.deletePod(pod('web-0', '127.0.1.5', 'prod'));
  assert.equal(z.lookup(`127-0-1-5.prod.pod.${Z}`), undefined);
  assert.deepEqual(z.lookup(`dns-version.${Z}`)?.txt, ['1.1.0']);
  assert.equal(z.lookup(Z)?.soa, true);
});

test('the kube-dns Service names the zone nameserver', () => {
  const z = new ZoneIndex('Example.Test.');
  assert.equal(z.zone, 'example.test');
  z.upsertService(kubeDnsService());
  assert.deepEqual(z.lookup('ns.dns.example.test')?.a, ['10.96.0.10']);
  assert.deepEqual(z.lookup('kube-dns.kube-system.svc.example.test')?.a, ['10.96.0.10']);
  assert.equal(z.lookup('_dns._udp.kube-dns.kube-system.svc.example.test')?.srv[0].port, 53);
  assert.equal(z.lookup('_dns-tcp._tcp.kube-dns.kube-system.svc.example.test')?.srv[0].port, 53);
});

test('unchanged objects (informer resyncs) do not signal a change', () => {
  const z = new ZoneIndex();
  let changes = 0;
  z.onChange = () => changes++;
  z.upsertService(service('api', { clusterIP: '10.96.0.20' }));
  z.upsertService(service('api', { clusterIP: '10.96.0.20' }));
  assert.equal(changes, 1);
});

test('a pod resolv.conf under ClusterFirst', async () => {
  const { podResolvConf } = await import('../../src/dns/index.js');
  assert.equal(podResolvConf({ nameserver: '10.96.0.10', namespace: 'default', hostSearch: ['example.org', 'cluster.local'] }),
    'search default.svc.cluster.local svc.cluster.local cluster.local example.org\nnameserver 10.96.0.10\noptions ndots:5\n');
});
