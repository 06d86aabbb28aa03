// The disruption controller (pkg/controller/disruption): keeps every
// PodDisruptionBudget's status current (expected pods from the owning
// controllers' scale, healthy pods, disruptions allowed, the DisruptionAllowed
// condition) so that the eviction subresource can decide from it, drops the
// disruptions it recorded once their pods are seen deleting, and resets
// DisruptionTarget conditions left on pods that were never deleted.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { keyOf, resourceByKind } from '../../api/resources.js';
import { isStatusError } from '../../api/errors.js';
import { budgetSelects } from '../../api/poddisruptionbudget.js';
import { rfc3339 } from '../../api/time.js';
import { Informer, cacheKey } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { EventRecorder, type Recorder } from '../events.js';
import { WorkQueue, type ReconcileResult } from '../workqueue.js';
import {
  buildDisruptedPodMap, countHealthyPods, expectedPodCount, failSafeStatus, labelSelectorString, nextStatus, staleDisruptionWait,
  type ControllerScale,
} from './budget.js';

type K<T> = T & KObject;

const PDBS = 'poddisruptionbudgets.policy';

export interface DisruptionControllerOptions {
  client: Client;
  /** Events about budgets and pods (source `controllermanager`, as kube-controller-manager's). */
  recorder?: Recorder;
  now?: () => Date;
  /** Re-examines every budget this often (default 30 s; 0 disables). */
  resyncMs?: number;
  log?: (line: string) => void;
}

export class DisruptionController {
  private readonly client: Client;
  private readonly recorder: Recorder;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private readonly pdbs: Informer<K<PodDisruptionBudget>>;
  private readonly pods: Informer<K<Pod>>;
  private readonly sets: Informer<K<StatefulSet>>;
  private readonly queue: WorkQueue;
  private readonly staleQueue: WorkQueue;

  constructor(opts: DisruptionControllerOptions) {
    this.client = opts.client;
    this.recorder = opts.recorder ?? new EventRecorder(opts.client, { component: 'controllermanager' });
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => {});
    this.pdbs = new Informer(opts.client, PDBS, { resyncMs: opts.resyncMs ?? 30_000 });
    this.pods = new Informer(opts.client, 'pods');
    this.sets = new Informer(opts.client, 'statefulsets.apps');
    this.queue = new WorkQueue((key) => this.sync(key), {
      baseDelayMs: 5, maxDelayMs: 60_000,
      // A conflict (an eviction wrote the status meanwhile) is routine: retried quietly.
      onError: (key, e) => { if (!isStatusError(e, 'Conflict')) this.log(`Error syncing PodDisruptionBudget ${key}, requeuing: ${(e as Error).message}`); },
    });
    this.staleQueue = new WorkQueue((key) => this.syncStalePodDisruption(key), { baseDelayMs: 5, maxDelayMs: 60_000 });
    this.pdbs.addHandlers({
      add: (p) => this.queue.add(cacheKey(p)),
      update: (_o, p) => this.queue.add(cacheKey(p)),
      delete: (p) => this.queue.add(cacheKey(p)),
    });
    this.pods.addHandlers({
      add: (p) => this.podChanged(p),
      update: (_o, p) => this.podChanged(p),
      delete: (p) => this.podChanged(p, true),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start()]);
    await this.pdbs.start();
  }

  stop(): void {
    this.queue.stop();
    this.staleQueue.stop();
    this.pdbs.stop();
    this.pods.stop();
    this.sets.stop();
  }

  /** Resolves when no budget is waiting to be synced (for tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ------------------------------------------------------------ events

  private podChanged(pod: K<Pod>, deleted = false): void {
    const budgets = this.budgetsFor(pod);
    // A pod under several budgets: each budget is recomputed; the eviction
    // subresource refuses such a pod (500), which this warning explains.
    if (budgets.length > 1 && !deleted) {
      const msg = `Pod ${JSON.stringify(pod.metadata?.namespace)}/${JSON.stringify(pod.metadata?.name)} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(budgets[0].metadata?.name)} arbitrarily.`;
      this.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    for (const b of budgets) this.queue.add(cacheKey(b));
    if (!deleted && staleDisruptionWait(pod, this.now().getTime()) !== undefined) {
      this.staleQueue.addAfter(cacheKey(pod), staleDisruptionWait(pod, this.now().getTime())!);
    }
  }

  private budgetsFor(pod: Pod): K<PodDisruptionBudget>[] {
    return this.pdbs.list(pod.metadata?.namespace).filter((b) => budgetSelects(b, pod));
  }

  private podsFor(pdb: PodDisruptionBudget): K<Pod>[] {
    return this.pods.list(pdb.metadata?.namespace).filter((p) => budgetSelects(pdb, p));
  }

  // ------------------------------------------------------------ sync

  private async sync(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = key.split('/');
    const pdb = this.pdbs.get(ns, name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (e) {
      // A conflict means newer data: sync again (with backoff), not fail safe.
      if (isStatusError(e, 'Conflict')) throw e;
      this.log(`Failed to sync PDB ${key}: ${(e as Error).message}`);
      await this.writeStatus(pdb, failSafeStatus(pdb, e, this.now()));
    }
  }

  private async trySync(pdb: K<PodDisruptionBudget>): Promise<ReconcileResult | void> {
    const pods = this.podsFor(pdb);
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts;
    try {
      counts = await expectedPodCount(pdb, pods, (ref, ns) => this.findScale(ref, ns));
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
      throw e;
    }
    if (counts.unmanagedPods.length) {
      this.recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorString(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    const now = this.now();
    const disrupted = buildDisruptedPodMap(pods, pdb, now.getTime());
    for (const pod of disrupted.notDeleted) {
      this.recorder.event(pod as K<Pod>, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted.disruptedPods, now.getTime());
    const status = nextStatus(pdb, currentHealthy, counts.desiredHealthy, counts.expectedCount, disrupted.disruptedPods, now);
    if (status) await this.writeStatus(pdb, status);
    if (disrupted.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAt - now.getTime()) };
  }

  private async writeStatus(pdb: K<PodDisruptionBudget>, status: object): Promise<void> {
    await this.client.update<K<PodDisruptionBudget>>(PDBS, pdb.metadata?.namespace, { ...pdb, status } as K<PodDisruptionBudget>, { subresource: 'status' });
  }

  /**
   * The finders: a StatefulSet from the cache (its spec.replicas), anything
   * else through its scale subresource, as the RESTMapper and scale client do.
   */
  private async findScale(ref: OwnerReference, ns: string): Promise<ControllerScale | undefined> {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    if (ref.kind === 'StatefulSet' && group === 'apps') {
      const set = this.sets.get(ns, ref.name);
      if (!set || set.metadata?.uid !== ref.uid) return undefined;
      return { uid: set.metadata!.uid!, scale: set.spec?.replicas ?? 1 };
    }
    const ri = resourceByKind(ref.apiVersion, ref.kind);
    if (!ri) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion)}`);
    if (!ri.subresources.some((s) => s.name === 'scale')) throw new Error(`${keyOf(ri)} does not implement the scale subresource`);
    let scale: KObject;
    try {
      scale = await this.client.get(keyOf(ri), ns, ref.name, { subresource: 'scale' });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: (scale.spec as { replicas?: number } | undefined)?.replicas ?? 0 };
  }

  // ------------------------------------------------------------ stale DisruptionTarget

  /** syncStalePodDisruption: DisruptionTarget=True on a pod that was not deleted in time becomes False. */
  private async syncStalePodDisruption(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = key.split('/');
    const pod = this.pods.get(ns, name);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, this.now().getTime());
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfterMs: wait };
    const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'DisruptionTarget'
      ? { type: 'DisruptionTarget', status: 'False', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(this.now()) }
      : c));
    await this.client.update<K<Pod>>('pods', ns, { ...pod, status: { ...pod.status, conditions } }, { subresource: 'status' });
  }
}
