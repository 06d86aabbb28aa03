// Micro-benchmark of the in-process answer path (parse, cache lookup,
// render) without sockets: how much of a query's cost is ours.
//   node --import tsx bench/dns/hotpath.ts
import packet from 'dns-packet';
import { ZoneIndex } from '../../src/dns/zone.js';
import { Responder } from '../../src/dns/responder.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { benchNames, benchObjects } from './fixture.js';

const zone = new ZoneIndex();
const objs = benchObjects();
for (const s of objs.services) zone.upsertService(s as Service);
for (const s of objs['endpointslices.discovery.k8s.io']) zone.upsertSlice(s as unknown as EndpointSlice);
const r = new Responder(zone, 5);
r.setSynced();
const queries = benchNames().map((n, i) => packet.encode({ type: 'query', id: i, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: n.name, class: 'IN' }] }));
let bytes = 0;
for (let round = 0; round < 5; round++) {
  const n = 1_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) bytes += (r.handle(queries[i % queries.length], false, '127.0.0.1') as Buffer).length;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`handle(): ${ns.toFixed(0)} ns per query`);
}
void bytes;
