// Fuzzes the cluster DNS packet path with a million (or --cases N) random and
// mutated messages, in-process, against a zone with a few Services.
//   node --import tsx scripts/dns-fuzz.ts [--cases 1000000] [--seed 1]
// Exits non-zero on any crash or malformed reply.
import { ClusterDns } from '../src/dns/index.js';
import { FakeClient } from '../test/dns/fake-client.js';
import { service, slice, pod } from '../test/dns/fixtures.js';
import { runFuzz } from '../test/dns/fuzz-cases.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const cases = arg('cases', 1_000_000);
const seed = arg('seed', Date.now() % 1_000_000);
const client = new FakeClient();
client.put('services', service('nginx'));
client.put('endpointslices.discovery.k8s.io', slice('nginx', [{ ip: '127.0.1.5', hostname: 'web-0' }, { ip: '127.0.1.6', hostname: 'web-1' }]));
client.put('services', service('api', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
client.put('services', service('ext', { externalName: 'example.com' }));
client.put('services', service('big'));
client.put('endpointslices.discovery.k8s.io', slice('big', Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.0.${i}`, hostname: `big-${i}` }))));
client.put('pods', pod('web-0', '127.0.1.5'));

const dns = new ClusterDns({ client, listen: [], upstreams: [] });
await dns.start();
await dns.waitForSync();
const t0 = Date.now();
const r = await runFuzz(dns, seed, cases);
await dns.stop();
const secs = (Date.now() - t0) / 1000;
console.log(`dns fuzz: seed ${seed}, ${r.cases} cases in ${secs.toFixed(1)} s: ${r.replies} replies, ${r.dropped} dropped, ${r.failures.length} failures`);
for (const f of r.failures) console.log(`  ${f}`);
process.exit(r.failures.length || r.cases !== cases ? 1 : 0);
