// The endpoints and EndpointSlice controllers, run as one: for every Service
// with a selector, keep its core/v1 Endpoints and its discovery.k8s.io/v1
// EndpointSlices current with the pods it selects. Both are computed purely
// (endpoints.ts, slices.ts); this file wires informers, indexes and the queue,
// and writes only when something changed.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isStatusError } from '../../api/errors.js';
import { Informer, cacheKey } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { discardEvents, type Recorder } from '../events.js';
import { WorkQueue } from '../workqueue.js';
import { desiredEndpoints } from './endpoints.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, SLICE_CONTROLLER_NAME, isPodReady, selectorMatches } from './pods.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, reconcileSlices } from './slices.js';

export { desiredEndpoints, desiredSubsets } from './endpoints.js';
export { reconcileSlices, podToEndpoint } from './slices.js';

type K<T> = T & KObject;

export interface EndpointsControllerDeps {
  client: Client;
  /** Events about Services (failed writes); none by default. */
  recorder?: Recorder;
  maxEndpointsPerSlice?: number;
  workers?: number;
  /** Re-examine every Service this often (0 disables). */
  resyncMs?: number;
}

/** Label pairs `k=v` -> keys, per namespace: finds pods for a selector, or selectors for a pod, without scanning. */
class PairIndex {
  private readonly byNs = new Map<string, Map<string, Set<string>>>();

  add(ns: string, pairs: string[], key: string): void {
    let m = this.byNs.get(ns);
    if (!m) this.byNs.set(ns, (m = new Map()));
    for (const p of pairs) {
      let s = m.get(p);
      if (!s) m.set(p, (s = new Set()));
      s.add(key);
    }
  }

  remove(ns: string, pairs: string[], key: string): void {
    const m = this.byNs.get(ns);
    if (!m) return;
    for (const p of pairs) {
      const s = m.get(p);
      if (!s) continue;
      s.delete(key);
      if (!s.size) m.delete(p);
    }
  }

  get(ns: string, pair: string): Set<string> {
    return this.byNs.get(ns)?.get(pair) ?? new Set();
  }
}

const pairsOf = (labels: Record<string, string> | undefined) => Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
const nsName = (o: KObject) => ({ ns: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });

function rvNumber(o: KObject | undefined): number {
  const n = Number(o?.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : -1;
}

/**
 * The fresher of what the cache holds and what this controller last wrote;
 * once the cache has seen past the write, the cache (which also knows deletions).
 */
function newest<T extends KObject>(cached: T | undefined, written: T | undefined, cacheRV: string): T | undefined {
  if (!written) return cached;
  if (rvNumber(written) <= Number(cacheRV || -1)) return cached;
  if (!cached) return written;
  return rvNumber(written) > rvNumber(cached) ? written : cached;
}

export class EndpointsController {
  private readonly client: Client;
  private readonly recorder: Recorder;
  private readonly maxPerSlice: number;
  private readonly services: Informer<K<Service>>;
  private readonly pods: Informer<K<Pod>>;
  private readonly endpoints: Informer<K<Endpoints>>;
  private readonly slices: Informer<K<EndpointSlice>>;
  private readonly queue: WorkQueue;

  private readonly podIndex = new PairIndex();
  private readonly podsByNs = new Map<string, Set<string>>();
  /** Services by the first pair of their selector; services with an empty selector under ''. */
  private readonly serviceIndex = new PairIndex();
  private readonly indexedSelector = new Map<string, { ns: string; pair: string }>();
  private readonly slicesByService = new Map<string, Set<string>>();
  /** Objects this controller wrote that its caches may not have seen yet. */
  private readonly writtenEndpoints = new Map<string, K<Endpoints>>();
  private readonly writtenSlices = new Map<string, K<EndpointSlice>>();
  private readonly deletedSlices = new Set<string>();

  constructor(deps: EndpointsControllerDeps) {
    this.client = deps.client;
    this.recorder = deps.recorder ?? discardEvents;
    this.maxPerSlice = deps.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.services = new Informer(this.client, 'services', { resyncMs: deps.resyncMs ?? 300_000 });
    this.pods = new Informer(this.client, 'pods');
    this.endpoints = new Informer(this.client, 'endpoints');
    this.slices = new Informer(this.client, 'endpointslices.discovery.k8s.io', { labelSelector: `${LABEL_MANAGED_BY}=${SLICE_CONTROLLER_NAME}` });
    this.queue = new WorkQueue((key) => this.sync(key), { workers: deps.workers ?? 4 });
    this.wire();
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.pods.start(), this.endpoints.start(), this.slices.start()]);
    for (const s of this.services.list()) this.queue.add(cacheKey(s));
    // Endpoints left behind by Services deleted while we were not running.
    for (const e of this.endpoints.list()) this.queue.add(cacheKey(e));
  }

  stop(): void {
    this.queue.stop();
    this.services.stop();
    this.pods.stop();
    this.endpoints.stop();
    this.slices.stop();
  }

  /** Resolves when no Service is waiting to be synced (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ------------------------------------------------------------ event wiring

  private wire(): void {
    this.services.addHandlers({
      add: (s) => { this.indexService(s); this.queue.add(cacheKey(s)); },
      update: (_o, s) => { this.indexService(s); this.queue.add(cacheKey(s)); },
      delete: (s) => { this.unindexService(cacheKey(s)); this.queue.add(cacheKey(s)); },
    });
    this.pods.addHandlers({
      add: (p) => { this.indexPod(p, undefined); this.enqueueForPod(p); },
      update: (o, p) => {
        if (o.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        const labelsChanged = JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})
          || o.spec?.hostname !== p.spec?.hostname || o.spec?.subdomain !== p.spec?.subdomain;
        if (labelsChanged) this.indexPod(p, o);
        if (labelsChanged) this.enqueueForPod(o);
        if (labelsChanged || podEndpointsChanged(o, p)) this.enqueueForPod(p);
      },
      delete: (p) => { this.unindexPod(p); this.enqueueForPod(p); },
    });
    this.endpoints.addHandlers({
      update: (_o, e) => this.forgetWritten(this.writtenEndpoints, e),
      delete: (e) => { this.writtenEndpoints.delete(cacheKey(e)); this.queue.add(cacheKey(e)); },
    });
    this.slices.addHandlers({
      add: (s) => { this.indexSlice(s); this.forgetWritten(this.writtenSlices, s); this.enqueueForSlice(s); },
      update: (o, s) => {
        this.indexSlice(s);
        this.forgetWritten(this.writtenSlices, s);
        if (o.metadata?.resourceVersion !== s.metadata?.resourceVersion) this.enqueueForSlice(s);
      },
      delete: (s) => {
        const k = cacheKey(s);
        this.slicesByService.get(sliceServiceKey(s))?.delete(k);
        this.writtenSlices.delete(k);
        this.deletedSlices.delete(k);
        this.enqueueForSlice(s);
      },
    });
  }

  private forgetWritten<T extends KObject>(written: Map<string, T>, seen: T): void {
    const k = cacheKey(seen);
    const w = written.get(k);
    if (w && rvNumber(seen) >= rvNumber(w)) written.delete(k);
  }

  private indexService(s: K<Service>): void {
    const key = cacheKey(s);
    this.unindexService(key);
    const sel = s.spec?.selector;
    if (!sel) return;
    const { ns } = nsName(s);
    const first = pairsOf(sel).sort()[0] ?? '';
    this.serviceIndex.add(ns, [first], key);
    this.indexedSelector.set(key, { ns, pair: first });
  }

  private unindexService(key: string): void {
    const was = this.indexedSelector.get(key);
    if (!was) return;
    this.serviceIndex.remove(was.ns, [was.pair], key);
    this.indexedSelector.delete(key);
  }

  private indexPod(p: K<Pod>, old: K<Pod> | undefined): void {
    const { ns } = nsName(p);
    const key = cacheKey(p);
    if (old) this.podIndex.remove(ns, pairsOf(old.metadata?.labels), key);
    this.podIndex.add(ns, pairsOf(p.metadata?.labels), key);
    let all = this.podsByNs.get(ns);
    if (!all) this.podsByNs.set(ns, (all = new Set()));
    all.add(key);
  }

  private unindexPod(p: K<Pod>): void {
    const { ns } = nsName(p);
    const key = cacheKey(p);
    this.podIndex.remove(ns, pairsOf(p.metadata?.labels), key);
    this.podsByNs.get(ns)?.delete(key);
  }

  private indexSlice(s: K<EndpointSlice>): void {
    const k = sliceServiceKey(s);
    let set = this.slicesByService.get(k);
    if (!set) this.slicesByService.set(k, (set = new Set()));
    set.add(cacheKey(s));
  }

  /** Services whose selector selects this pod (candidates by label pair, then checked). */
  private enqueueForPod(p: K<Pod>): void {
    const { ns } = nsName(p);
    const candidates = new Set<string>(this.serviceIndex.get(ns, ''));
    for (const pair of pairsOf(p.metadata?.labels)) for (const k of this.serviceIndex.get(ns, pair)) candidates.add(k);
    for (const k of candidates) {
      const svc = this.services.get(ns, k.slice(ns.length + 1));
      if (svc && selectorMatches(svc.spec?.selector, p.metadata?.labels)) this.queue.add(k);
    }
  }

  private enqueueForSlice(s: K<EndpointSlice>): void {
    if (s.metadata?.labels?.[LABEL_SERVICE_NAME]) this.queue.add(sliceServiceKey(s));
  }

  // ------------------------------------------------------------ reading

  private podsFor(svc: K<Service>): Pod[] {
    const { ns } = nsName(svc);
    const sel = svc.spec?.selector;
    if (!sel) return [];
    const pairs = pairsOf(sel).sort();
    const keys = pairs.length ? this.podIndex.get(ns, pairs[0]) : (this.podsByNs.get(ns) ?? new Set<string>());
    const out: Pod[] = [];
    for (const k of keys) {
      const pod = this.pods.get(ns, k.slice(ns.length + 1));
      if (pod && selectorMatches(sel, pod.metadata?.labels)) out.push(pod);
    }
    return out;
  }

  private slicesFor(ns: string, name: string): K<EndpointSlice>[] {
    const keys = new Set(this.slicesByService.get(`${ns}/${name}`) ?? []);
    for (const [k, s] of this.writtenSlices) if (sliceServiceKey(s) === `${ns}/${name}`) keys.add(k);
    const out: K<EndpointSlice>[] = [];
    for (const k of keys) {
      if (this.deletedSlices.has(k)) continue;
      const s = newest(this.slices.get(ns, k.slice(ns.length + 1)), this.writtenSlices.get(k), this.slices.resourceVersion());
      if (s && s.metadata?.labels?.[LABEL_MANAGED_BY] === SLICE_CONTROLLER_NAME && s.metadata?.labels?.[LABEL_SERVICE_NAME] === name) out.push(s);
    }
    return out;
  }

  // ------------------------------------------------------------ reconcile

  private async sync(key: string): Promise<void> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const svc = this.services.get(ns, name);
    if (!svc) {
      // The Service is gone: its Endpoints go too (its slices go with the garbage collector).
      if (this.endpoints.get(ns, name) || this.writtenEndpoints.has(key)) {
        try {
          await this.client.delete('endpoints', ns, name);
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
        this.writtenEndpoints.delete(key);
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return;
    const pods = this.podsFor(svc);
    let firstErr: unknown;
    try {
      await this.syncEndpoints(svc, pods);
    } catch (e) {
      firstErr = e;
    }
    try {
      await this.syncSlices(svc, pods);
    } catch (e) {
      firstErr ??= e;
    }
    if (firstErr) throw firstErr;
  }

  private async syncEndpoints(svc: K<Service>, pods: Pod[]): Promise<void> {
    const key = cacheKey(svc);
    const { ns, name } = nsName(svc);
    const current = newest(this.endpoints.get(ns, name), this.writtenEndpoints.get(key), this.endpoints.resourceVersion());
    const next = desiredEndpoints(svc, pods, current);
    if (!next) return;
    try {
      const written = current
        ? await this.client.update<K<Endpoints>>('endpoints', ns, next as K<Endpoints>)
        : await this.client.create<K<Endpoints>>('endpoints', ns, next as K<Endpoints>);
      this.writtenEndpoints.set(key, written);
    } catch (e) {
      if (isStatusError(e, 'Forbidden') && !current) return; // namespace terminating
      if (current) this.recorder.event(next as K<Endpoints>, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${ns}/${name}: ${errText(e)}`);
      else this.recorder.event(next as K<Endpoints>, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${ns}/${name}: ${errText(e)}`);
      throw e;
    }
  }

  private async syncSlices(svc: K<Service>, pods: Pod[]): Promise<void> {
    const { ns, name } = nsName(svc);
    const plan = reconcileSlices(svc, pods, this.slicesFor(ns, name), this.maxPerSlice);
    // Creating slices for a Service being deleted would race the garbage collector.
    if (svc.metadata?.deletionTimestamp) plan.create = [];
    try {
      for (const s of plan.create) {
        const created = await this.client.create<K<EndpointSlice>>('endpointslices.discovery.k8s.io', ns, s as K<EndpointSlice>);
        this.writtenSlices.set(cacheKey(created), created);
      }
      for (const s of plan.update) {
        const updated = await this.client.update<K<EndpointSlice>>('endpointslices.discovery.k8s.io', ns, s as K<EndpointSlice>);
        this.writtenSlices.set(cacheKey(updated), updated);
      }
      for (const s of plan.delete) {
        const k = cacheKey(s as K<EndpointSlice>);
        try {
          await this.client.delete('endpointslices.discovery.k8s.io', ns, s.metadata!.name!);
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
        this.writtenSlices.delete(k);
        this.deletedSlices.add(k);
      }
    } catch (e) {
      if (isStatusError(e, 'Forbidden') && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
      this.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${ns}/${name}: ${errText(e)}`);
      throw e;
    }
  }
}

function sliceServiceKey(s: KObject): string {
  return `${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ''}`;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A pod change that can change its endpoint: deletion started, readiness, or addresses. */
function podEndpointsChanged(o: Pod, p: Pod): boolean {
  if ((o.metadata?.deletionTimestamp ?? '') !== (p.metadata?.deletionTimestamp ?? '')) return true;
  if (isPodReady(o) !== isPodReady(p)) return true;
  if ((o.status?.phase ?? '') !== (p.status?.phase ?? '')) return true;
  if ((o.spec?.nodeName ?? '') !== (p.spec?.nodeName ?? '')) return true;
  const a = (o.status?.podIPs ?? []).map((x) => x.ip).join(',') + '|' + (o.status?.podIP ?? '');
  const b = (p.status?.podIPs ?? []).map((x) => x.ip).join(',') + '|' + (p.status?.podIP ?? '');
  return a !== b;
}
