// The node agent of this machine: registers the Node, binds unscheduled pods
// to it (a scheduler of one node), runs a PodWorker per pod bound here, and
// serves logs, exec and attach for the API server.
//
// Crash safety: containers are detached process trees that outlive ordinal
// (as containers outlive a kubelet restart). Each instance records its shim's
// pid and kernel start time under <dataDir>/pods/<uid>/containers/<name>/<n>/;
// after a restart (even after kill -9) a worker re-adopts a process only when
// /proc/<pid>/stat still shows that start time, so no container ever runs
// twice, and reads back the exit status of those that ended meanwhile.
// Processes of pods that no longer exist are killed.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Client, KObject } from '../client/types.js';
import { Informer, cacheKey } from '../client/informer.js';
import { StatusError } from '../api/errors.js';
import { EventRecorder } from '../controllers/events.js';
import { ANNOTATION_SELECTED_NODE, bindPod, isOurs, podFitsNode, schedulingFingerprint } from './simulated/scheduler.js';
import { PodEvents } from './events.js';
import { CrashBackoff } from './backoff.js';
import { PodIPAllocator } from './ipam.js';
import { PodWorker } from './podWorker.js';
import { ProcessRuntime } from './runtime/process.js';
import { LinuxRuntime, linuxRuntimeAvailable } from './runtime/linux.js';
import type { Runtime } from './runtime/types.js';
import { podInstanceDirs, warmFifoPool } from './runtime/base.js';
import { nodeCapacity, nodeObject, primaryIP, readyConditions } from './node.js';
import { KubeletStreams, type PodStreams } from './streams.js';
import { NodeLease } from './lease.js';
import { rfc3339 } from '../api/time.js';

/** How long a pod may not fit before FailedScheduling is reported (as the simulated node does). */
const REPORT_UNSCHEDULABLE_MS = 1000;

export interface KubeletOptions {
  client: Client;
  nodeName: string;
  /** Pods' directories under <dataDir>/pods/<uid>/, their logs under <dataDir>/pods/<uid>/logs/. */
  dataDir: string;
  /** 'linux' only when root on Linux; otherwise the process runtime, with one log line saying why. */
  runtime: 'process' | 'linux';
  /** Default 127.0.1.0/24 (loopback: every 127.x address is local on Linux). */
  podCIDR?: string;
  clusterDNS?: string;
  clusterDomain?: string;
  /** The bound PV's directory (default: its spec.hostPath.path or spec.local.path). */
  volumePathFor?(pv: PersistentVolume): string;
  /** Where the node agent's own log lines go (default: stderr). */
  log?(msg: string): void;
  /** How often the Node's conditions are refreshed (default 60 s). */
  heartbeatMs?: number;
  /** Crash-loop back-off (default 10 s doubling to 5 min, as the kubelet); shorter in tests. */
  crashLoopBackOff?: { initialMs: number; maxMs: number };
  /**
   * How long a deleted pod's object stays at least (Terminating, containers
   * stopped) before removal, counted from the start of its termination
   * (default 0; see podWorker.ts, WorkerDeps.removalSettleMs).
   */
  removalSettleMs?: number;
}

export class Kubelet {
  readonly streams: PodStreams;
  readonly runtime: Runtime;
  readonly nodeName: string;
  private readonly workers = new Map<string, PodWorker>();
  /** Uids of deleted pods this node is done with whose objects are not removed yet. */
  private readonly finished = new Set<string>();
  private readonly pods: Informer<Pod & KObject>;
  private readonly claims: Informer<PersistentVolumeClaim & KObject>;
  private readonly classes: Informer<StorageClass & KObject>;
  /** This node's own object: `kubectl cordon`, `uncordon` and label changes decide where pods fit. */
  private readonly ownNode: Informer<Node & KObject>;
  private nodeFit = '';
  private readonly recorder: EventRecorder;
  private readonly schedulerRecorder: EventRecorder;
  private readonly events: PodEvents;
  private readonly schedulerEvents: PodEvents;
  private readonly ipam: PodIPAllocator;
  private readonly backoff: CrashBackoff;
  private readonly hostIP = primaryIP();
  private readonly log: (msg: string) => void;
  private node?: Node;
  private heartbeat?: NodeJS.Timeout;
  private lease?: NodeLease;
  private readonly unscheduled = new Map<string, Pod>();
  /** Last FailedScheduling message per pod, and since when it has not fit. */
  private readonly schedulingMemo = new Map<string, { message?: string; since: number; timer?: NodeJS.Timeout }>();
  private scheduling = false;
  private scheduleAgain = false;
  private started = false;

  constructor(private readonly o: KubeletOptions) {
    this.nodeName = o.nodeName || hostname();
    this.log = o.log ?? ((m) => process.stderr.write(`kubelet: ${m}\n`));
    if (o.runtime === 'linux') {
      const ok = linuxRuntimeAvailable();
      if (ok.ok) this.runtime = new LinuxRuntime();
      else {
        this.log(`${ok.why}; using the process runtime instead (no namespaces: hostname, volume paths and /etc files are the host's)`);
        this.runtime = new ProcessRuntime();
      }
    } else this.runtime = new ProcessRuntime();
    this.ipam = new PodIPAllocator(o.podCIDR ?? '127.0.1.0/24');
    this.backoff = new CrashBackoff(o.crashLoopBackOff?.initialMs, o.crashLoopBackOff?.maxMs);
    this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: this.nodeName });
    this.schedulerRecorder = new EventRecorder(o.client, { component: 'default-scheduler' });
    this.events = new PodEvents(this.recorder);
    this.schedulerEvents = new PodEvents(this.schedulerRecorder);
    this.pods = new Informer(o.client, 'pods', { resyncMs: 0 });
    this.claims = new Informer(o.client, 'persistentvolumeclaims', { resyncMs: 0 });
    this.classes = new Informer(o.client, 'storageclasses.storage.k8s.io', { resyncMs: 0 });
    this.ownNode = new Informer(o.client, 'nodes', { resyncMs: 0, fieldSelector: `metadata.name=${this.nodeName}` });
    this.streams = new KubeletStreams({
      client: o.client,
      runtime: () => this.runtime,
      findPod: (ns, name) => this.pods.get(ns, name),
      worker: (uid) => this.workers.get(uid),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    mkdirSync(join(this.o.dataDir, 'pods'), { recursive: true });
    await warmFifoPool(this.o.dataDir);
    await this.registerNode();
    this.lease = new NodeLease({ client: this.o.client, nodeName: this.nodeName, log: this.log });
    await this.lease.start();
    this.claims.addHandlers({ add: () => this.rescheduleAll(), update: () => this.rescheduleAll() });
    this.classes.addHandlers({ add: () => this.rescheduleAll() });
    this.ownNode.addHandlers({ add: (n) => this.nodeChanged(n), update: (_old, n) => this.nodeChanged(n) });
    await Promise.all([this.claims.start(), this.classes.start(), this.ownNode.start()]);
    this.pods.addHandlers({
      add: (p) => this.onPod(p),
      update: (_old, p) => this.onPod(p),
      delete: (p) => this.onPodGone(p),
    });
    await this.pods.start();
    this.removeOrphans();
    this.heartbeat = setInterval(() => void this.heartbeatNode(), this.o.heartbeatMs ?? 60_000);
    this.heartbeat.unref();
  }

  /**
   * Stops the node agent. With stopPods, every pod's containers are stopped
   * gracefully (their terminationGracePeriodSeconds) and come back when
   * ordinal starts again; without, they keep running and are re-adopted.
   */
  async stop(opts: { stopPods: boolean } = { stopPods: false }): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.heartbeat);
    await this.lease?.stop();
    for (const key of [...this.schedulingMemo.keys()]) this.forgetScheduling(key);
    this.pods.stop();
    this.claims.stop();
    this.classes.stop();
    this.ownNode.stop();
    (this.streams as KubeletStreams).closeAll();
    if (opts.stopPods) {
      await Promise.all([...this.workers.values()].map((w) => w.terminate('shutdown', w.pod.spec?.terminationGracePeriodSeconds ?? 30)));
    }
    for (const w of this.workers.values()) w.detach();
    this.workers.clear();
    this.ipam.dropClaims();
    this.finished.clear();
    await Promise.all([this.recorder.flush(), this.schedulerRecorder.flush()]);
  }

  // ---------------------------------------------------------------- node

  private async registerNode(): Promise<void> {
    const now = rfc3339(new Date());
    const want = nodeObject({ name: this.nodeName, podCIDR: this.o.podCIDR ?? '127.0.1.0/24', hostIP: this.hostIP, dataDir: this.o.dataDir, runtime: this.runtime.name, now });
    try {
      this.node = await this.o.client.create<Node & KObject>('nodes', undefined, want as Node & KObject);
      return;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
    const existing = await this.o.client.get<Node & KObject>('nodes', undefined, this.nodeName);
    const status = { ...want.status, conditions: readyConditions(now, existing.status?.conditions) };
    this.node = await this.o.client.patch<Node & KObject>('nodes', undefined, this.nodeName, 'merge', { status }, { subresource: 'status' });
  }

  /** A cordon, uncordon or relabel by a user: pods waiting to be scheduled are examined again. */
  private nodeChanged(node: Node & KObject): void {
    this.node = node;
    const fit = schedulingFingerprint(node);
    if (fit === this.nodeFit) return;
    this.nodeFit = fit;
    this.rescheduleAll();
  }

  private async heartbeatNode(): Promise<void> {
    const now = rfc3339(new Date());
    try {
      const status = { conditions: readyConditions(now, this.node?.status?.conditions), capacity: nodeCapacity(this.o.dataDir) };
      this.node = await this.o.client.patch<Node & KObject>('nodes', undefined, this.nodeName, 'merge', { status }, { subresource: 'status' });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) await this.registerNode().catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- pods

  private onPod(pod: Pod): void {
    if (!this.started) return;
    if (isOurs(pod)) {
      this.unscheduled.set(cacheKey(pod as KObject), pod);
      this.rescheduleAll();
      return;
    }
    this.unscheduled.delete(cacheKey(pod as KObject));
    if (pod.spec?.nodeName !== this.nodeName) return;
    const uid = pod.metadata!.uid!;
    if (this.finished.has(uid)) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker(pod, {
        client: this.o.client, runtime: this.runtime, recorder: this.events, backoff: this.backoff, ipam: this.ipam,
        nodeName: this.nodeName, hostIP: this.hostIP, dataDir: this.o.dataDir,
        dns: { clusterDNS: this.o.clusterDNS, clusterDomain: this.o.clusterDomain ?? 'cluster.local' },
        nodeCapacity: nodeCapacity(this.o.dataDir), volumePathFor: this.o.volumePathFor, removalSettleMs: this.o.removalSettleMs,
        claimUser: (ns, claim, except) => this.claimUser(ns, claim, except),
        onGone: (u, remains) => this.onWorkerGone(u, remains ? pod : undefined),
        log: this.log,
      });
      this.workers.set(uid, w);
    }
    w.update(pod);
  }

  private onPodGone(pod: Pod): void {
    const key = cacheKey(pod as KObject);
    this.unscheduled.delete(key);
    this.forgetScheduling(key);
    this.finished.delete(pod.metadata?.uid ?? '');
    const w = this.workers.get(pod.metadata?.uid ?? '');
    if (w) void w.terminate('gone');
  }

  private onWorkerGone(uid: string, remaining?: Pod): void {
    this.workers.delete(uid);
    // Deleted and its containers stopped, but the object is still listed (its
    // removal held, or finalizers): an update of it starts no new worker.
    if (remaining && this.pods.get(remaining.metadata?.namespace, remaining.metadata?.name ?? '')?.metadata?.uid === uid) this.finished.add(uid);
    // A claim may have been freed: pods waiting for it try again.
    for (const w of this.workers.values()) w.kick();
  }

  private claimUser(ns: string, claim: string, exceptUid: string): string | undefined {
    const key = `${ns}/${claim}`;
    for (const w of this.workers.values()) {
      if (w.uid !== exceptUid && w.claims().includes(key)) return w.name;
    }
    return undefined;
  }

  /** Kills and removes what belongs to pods that no longer exist (deleted while ordinal was down). */
  private removeOrphans(): void {
    const live = new Set(this.pods.list().map((p) => p.metadata?.uid));
    const root = join(this.o.dataDir, 'pods');
    for (const uid of readdirSync(root)) {
      if (live.has(uid)) continue;
      for (const { container, dir } of podInstanceDirs(join(root, uid))) {
        const h = this.runtime.adopt(dir);
        if (h) {
          this.log(`killing container ${container} of deleted pod ${uid} (pid ${h.pid})`);
          this.runtime.kill(h);
          h.stdout.destroy();
          h.stderr.destroy();
        }
      }
      rmSync(join(root, uid), { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------- scheduling

  private forgetScheduling(key: string): void {
    clearTimeout(this.schedulingMemo.get(key)?.timer);
    this.schedulingMemo.delete(key);
  }

  private rescheduleAll(): void {
    if (!this.started || !this.unscheduled.size) return;
    if (this.scheduling) {
      this.scheduleAgain = true;
      return;
    }
    this.scheduling = true;
    void (async () => {
      try {
        do {
          this.scheduleAgain = false;
          for (const [key, pod] of [...this.unscheduled]) {
            if (!this.started) return;
            await this.schedule(key, pod).catch((e) => this.log(`scheduling ${key}: ${(e as Error).message}`));
          }
        } while (this.scheduleAgain);
      } finally {
        this.scheduling = false;
      }
    })();
  }

  private async schedule(key: string, pod: Pod): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const fit = podFitsNode(pod, this.node ?? {}, (n) => this.claims.get(ns, n), (n) => this.classes.get(undefined, n));
    if (!fit.fits) {
      if ('message' in fit) {
        // Reported only after the pod has not fit for a while, so a claim being
        // provisioned right now leaves no warning behind in describe.
        let memo = this.schedulingMemo.get(key);
        if (!memo) this.schedulingMemo.set(key, (memo = { since: Date.now() }));
        const wait = memo.since + REPORT_UNSCHEDULABLE_MS - Date.now();
        if (wait > 0) {
          if (!memo.timer) memo.timer = setTimeout(() => { memo!.timer = undefined; this.rescheduleAll(); }, wait);
        } else if (memo.message !== fit.message) {
          memo.message = fit.message;
          this.schedulerEvents.pod(pod, 'Warning', 'FailedScheduling', fit.message);
        }
      } else {
        for (const c of fit.waitForClaims) {
          const pvc = this.claims.get(ns, c);
          if (pvc && pvc.metadata?.annotations?.[ANNOTATION_SELECTED_NODE] !== this.nodeName) {
            await this.o.client.patch('persistentvolumeclaims', ns, c, 'merge', { metadata: { annotations: { [ANNOTATION_SELECTED_NODE]: this.nodeName } } });
          }
        }
      }
      return;
    }
    this.unscheduled.delete(key);
    this.forgetScheduling(key);
    try {
      await bindPod(this.o.client, pod, this.nodeName);
    } catch (e) {
      if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
    this.schedulerEvents.pod(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata?.name} to ${this.nodeName}`);
  }
}
