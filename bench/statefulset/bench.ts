// StatefulSet controller benchmarks, in process over the memory API with the
// simulated node at zero delay:
//  - ordered: 0 -> 100 replicas under OrderedReady; total time until all are
//    Ready, and the controller's own time (wall time inside its syncs,
//    including the API calls they make) per ordinal. Target: 100 ordered pods
//    Ready within 1 s of controller time.
//  - many: 1,000 sets of 10 pods (10,000 pods); time until every pod is Ready
//    and peak RSS. Targets: < 60 s, < 2 GB.
// Run alone: node --import tsx bench/statefulset/bench.ts [ordered|many]
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { KObject } from '../../src/client/types.js';
import { createMemoryApi } from '../../src/testing/api.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import { StatefulSetController } from '../../src/controllers/statefulset/index.js';
import { discardEvents, EventRecorder } from '../../src/controllers/events.js';
import type { Section } from '../lib.js';

const ZERO = { schedule: 0, accept: 0, start: 0, ready: 0, terminate: 0, restart: 0 };

function set(name: string, replicas: number, namespace = 'default'): KObject {
  const spec: StatefulSet['spec'] = {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    podManagementPolicy: 'OrderedReady',
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'registry.k8s.io/nginx-slim:0.8', ports: [{ containerPort: 80, name: 'web' }] }] },
    },
  };
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace }, spec };
}

async function harness(opts: { events: boolean; workers?: number }) {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'bench-node', delays: ZERO, events: false, capacity: { pods: '20000' } });
  const recorder = opts.events ? new EventRecorder(api.client, { component: 'statefulset-controller' }) : discardEvents;
  const sts = new StatefulSetController({ client: api.client, recorder, workers: opts.workers });
  await node.start();
  await sts.start();
  return {
    api, node, sts,
    stop: () => { sts.stop(); node.stop(); api.stop(); },
  };
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, pollMs = 5): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface OrderedFigures {
  replicas: number;
  /** From the create of the set to every pod Running and Ready (wall clock). */
  totalMs: number;
  /** Wall time inside the controller's syncs (API calls included). */
  controllerMs: number;
  controllerMsPerOrdinal: number;
  syncs: number;
  /** Pods were created strictly in ordinal order, each after its predecessor was Ready. */
  ordered: boolean;
}

/** 0 -> `replicas` under OrderedReady with zero-delay readiness. */
export async function benchOrderedScaleUp(replicas = 100, opts: { events?: boolean } = {}): Promise<OrderedFigures> {
  const h = await harness({ events: opts.events ?? true });
  try {
    const created: string[] = [];
    let ordered = true;
    const readySeen = new Set<string>();
    const w = h.api.client.watch('pods', 'default', { resourceVersion: '' }, (ev) => {
      const p = ev.object as { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } };
      const name = p.metadata?.name ?? '';
      if (ev.type === 'ADDED') {
        const ord = Number(name.slice(name.lastIndexOf('-') + 1));
        if (ord > 0 && !readySeen.has(`web-${ord - 1}`)) ordered = false;
        created.push(name);
      }
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) readySeen.add(name);
    });
    const before = h.sts.stats();
    const t0 = performance.now();
    await h.api.client.create('statefulsets.apps', 'default', set('web', replicas));
    await until(async () => {
      const s = await h.api.client.get('statefulsets.apps', 'default', 'web');
      return ((s.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) === replicas;
    }, 120_000, 1);
    const totalMs = performance.now() - t0;
    w.stop();
    const after = h.sts.stats();
    const controllerMs = after.syncMs - before.syncMs;
    ordered &&= created.length === replicas && created.every((n, i) => n === `web-${i}`);
    return { replicas, totalMs, controllerMs, controllerMsPerOrdinal: controllerMs / replicas, syncs: after.syncs - before.syncs, ordered };
  } finally {
    h.stop();
  }
}

export interface ManyFigures {
  sets: number;
  podsPerSet: number;
  pods: number;
  /** From the first create to every pod Ready. */
  totalMs: number;
  peakRssBytes: number;
  controllerSyncs: number;
}

/** `sets` StatefulSets of `podsPerSet` pods each, created at once; time until all pods are Ready and peak RSS. */
export async function benchManySets(sets = 1000, podsPerSet = 10, opts: { events?: boolean; workers?: number } = {}): Promise<ManyFigures> {
  const h = await harness({ events: opts.events ?? true, workers: opts.workers });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  try {
    const t0 = performance.now();
    for (let i = 0; i < sets; i++) await h.api.client.create('statefulsets.apps', 'default', set(`s${i}`, podsPerSet));
    const total = sets * podsPerSet;
    await until(async () => {
      const list = await h.api.client.list('statefulsets.apps', 'default');
      let ready = 0;
      for (const s of list.items) ready += (s.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
      peak = Math.max(peak, process.memoryUsage().rss);
      return ready === total;
    }, 600_000, 200);
    const totalMs = performance.now() - t0;
    return { sets, podsPerSet, pods: total, totalMs, peakRssBytes: peak, controllerSyncs: h.sts.stats().syncs };
  } finally {
    clearInterval(sampler);
    h.stop();
  }
}

/** Both benchmarks as a section of bench/RESULTS.md. */
export async function runStatefulSetBench(opts: { only?: 'ordered' | 'many' } = {}): Promise<Section> {
  const rows: Section['rows'] = [];
  const notes: string[] = [
    'In process: memory API, simulated node with zero delays, events written. Controller time is the wall time spent inside syncs, the API calls they make included.',
  ];
  if (opts.only !== 'many') {
    const o = await benchOrderedScaleUp(100);
    rows.push(
      { metric: '0 -> 100 OrderedReady: all Ready (wall)', value: `${o.totalMs.toFixed(0)} ms` },
      { metric: '0 -> 100 OrderedReady: controller time', value: `${o.controllerMs.toFixed(0)} ms`, target: '<= 1000 ms', met: o.controllerMs <= 1000 },
      { metric: '0 -> 100 OrderedReady: controller time per ordinal', value: `${o.controllerMsPerOrdinal.toFixed(2)} ms (${(o.syncs / o.replicas).toFixed(1)} syncs)` },
      { metric: '0 -> 100 OrderedReady: created in order, each after its predecessor was Ready', value: String(o.ordered), target: 'true', met: o.ordered },
    );
  }
  if (opts.only !== 'ordered') {
    const m = await benchManySets(1000, 10);
    rows.push(
      { metric: '1,000 sets x 10 pods: all 10,000 Ready', value: `${(m.totalMs / 1000).toFixed(1)} s`, target: '< 60 s', met: m.totalMs < 60_000 },
      { metric: '1,000 sets x 10 pods: peak RSS', value: `${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`, target: '< 2048 MiB', met: m.peakRssBytes < 2 * 2 ** 30 },
      { metric: '1,000 sets x 10 pods: controller syncs', value: String(m.controllerSyncs) },
    );
  }
  return { title: 'StatefulSet controller', rows, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2] as 'ordered' | 'many' | undefined;
  const s = await runStatefulSetBench({ only });
  for (const r of s.rows) console.log(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'NOT met'})` : ''}`);
  process.exit(0);
}
