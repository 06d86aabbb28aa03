// The simulated node (`ordinal serve --runtime simulated`): a kubelet and a
// scheduler stand-in in the manner of kwok's stages. It registers one Node,
// binds unscheduled pods to it, and moves each pod through ContainerCreating
// to Running and Ready, stops and removes deleted pods, and lets tests crash
// containers, fail pods or flip readiness. No processes run; every change is
// an API write a real kubelet would make, with the kubelet's events.
//
// Each pod's next step is derived from its status alone (level-triggered), so
// a restart resumes where the API says the pod is. Pending steps sit in one
// timeline (one timer), and writes go out through a bounded pool.
import { hostname } from 'node:os';
import type { Node, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isStatusError } from '../../api/errors.js';
import { Informer, cacheKey } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { EventRecorder, discardEvents, type Recorder } from '../../controllers/events.js';
import { LoopbackPool } from './ippool.js';
import { NodeLease } from '../lease.js';
import { ANNOTATION_SELECTED_NODE, bindPod, claimNames, isOurs, podFitsNode, schedulingFingerprint } from './scheduler.js';
import {
  crashedStatus, creatingStatus, hasReadinessProbe, nodeObject, restartedStatus, runningStatus, stageOf, stoppedStatus,
} from './status.js';
import { Timeline, realClock, type Clock } from './timeline.js';

export { FakeClock, realClock, type Clock } from './timeline.js';
export { stageOf } from './status.js';

type K<T> = T & KObject;

export interface SimulatedDelays {
  /** An unscheduled pod is seen -> it is bound to the node. */
  schedule: number;
  /** Bound -> ContainerCreating is reported. */
  accept: number;
  /** ContainerCreating -> Running. */
  start: number;
  /** Running -> Ready, for pods with a readiness probe (others are Ready when Running). */
  ready: number;
  /** Deletion seen -> containers stopped and the pod removed (never longer than its grace period). */
  terminate: number;
  /** A container exited -> it is restarted (the first time; a crash loop backs off from `backoff`). */
  restart: number;
  /** First CrashLoopBackOff delay; doubles per restart up to five minutes, as the kubelet's. */
  backoff: number;
  /**
   * How long a pod may not fit before FailedScheduling is reported, so a claim
   * that is being provisioned right now leaves no warning behind.
   */
  reportUnschedulable: number;
}

export const DEFAULT_DELAYS: SimulatedDelays = {
  schedule: 0, accept: 0, start: 200, ready: 0, terminate: 100, restart: 0, backoff: 10_000, reportUnschedulable: 1000,
};
const MAX_BACKOFF = 300_000;

export interface SimulatedNodeDeps {
  client: Client;
  /** Defaults to this machine's host name. */
  nodeName?: string;
  /** The node's InternalIP and every pod's hostIP. */
  nodeIP?: string;
  clock?: Clock;
  delays?: Partial<SimulatedDelays>;
  /** Per-pod overrides (slow pods, deterministic simulations). */
  delaysFor?: (pod: Pod) => Partial<SimulatedDelays> | undefined;
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  /** Write kubelet and scheduler events (default true). */
  events?: boolean;
  /** Also act as the scheduler for pods that ask for default-scheduler (default true). */
  schedule?: boolean;
  /** How often the Node's conditions are refreshed (default 5 minutes, as the kubelet's report frequency). */
  heartbeatMs?: number;
  /** API writes in flight at most. */
  concurrency?: number;
  /** Renew the node's heartbeat Lease in kube-node-lease every 10 s of the clock (default true). */
  nodeLease?: boolean;
}

type Step = 'bind' | 'accept' | 'start' | 'ready' | 'unready' | 'restart' | 'terminate' | 'delete' | 'examine';

interface Due {
  key: string;
  uid: string;
  step: Step;
}

interface Memo {
  uid: string;
  planned?: Step;
  /** Readiness forced off (setReady(false)). */
  notReady?: boolean;
  /** Keep crashing on every restart, backing off. */
  crashLoop?: { exitCode: number };
  /** How long the current CrashLoopBackOff lasts, and the next one. */
  wait?: number;
  nextBackoff?: number;
  /** Last FailedScheduling message, so it is not repeated for every retry. */
  unschedulable?: string;
  unschedulableSince?: number;
  killingSent?: boolean;
}

export class SimulatedNode {
  readonly nodeName: string;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly delays: SimulatedDelays;
  private readonly delaysFor?: (pod: Pod) => Partial<SimulatedDelays> | undefined;
  private readonly nodeIP: string;
  private readonly capacity: Record<string, string>;
  private readonly labels: Record<string, string>;
  private readonly scheduling: boolean;
  private readonly heartbeatMs: number;
  private readonly kubelet: Recorder;
  private readonly scheduler: Recorder;
  private readonly pods: Informer<K<Pod>>;
  private readonly claims?: Informer<K<PersistentVolumeClaim>>;
  private readonly classes?: Informer<K<StorageClass>>;
  /** This node's own object: `kubectl cordon`, `uncordon` and label changes decide where pods fit. */
  private readonly ownNode?: Informer<K<Node>>;
  private nodeFit = '';
  private readonly timeline: Timeline<Due>;
  private readonly pool = new LoopbackPool();
  private readonly memos = new Map<string, Memo>();
  /**
   * Uids of deleted pods this node is done with whose objects are still
   * listed (their removal held for a client that read them, or finalizers):
   * their updates start nothing until DELETED, as with the real node agent.
   */
  private readonly finished = new Set<string>();
  /** ns/claim -> pods waiting for it to be scheduled. */
  private readonly waitingOnClaim = new Map<string, Set<string>>();
  private node?: Node;
  private heartbeat?: unknown;
  private readonly lease?: NodeLease;
  private stopped = false;
  private readonly limit: number;
  private inFlight = 0;
  private readonly runQueue: Due[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(deps: SimulatedNodeDeps) {
    this.client = deps.client;
    this.clock = deps.clock ?? realClock;
    this.nodeName = deps.nodeName ?? (hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'ordinal');
    this.nodeIP = deps.nodeIP ?? '127.0.0.1';
    this.delays = { ...DEFAULT_DELAYS, ...(deps.delays ?? {}) };
    this.delaysFor = deps.delaysFor;
    this.capacity = { cpu: '32', 'ephemeral-storage': '100Gi', memory: '256Gi', pods: '10000', ...(deps.capacity ?? {}) };
    this.labels = deps.labels ?? {};
    this.scheduling = deps.schedule ?? true;
    this.heartbeatMs = deps.heartbeatMs ?? 300_000;
    this.limit = deps.concurrency ?? 64;
    const now = () => new Date(this.clock.now());
    const events = deps.events ?? true;
    this.kubelet = events ? new EventRecorder(this.client, { component: 'kubelet', host: this.nodeName }, now) : discardEvents;
    this.scheduler = events ? new EventRecorder(this.client, { component: 'default-scheduler' }, now) : discardEvents;
    this.pods = new Informer(this.client, 'pods');
    if (this.scheduling) {
      this.claims = new Informer(this.client, 'persistentvolumeclaims');
      this.classes = new Informer(this.client, 'storageclasses.storage.k8s.io');
      this.ownNode = new Informer(this.client, 'nodes', { fieldSelector: `metadata.name=${this.nodeName}` });
    }
    this.timeline = new Timeline(this.clock, (due) => this.enqueue(due));
    if (deps.nodeLease ?? true) this.lease = new NodeLease({ client: this.client, nodeName: this.nodeName, clock: this.clock });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.registerNode();
    await this.lease?.start();
    this.pods.addHandlers({
      add: (p) => this.examine(p),
      update: (_o, p) => this.examine(p),
      delete: (p) => this.forget(p),
    });
    this.claims?.addHandlers({
      add: (c) => this.claimChanged(c),
      update: (_o, c) => this.claimChanged(c),
      delete: (c) => this.claimChanged(c),
    });
    this.ownNode?.addHandlers({ add: (n) => this.nodeChanged(n), update: (_o, n) => this.nodeChanged(n) });
    await Promise.all([this.claims?.start(), this.classes?.start(), this.ownNode?.start()]);
    await this.pods.start();
    for (const p of this.pods.list()) {
      if (p.spec?.nodeName === this.nodeName && p.status?.podIP) this.pool.reserve(p.status.podIP);
    }
    this.scheduleHeartbeat();
  }

  stop(): void {
    this.stopped = true;
    this.timeline.stop();
    if (this.heartbeat !== undefined) this.clock.clearTimeout(this.heartbeat);
    void this.lease?.stop();
    this.pods.stop();
    this.claims?.stop();
    this.classes?.stop();
    this.ownNode?.stop();
    this.runQueue.length = 0;
    this.finished.clear();
  }

  /** Resolves when no step is running or waiting to run now (future steps may remain). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.runQueue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Pod addresses handed out and not yet released. */
  addressesInUse(): number {
    return this.pool.inUse();
  }

  // ------------------------------------------------------------ fault injection

  /**
   * A container of a running pod exits (default: the first container, exit
   * code 1). It is restarted per the pod's restartPolicy; with `loop` it keeps
   * crashing (CrashLoopBackOff, backing off) until recover().
   */
  async crash(namespace: string, name: string, opts: { container?: string; exitCode?: number; loop?: boolean } = {}): Promise<void> {
    const pod = this.mustGet(namespace, name);
    const memo = this.memo(pod);
    const container = opts.container ?? pod.spec?.containers?.[0]?.name ?? '';
    const exitCode = opts.exitCode ?? 1;
    if (opts.loop) memo.crashLoop = { exitCode };
    await this.writeStatus(pod, crashedStatus(pod, container, exitCode, this.clock.now()));
  }

  /** Ends a crash loop: the next restart succeeds. */
  recover(namespace: string, name: string): void {
    const pod = this.mustGet(namespace, name);
    const memo = this.memo(pod);
    delete memo.crashLoop;
    delete memo.nextBackoff;
  }

  /** The whole pod fails (phase Failed), as after an eviction or a node problem. */
  async fail(namespace: string, name: string, opts: { reason?: string; message?: string; exitCode?: number } = {}): Promise<void> {
    const pod = this.mustGet(namespace, name);
    await this.writeStatus(pod, stoppedStatus(pod, this.clock.now(), opts.exitCode ?? 1, opts.reason, opts.message));
  }

  /** Readiness checks start failing (false) or passing again (true). */
  setReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.mustGet(namespace, name);
    const memo = this.memo(pod);
    memo.notReady = !ready;
    this.examine(pod);
  }

  // ------------------------------------------------------------ node

  private async registerNode(): Promise<void> {
    let prev: K<Node> | undefined;
    try {
      prev = await this.client.get<K<Node>>('nodes', undefined, this.nodeName);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    const want = nodeObject({ name: this.nodeName, ip: this.nodeIP, capacity: this.capacity, labels: this.labels, now: this.clock.now() }, prev);
    if (!prev) {
      this.node = await this.client.create<K<Node>>('nodes', undefined, want as K<Node>);
      return;
    }
    const meta = { ...want.metadata, resourceVersion: prev.metadata?.resourceVersion };
    const updated = await this.client.update<K<Node>>('nodes', undefined, { ...(want as K<Node>), metadata: meta });
    this.node = await this.client.update<K<Node>>('nodes', undefined, { ...updated, status: want.status }, { subresource: 'status' });
  }

  private scheduleHeartbeat(): void {
    if (this.stopped || !this.heartbeatMs) return;
    this.heartbeat = this.clock.setTimeout(() => {
      void this.registerNode().catch(() => undefined).finally(() => this.scheduleHeartbeat());
    }, this.heartbeatMs);
  }

  // ------------------------------------------------------------ deciding

  private delay(pod: Pod, which: keyof SimulatedDelays): number {
    const o = this.delaysFor?.(pod)?.[which];
    return Math.max(0, o ?? this.delays[which]);
  }

  private memo(pod: Pod): Memo {
    const key = cacheKey(pod as KObject);
    const uid = pod.metadata?.uid ?? '';
    let m = this.memos.get(key);
    if (!m || m.uid !== uid) this.memos.set(key, (m = { uid }));
    return m;
  }

  private forget(pod: K<Pod>): void {
    const key = cacheKey(pod);
    const m = this.memos.get(key);
    if (m && m.uid === pod.metadata?.uid) this.memos.delete(key);
    this.finished.delete(pod.metadata?.uid ?? '');
    if (pod.spec?.nodeName === this.nodeName) this.pool.release(pod.status?.podIP);
    for (const c of claimNames(pod)) this.waitingOnClaim.get(`${pod.metadata?.namespace}/${c}`)?.delete(key);
  }

  private plan(pod: Pod, step: Step, ms: number): void {
    const memo = this.memo(pod);
    if (memo.planned === step) return;
    memo.planned = step;
    this.timeline.after(ms, { key: cacheKey(pod as KObject), uid: memo.uid, step });
  }

  /** Decides the pod's next step from what the API says about it. */
  private examine(pod: K<Pod>): void {
    if (this.stopped || this.finished.has(pod.metadata?.uid ?? '')) return;
    const stage = stageOf(pod, this.nodeName);
    switch (stage) {
      case 'unscheduled':
        if (this.scheduling && isOurs(pod)) this.plan(pod, 'bind', this.delay(pod, 'schedule'));
        return;
      case 'foreign':
      case 'finished':
        return;
      case 'bound':
        return this.plan(pod, 'accept', this.delay(pod, 'accept'));
      case 'creating':
        return this.plan(pod, 'start', this.delay(pod, 'start'));
      case 'running': {
        if (pod.status?.podIP) this.pool.reserve(pod.status.podIP);
        const memo = this.memo(pod);
        const ready = (pod.status?.containerStatuses ?? []).every((c) => c.ready);
        if (!ready && !memo.notReady) this.plan(pod, 'ready', hasReadinessProbe(pod) ? this.delay(pod, 'ready') : 0);
        else if (ready && memo.notReady) this.plan(pod, 'unready', 0);
        return;
      }
      case 'crashed': {
        const memo = this.memo(pod);
        const ms = memo.wait ?? this.delay(pod, 'restart');
        return this.plan(pod, 'restart', ms);
      }
      case 'terminating': {
        const memo = this.memo(pod);
        if (!memo.killingSent) {
          memo.killingSent = true;
          for (const c of pod.status?.containerStatuses ?? []) {
            if (c.state?.running) this.kubelet.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, { fieldPath: `spec.containers{${c.name}}` });
          }
        }
        const phase = pod.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed') return this.plan(pod, 'delete', 0);
        const grace = (pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000;
        return this.plan(pod, 'terminate', Math.min(grace, this.delay(pod, 'terminate')));
      }
    }
  }

  /** A cordon, uncordon or relabel by a user: pods waiting to be scheduled are examined again. */
  private nodeChanged(node: K<Node>): void {
    this.node = node;
    const fit = schedulingFingerprint(node);
    if (fit === this.nodeFit) return;
    this.nodeFit = fit;
    for (const pod of this.pods.list()) {
      if (isOurs(pod)) this.bindAgain(pod);
    }
  }

  private claimChanged(c: K<PersistentVolumeClaim>): void {
    const waiting = this.waitingOnClaim.get(cacheKey(c));
    if (!waiting) return;
    for (const key of waiting) {
      const i = key.indexOf('/');
      const pod = this.pods.get(key.slice(0, i), key.slice(i + 1));
      if (pod) this.bindAgain(pod);
    }
  }

  /** An unscheduled pod is tried again now, even if a later retry is already planned. */
  private bindAgain(pod: K<Pod>): void {
    if (stageOf(pod, this.nodeName) !== 'unscheduled') return;
    this.timeline.after(this.delay(pod, 'schedule'), { key: cacheKey(pod), uid: pod.metadata?.uid ?? '', step: 'bind' });
  }

  // ------------------------------------------------------------ acting

  private enqueue(due: Due[]): void {
    this.runQueue.push(...due);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.limit && this.runQueue.length) {
      const d = this.runQueue.shift()!;
      this.inFlight++;
      void this.run(d).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (this.inFlight === 0 && this.runQueue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(d: Due): Promise<void> {
    const i = d.key.indexOf('/');
    const pod = this.pods.get(d.key.slice(0, i), d.key.slice(i + 1));
    if (!pod || pod.metadata?.uid !== d.uid || this.finished.has(d.uid)) return;
    const memo = this.memo(pod);
    if (memo.planned === d.step) memo.planned = undefined;
    try {
      await this.act(pod, memo, d.step);
    } catch (e) {
      if (this.stopped || isStatusError(e, 'NotFound')) return;
      // Conflict (the cache was behind) or a transient failure: look again shortly.
      memo.planned = 'examine';
      this.timeline.after(isStatusError(e, 'Conflict') ? 10 : 1000, { key: d.key, uid: d.uid, step: 'examine' });
    }
  }

  private async act(pod: K<Pod>, memo: Memo, step: Step): Promise<void> {
    const stage = stageOf(pod, this.nodeName);
    const now = this.clock.now();
    switch (step) {
      case 'examine':
        return this.examine(pod);
      case 'bind':
        if (stage === 'unscheduled' && isOurs(pod)) await this.bind(pod, memo);
        return;
      case 'accept':
        if (stage === 'bound') await this.writeStatus(pod, creatingStatus(pod, this.nodeIP, now));
        return;
      case 'start': {
        if (stage !== 'creating') return this.examine(pod);
        const ip = pod.status?.podIP ?? this.pool.allocate();
        const ready = !hasReadinessProbe(pod) && !memo.notReady;
        try {
          await this.writeStatus(pod, runningStatus(pod, this.nodeIP, ip, now, ready));
        } catch (e) {
          if (!pod.status?.podIP) this.pool.release(ip);
          throw e;
        }
        for (const c of [...(pod.spec?.initContainers ?? []).map((x) => ({ c: x, f: 'initContainers' })), ...(pod.spec?.containers ?? []).map((x) => ({ c: x, f: 'containers' }))]) {
          this.startEvents(pod, c.c.name, c.c.image ?? '', `spec.${c.f}{${c.c.name}}`);
        }
        return;
      }
      case 'ready':
      case 'unready': {
        if (stage !== 'running') return this.examine(pod);
        const want = step === 'ready' && !memo.notReady;
        if (!want && step === 'unready') {
          const c = pod.spec?.containers?.[0]?.name ?? '';
          this.kubelet.event(pod, 'Warning', 'Unhealthy', 'Readiness probe failed: simulated failure', { fieldPath: `spec.containers{${c}}` });
        }
        await this.writeStatus(pod, runningStatus(pod, this.nodeIP, pod.status?.podIP ?? this.pool.allocate(), now, want));
        return;
      }
      case 'restart':
        if (stage === 'crashed') await this.restart(pod, memo, now);
        return;
      case 'terminate':
        if (stage !== 'terminating') return;
        if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
          pod = await this.writeStatus(pod, stoppedStatus(pod, now, 0));
        }
        await this.deletePod(pod);
        return;
      case 'delete':
        if (stage === 'terminating') await this.deletePod(pod);
        return;
    }
  }

  private async bind(pod: K<Pod>, memo: Memo): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const key = cacheKey(pod);
    const claims = claimNames(pod);
    for (const c of claims) {
      const k = `${ns}/${c}`;
      let s = this.waitingOnClaim.get(k);
      if (!s) this.waitingOnClaim.set(k, (s = new Set()));
      s.add(key);
    }
    const fit = podFitsNode(pod, this.node ?? {}, (n) => this.claims?.get(ns, n), (n) => this.classes?.get(undefined, n));
    if (!fit.fits) {
      if ('message' in fit) {
        const now = this.clock.now();
        memo.unschedulableSince ??= now;
        const wait = memo.unschedulableSince + this.delay(pod, 'reportUnschedulable') - now;
        if (wait > 0) this.plan(pod, 'bind', wait);
        else if (memo.unschedulable !== fit.message) {
          memo.unschedulable = fit.message;
          this.scheduler.event(pod, 'Warning', 'FailedScheduling', fit.message);
        }
      } else {
        // WaitForFirstConsumer: choose our node for the claims; binding follows once they are provisioned.
        for (const c of fit.waitForClaims) {
          const pvc = this.claims?.get(ns, c);
          if (pvc && pvc.metadata?.annotations?.[ANNOTATION_SELECTED_NODE] !== this.nodeName) {
            await this.client.patch('persistentvolumeclaims', ns, c, 'merge', { metadata: { annotations: { [ANNOTATION_SELECTED_NODE]: this.nodeName } } });
          }
        }
      }
      return; // re-examined when a claim changes
    }
    for (const c of claims) this.waitingOnClaim.get(`${ns}/${c}`)?.delete(key);
    await bindPod(this.client, pod, this.nodeName);
    delete memo.unschedulable;
    delete memo.unschedulableSince;
    this.scheduler.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata?.name} to ${this.nodeName}`);
  }

  private async restart(pod: K<Pod>, memo: Memo, now: number): Promise<void> {
    const crashed = (pod.status?.containerStatuses ?? []).find((c) => c.state?.terminated || c.state?.waiting);
    if (!crashed) return;
    const exitCode = crashed.state?.terminated?.exitCode ?? crashed.lastState?.terminated?.exitCode ?? 1;
    const policy = pod.spec?.restartPolicy ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) {
      await this.writeStatus(pod, stoppedStatus(pod, now, exitCode));
      return;
    }
    const spec = pod.spec?.containers?.find((c) => c.name === crashed.name);
    const fieldPath = `spec.containers{${crashed.name}}`;
    if (memo.crashLoop) {
      // It starts and dies again at once: back off, doubling, as the kubelet does.
      const backoff = memo.nextBackoff ?? this.delay(pod, 'backoff');
      memo.wait = backoff;
      memo.nextBackoff = Math.min(MAX_BACKOFF, backoff * 2);
      const restarted = { ...pod, status: restartedStatus(pod, this.nodeIP, pod.status?.podIP ?? this.pool.allocate(), crashed.name, now, false) } as K<Pod>;
      const who = `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
      const msg = `back-off ${formatBackoff(backoff)} restarting failed container=${crashed.name} pod=${who}`;
      this.startEvents(pod, crashed.name, spec?.image ?? '', fieldPath);
      await this.writeStatus(pod, crashedStatus(restarted, crashed.name, memo.crashLoop.exitCode, now, msg));
      this.kubelet.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${crashed.name} in pod ${who}`, { fieldPath });
      return;
    }
    delete memo.wait;
    delete memo.nextBackoff;
    const ready = !hasReadinessProbe(pod) && !memo.notReady;
    await this.writeStatus(pod, restartedStatus(pod, this.nodeIP, pod.status?.podIP ?? this.pool.allocate(), crashed.name, now, ready));
    this.startEvents(pod, crashed.name, spec?.image ?? '', fieldPath);
  }

  private startEvents(pod: K<Pod>, name: string, image: string, fieldPath: string): void {
    this.kubelet.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, { fieldPath });
    this.kubelet.event(pod, 'Normal', 'Created', `Created container: ${name}`, { fieldPath });
    this.kubelet.event(pod, 'Normal', 'Started', `Started container ${name}`, { fieldPath });
  }

  private async writeStatus(pod: K<Pod>, status: Pod['status']): Promise<K<Pod>> {
    return this.client.update<K<Pod>>('pods', pod.metadata?.namespace, { ...pod, status }, { subresource: 'status' });
  }

  /** The node's last word on a deleted pod: once it is sent, the pod is finished here. */
  private async deletePod(pod: K<Pod>): Promise<void> {
    const { namespace, name, uid } = pod.metadata!;
    await this.client.delete('pods', namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    // Still listed (not DELETED yet): remember it, so its updates restart nothing.
    if (uid && this.pods.get(namespace, name!)?.metadata?.uid === uid) this.finished.add(uid);
  }

  private mustGet(namespace: string, name: string): K<Pod> {
    const pod = this.pods.get(namespace, name);
    if (!pod) throw new Error(`simulated node: no pod ${namespace}/${name}`);
    return pod;
  }
}

function formatBackoff(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m0s`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
