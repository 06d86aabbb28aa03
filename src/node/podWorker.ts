// One pod on this node: its sandbox (IP, volumes, /etc files), its init
// containers in order, its containers with restartPolicy and crash-loop
// back-off, their probes, its status in the API, and its graceful end. The
// worker is level-triggered: every change (pod update, container exit, probe
// result, timer) schedules one `sync`, which looks at what is and starts,
// restarts or reports what should be. Syncs never overlap.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/types.js';
import { StatusError } from '../api/errors.js';
import { ContainerLogWriter, logPath } from './logs.js';
import type { EnvContext } from './env.js';
import { ImageStore } from './imagestore/store.js';
import { ContainerStartError } from './runtime/process.js';
import type { ContainerHandle, Runtime } from './runtime/types.js';
import { podStatus, type ContainerView, type PodView } from './status.js';
import { execCapture, newRecord, restoreContainers, within, type ContainerRecord } from './containers.js';
import { containerFieldPath, type PodEvents } from './events.js';
import { CrashBackoff, goDuration } from './backoff.js';
import { startContainerProbes } from './probes.js';
import { setUpVolumes, tearDownVolumes, VolumeError, type PreparedVolume } from './volumes.js';
import { hostsFile, podHostnames, resolvConf, type DnsSettings } from './dnsfiles.js';
import type { PodIPAllocator } from './ipam.js';
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { runPostStart, runPreStop } from './lifecycle.js';
import { terminalEnv, underTerminal } from './tty.js';
import { rfc3339 } from '../api/time.js';
import { planContainer } from './containerPlan.js';

export interface WorkerDeps {
  client: Client;
  runtime: Runtime;
  recorder: PodEvents;
  backoff: CrashBackoff;
  ipam: PodIPAllocator;
  nodeName: string;
  hostIP: string;
  dataDir: string;
  dns: DnsSettings;
  nodeCapacity: EnvContext['nodeCapacity'];
  volumePathFor?(pv: PersistentVolume): string;
  /**
   * How long a deleted pod's object stays at least (Terminating, containers
   * stopped), counted from the start of its termination, before the kubelet
   * removes it. Default 0: the pod goes as soon as its containers stopped.
   * `kubectl delete` needs no delay here: the API server holds the removal of
   * a pod a client waits for until that client watches it
   * (registry/removalHolds.ts).
   */
  removalSettleMs?: number;
  /** Another live pod of this node that uses the claim, if any. */
  claimUser(namespace: string, claim: string, exceptUid: string): string | undefined;
  /**
   * Called once the worker has finished with a pod that is gone from the API
   * (or deleted by it). `objectRemains`: the final delete left the object in
   * place (its removal held by the API server for a client about to watch
   * it, or finalizers): nothing is to run for it again.
   */
  onGone(uid: string, objectRemains: boolean): void;
  log(msg: string): void;
}

/** See WorkerDeps.removalSettleMs. */
export const DEFAULT_REMOVAL_SETTLE_MS = 0;

interface PodRecord {
  uid: string;
  podIP: string;
  startTime: string;
}

const RETRY_MS = 2000;

export class PodWorker {
  pod: Pod;
  readonly uid: string;
  readonly dir: string;
  readonly records = new Map<string, ContainerRecord>();
  podIP?: string;
  private startTime?: string;
  private volumes?: Map<string, PreparedVolume>;
  private sandboxReady = false;
  private final = false;
  private terminating?: Promise<void>;
  private syncing = false;
  private again = false;
  private stopped = false;
  private lastReported = '';
  private reporting = false;
  private reportAgain = false;
  private lastWarning = '';
  private retryTimer?: NodeJS.Timeout;
  /** Per container: the imageID of the image its current instance runs. */
  private readonly imageIDs = new Map<string, string>();

  constructor(pod: Pod, private readonly d: WorkerDeps) {
    this.pod = pod;
    this.uid = pod.metadata!.uid!;
    this.dir = join(d.dataDir, 'pods', this.uid);
    const phase = pod.status?.phase;
    this.final = phase === 'Succeeded' || phase === 'Failed';
    for (const c of pod.spec?.initContainers ?? []) this.records.set(c.name, newRecord(c, true));
    for (const c of pod.spec?.containers ?? []) this.records.set(c.name, newRecord(c, false));
    this.restore();
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata?.name ?? '';
  }

  /** After an ordinal restart: the pod's IP, and its containers' processes re-adopted or their ends read back. */
  private restore(): void {
    let rec: PodRecord | undefined;
    try {
      rec = JSON.parse(readFileSync(join(this.dir, 'pod.json'), 'utf8')) as PodRecord;
    } catch {
      return;
    }
    this.podIP = rec.podIP;
    this.startTime = rec.startTime;
    let adopted = 0;
    for (const { record, handle } of restoreContainers(this.dir, this.records, this.pod, this.d.runtime, (n, a) => this.containerID(n, a))) {
      this.d.log(`re-adopted ${this.namespace}/${this.name} container ${record.spec.name} (pid ${handle.pid})`);
      this.running(record, handle);
      adopted++;
    }
    if (this.pod.spec?.hostNetwork) return;
    // Running containers keep their address whoever claimed it meanwhile; a
    // pod whose containers all stopped gets a new sandbox, and a new address
    // if another ordinal on the host took its old one while this one was down.
    if (!this.d.ipam.reserve(rec.podIP, adopted > 0)) {
      this.d.log(`${this.namespace}/${this.name}: pod IP ${rec.podIP} is now another ordinal's; the pod gets a new one`);
      this.podIP = undefined;
    }
  }

  /** A newer version of the pod from the API. */
  update(pod: Pod): void {
    this.pod = pod;
    // An image is the one field of a container a pod update may change; the
    // kubelet then restarts that container with its new definition.
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const r = this.records.get(c.name);
      if (!r || r.spec.image === c.image) continue;
      r.spec = c;
      if (r.handle && !r.handle.exit && !r.init) this.killForRestart(r, r.handle, `Container ${c.name} definition changed, will be restarted`);
    }
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.sync();
        } while (this.again && !this.stopped);
      } catch (e) {
        this.d.log(`pod ${this.namespace}/${this.name}: ${(e as Error).stack ?? e}`);
        this.retryLater();
      } finally {
        this.syncing = false;
      }
    })();
  }

  private retryLater(ms = RETRY_MS): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
  }

  private warnOnce(reason: string, message: string, fieldPath?: string): void {
    const key = `${reason}\0${message}`;
    if (key === this.lastWarning) return;
    this.lastWarning = key;
    this.d.recorder.pod(this.pod, 'Warning', reason, message, fieldPath);
  }

  private async sync(): Promise<void> {
    if (this.pod.metadata?.deletionTimestamp) {
      await this.terminate('deleted');
      return;
    }
    if (this.final || this.terminating) return;
    if (!this.sandboxReady) {
      const ok = await this.prepare();
      if (!ok) return;
    }
    await this.syncContainers();
    this.report();
  }

  /** IP, pod directory, volumes: what the pod sandbox is here. */
  private async prepare(): Promise<boolean> {
    if (!this.podIP) {
      this.podIP = this.pod.spec?.hostNetwork ? this.d.hostIP : this.d.ipam.allocate();
      this.startTime ??= rfc3339(new Date());
      mkdirSync(this.dir, { recursive: true });
      const rec: PodRecord = { uid: this.uid, podIP: this.podIP, startTime: this.startTime };
      writeFileSync(join(this.dir, 'pod.json'), JSON.stringify(rec));
    }
    this.report();
    try {
      this.volumes = await setUpVolumes({
        client: this.d.client, pod: this.pod, podDir: this.dir, podIP: this.podIP, hostIP: this.d.hostIP,
        volumePathFor: this.d.volumePathFor,
        claimUser: (ns, claim) => this.d.claimUser(ns, claim, this.uid),
      });
    } catch (e) {
      if (e instanceof VolumeError) {
        this.warnOnce(e.reason, e.message);
        this.retryLater();
        return false;
      }
      throw e;
    }
    this.sandboxReady = true;
    return true;
  }

  /** The claims this pod holds while it lives (for the one-pod-per-RWO-claim rule). */
  claims(): string[] {
    if (this.final && !this.anyRunning()) return [];
    const ns = this.namespace;
    return (this.pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => `${ns}/${v.persistentVolumeClaim!.claimName}`);
  }

  private anyRunning(): boolean {
    return [...this.records.values()].some((r) => r.handle && !r.handle.exit);
  }

  private get policy(): string {
    return this.pod.spec?.restartPolicy ?? 'Always';
  }

  private async syncContainers(): Promise<void> {
    const recs = [...this.records.values()];
    // Init containers, one at a time, in order.
    // A container whose process lives (running, or still in its postStart hook) is left alone.
    const alive = (r: ContainerRecord) => !!r.handle && !r.handle.exit;
    for (const r of recs.filter((x) => x.init)) {
      if (r.state.kind === 'terminated' && r.state.exitCode === 0) continue;
      if (r.state.kind === 'running' || alive(r)) return;
      if (!r.everStarted) {
        await this.startContainer(r);
        return;
      }
      if (this.policy === 'Never') return; // the pod has failed: getPhase says so
      await this.restartWithBackoff(r);
      return;
    }
    for (const r of recs.filter((x) => !x.init)) {
      if (r.state.kind === 'running' || alive(r)) continue;
      if (!r.everStarted) {
        if (!r.retry) await this.startContainer(r);
        continue;
      }
      const exitCode = r.state.kind === 'terminated' ? r.state.exitCode : r.last?.exitCode ?? 1;
      const restart = this.policy === 'Always' || (this.policy === 'OnFailure' && exitCode !== 0);
      if (restart) await this.restartWithBackoff(r);
    }
  }

  private backoffKey(r: ContainerRecord): string {
    return `${this.uid}/${r.spec.name}`;
  }

  private async restartWithBackoff(r: ContainerRecord): Promise<void> {
    if (r.retry) return;
    const term = r.state.kind === 'terminated' ? r.state : r.last;
    const finishedAt = term ? term.finishedMs ?? Date.parse(term.finishedAt) : Date.now();
    const key = this.backoffKey(r);
    const wait = this.d.backoff.remaining(key, finishedAt);
    if (wait > 0) {
      if (r.state.kind === 'terminated') r.last = r.state;
      const msg = `back-off ${goDuration(this.d.backoff.delay(key))} restarting failed container=${r.spec.name} pod=${this.name}_${this.namespace}(${this.uid})`;
      if (r.state.kind !== 'waiting' || r.state.reason !== 'CrashLoopBackOff' || r.state.message !== msg) {
        r.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: msg };
        this.d.recorder.pod(this.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${r.spec.name} in pod ${this.name}_${this.namespace}(${this.uid})`, containerFieldPath(r.spec.name, r.init));
      }
      r.retry = setTimeout(() => {
        r.retry = undefined;
        this.kick();
      }, wait);
      return;
    }
    this.d.backoff.next(key, finishedAt);
    if (r.state.kind === 'terminated') r.last = r.state;
    r.restartCount++;
    await this.startContainer(r);
  }

  private containerID(name: string, attempt: number): string {
    return `${this.d.runtime.name}://${this.uid.replace(/-/g, '').slice(0, 16)}-${name}-${attempt}`;
  }

  private async startContainer(r: ContainerRecord): Promise<void> {
    const c = r.spec;
    const fieldPath = containerFieldPath(c.name, r.init);
    const plan = await planContainer(c, {
      pod: this.pod, env: this.envContext(), volumes: this.volumes ?? new Map(),
      // The linux runtime runs an image of the node's image store in its own filesystem; the process runtime ignores images.
      images: this.runsImages ? this.imageStore : undefined,
    });
    if (!('argv' in plan)) {
      // The kubelet's image manager reports a missing image with an event of its own, then the failed start.
      if (plan.neverPull) this.d.recorder.pod(this.pod, 'Warning', 'ErrImageNeverPull', plan.message, fieldPath);
      r.state = { kind: 'waiting', reason: plan.reason, message: plan.message };
      this.d.recorder.pod(this.pod, 'Warning', 'Failed', `Error: ${plan.neverPull ? plan.reason : plan.message}`, fieldPath);
      r.retry = setTimeout(() => {
        r.retry = undefined;
        this.kick();
      }, plan.soon ? RETRY_MS : RETRY_MS * 5);
      return;
    }
    const { argv, env } = plan;
    if (this.stopped || this.terminating) return;
    // The events are written once the command runs (in their usual order), so
    // that their writes do not delay the start.
    const pulled = () => this.d.recorder.pod(this.pod, 'Normal', 'Pulled', `Container image "${c.image ?? ''}" already present on machine`, fieldPath);
    const attempt = r.restartCount;
    const { hostname } = podHostnames(this.pod, this.d.dns.clusterDomain);
    const wasFirst = !r.everStarted;
    r.everStarted = true;
    let h: ContainerHandle;
    try {
      h = await this.d.runtime.start({
        podUid: this.uid, namespace: this.namespace, podName: this.name, containerName: c.name, attempt, podDir: this.dir,
        argv: c.tty ? underTerminal(argv) : argv,
        env: c.tty ? terminalEnv(env) : env, workingDir: plan.workingDir, mounts: plan.mounts, hostname,
        etc: { hosts: hostsFile(this.pod, this.podIP!, this.d.dns.clusterDomain), resolvConf: resolvConf(this.pod, this.d.dns), hostname: hostname + '\n' },
        stdin: !!c.stdin,
        rootfs: plan.rootfs,
        identity: plan.identity,
      });
    } catch (e) {
      const message = e instanceof ContainerStartError ? e.message : `failed to start container: ${(e as Error).message}`;
      const now = rfc3339(new Date());
      pulled();
      this.d.recorder.pod(this.pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
      this.d.recorder.pod(this.pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      r.state = { kind: 'terminated', exitCode: 128, reason: 'StartError', message, startedAt: undefined, finishedAt: now, finishedMs: Date.now(), containerID: this.containerID(c.name, attempt) };
      if (wasFirst && this.policy !== 'Never') this.d.backoff.next(this.backoffKey(r), Date.now());
      this.kick();
      return;
    }
    this.imageIDs.set(c.name, plan.imageID);
    pulled();
    this.d.recorder.pod(this.pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
    this.d.recorder.pod(this.pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    r.env = env;
    this.running(r, h, c.lifecycle?.postStart);
  }

  private get runsImages(): boolean {
    return this.d.runtime.name === 'linux';
  }

  private get imageStore(): ImageStore {
    return ImageStore.forDataDir(this.d.dataDir);
  }

  /** What status says a container runs (imageID), looked up once for containers re-adopted after a restart. */
  private imageID(r: ContainerRecord): string {
    let id = this.imageIDs.get(r.spec.name);
    if (id === undefined && this.runsImages && (r.handle || r.state.kind === 'terminated')) {
      id = this.imageStore.find(r.spec.image)?.imageID ?? '';
      this.imageIDs.set(r.spec.name, id);
    }
    return id ?? '';
  }

  private envContext(): EnvContext {
    return {
      pod: this.pod, podIP: this.podIP ?? '', hostIP: this.d.hostIP, nodeCapacity: this.d.nodeCapacity,
      configMap: (ns, name) => this.getOptional('configmaps', ns, name),
      secret: (ns, name) => this.getOptional('secrets', ns, name),
    };
  }

  private async getOptional<T>(res: 'configmaps' | 'secrets', ns: string, name: string): Promise<T | undefined> {
    try {
      return (await this.d.client.get(res, ns, name)) as T;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Wires a started or re-adopted container: its log, its probes, its end. */
  private running(r: ContainerRecord, h: ContainerHandle, postStart?: LifecycleHandler): void {
    r.handle = h;
    r.killing = false;
    r.attachedOnce = false;
    const log = new ContainerLogWriter(logPath(this.dir, r.spec.name, r.restartCount), r.spec.stdinOnce ? 1 << 20 : 0);
    log.attach(h.stdout, 'stdout');
    log.attach(h.stderr, 'stderr');
    r.log = log;
    if (postStart) {
      // Not running (nor probed) until the hook has returned, as in the kubelet's startContainer.
      if (r.state.kind !== 'waiting') r.state = { kind: 'waiting', reason: 'ContainerCreating' };
      void runPostStart(postStart, this.hookTarget(r, h), h.exited).then((failure) => {
        if (r.handle !== h || h.exit) return;
        if (failure) {
          this.d.recorder.pod(this.pod, 'Warning', 'FailedPostStartHook', failure, containerFieldPath(r.spec.name, r.init));
          r.state = { kind: 'running', startedAt: rfc3339(h.startedAt) };
          this.killForRestart(r, h, `FailedPostStartHook`);
          return;
        }
        r.state = { kind: 'running', startedAt: rfc3339(h.startedAt) };
        this.startProbes(r);
        this.report();
      });
    } else {
      r.state = { kind: 'running', startedAt: rfc3339(h.startedAt) };
      this.startProbes(r);
    }
    void h.exited.then(async (exit) => {
      // Let the output drain so the log is complete when the status says the container ended.
      if (!log.done) await within(new Promise<void>((res) => log.once('close', res)), 500);
      for (const p of r.probes) p.stop();
      r.probes = [];
      if (r.handle !== h) return;
      r.ready = false;
      if (r.started !== undefined) r.started = false;
      r.state = {
        kind: 'terminated', exitCode: exit.exitCode, reason: exit.exitCode === 0 ? 'Completed' : 'Error',
        startedAt: rfc3339(h.startedAt), finishedAt: rfc3339(exit.finishedAt), finishedMs: exit.finishedAt.getTime(), containerID: this.containerID(r.spec.name, r.restartCount),
      };
      this.kick();
      this.report();
    });
  }

  private hookTarget(r: ContainerRecord, h: ContainerHandle) {
    return {
      podIP: this.podIP ?? '127.0.0.1', container: r.spec,
      exec: (argv: string[], t: number) => execCapture(this.d.runtime, h, r.env ?? {}, argv, t),
    };
  }

  private startProbes(r: ContainerRecord): void {
    const c = r.spec;
    const h = r.handle!;
    const fieldPath = containerFieldPath(c.name, r.init);
    r.started = c.startupProbe ? false : undefined;
    r.ready = !c.readinessProbe && !c.startupProbe && !r.init;
    if (r.init) return;
    const target = {
      podIP: this.podIP ?? '127.0.0.1',
      container: c,
      exec: (argv: string[], timeoutMs: number) => execCapture(this.d.runtime, h, r.env ?? {}, argv, timeoutMs),
    };
    r.probes = startContainerProbes(c, target, {
      unhealthy: (kind, output) => this.d.recorder.pod(this.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${output}`, fieldPath),
      ready: (ok) => {
        r.ready = ok;
        this.report();
      },
      started: () => {
        r.started = true;
        this.report();
      },
      restart: (probe) => this.killForRestart(r, h, `Container ${c.name} failed ${probe} probe, will be restarted`),
    });
  }


  private killForRestart(r: ContainerRecord, h: ContainerHandle, message: string): void {
    if (r.handle !== h || h.exit || r.killing) return;
    r.killing = true;
    this.d.recorder.pod(this.pod, 'Normal', 'Killing', message, containerFieldPath(r.spec.name, r.init));
    const grace = this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    void this.stopContainer(r, grace * 1000, false);
  }

  /** preStop, SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the container has ended. */
  private async stopContainer(r: ContainerRecord, graceMs: number, announce: boolean): Promise<void> {
    const h = r.handle;
    if (!h || h.exit) return;
    if (announce) this.d.recorder.pod(this.pod, 'Normal', 'Killing', `Stopping container ${r.spec.name}`, containerFieldPath(r.spec.name, r.init));
    const deadline = Date.now() + graceMs;
    const pre = r.spec.lifecycle?.preStop;
    if (pre && graceMs > 0) {
      const res = await runPreStop(pre, this.hookTarget(r, h), Math.max(deadline - Date.now(), 0), h.exited);
      if (res) this.d.recorder.pod(this.pod, 'Warning', 'FailedPreStopHook', res, containerFieldPath(r.spec.name, r.init));
    }
    if (!h.exit) this.d.runtime.signal(h, 'SIGTERM');
    const left = deadline - Date.now();
    if (!h.exit && left > 0) {
      await within(h.exited, left);
    }
    if (!h.exit) this.d.runtime.kill(h);
    await within(h.exited, 5000);
  }

  /**
   * Stops the pod's containers gracefully (the pod's deletion grace period, or
   * `graceSeconds`). `why`: 'deleted' (then the pod object is removed),
   * 'gone' (removed from the API already) or 'shutdown' (ordinal stops).
   */
  terminate(why: 'deleted' | 'gone' | 'shutdown', graceSeconds?: number): Promise<void> {
    if (!this.terminating) this.terminating = this.doTerminate(why, graceSeconds);
    return this.terminating;
  }

  private async doTerminate(why: 'deleted' | 'gone' | 'shutdown', graceSeconds?: number): Promise<void> {
    const began = Date.now();
    for (const r of this.records.values()) {
      if (r.retry) clearTimeout(r.retry);
      r.retry = undefined;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const grace = graceSeconds ?? (why === 'gone' ? 0 : this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30);
    await Promise.all([...this.records.values()].map((r) => this.stopContainer(r, grace * 1000, grace > 0 && why !== 'gone')));
    for (const r of this.records.values()) {
      if (r.state.kind === 'running') r.state = { kind: 'terminated', exitCode: 137, reason: 'Error', finishedAt: rfc3339(new Date()), startedAt: r.state.startedAt };
      if (r.state.kind === 'waiting' && !r.everStarted) {
        r.state = { kind: 'terminated', exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: rfc3339(new Date()) };
      }
      r.ready = false;
    }
    if (why === 'shutdown') return;
    let remains = false;
    if (why === 'deleted') {
      const all = [...this.records.values()].filter((r) => !r.init);
      this.terminalPhase = all.every((r) => r.state.kind === 'terminated' && r.state.exitCode === 0) ? 'Succeeded' : 'Failed';
      await this.reportNow();
      const settle = (this.d.removalSettleMs ?? DEFAULT_REMOVAL_SETTLE_MS) - (Date.now() - began);
      if (settle > 0) await new Promise((res) => setTimeout(res, settle));
      try {
        remains = (await this.d.client.delete('pods', this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } })) !== undefined;
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) {
          this.d.log(`deleting pod ${this.namespace}/${this.name}: ${(e as Error).message}`);
        }
      }
    }
    await this.cleanup();
    this.d.onGone(this.uid, remains);
  }

  private terminalPhase?: 'Succeeded' | 'Failed';

  /** Forgets everything of the pod on this node: IP, directory (logs, emptyDirs), events. */
  private async cleanup(): Promise<void> {
    this.stopped = true;
    for (const r of this.records.values()) {
      for (const p of r.probes) p.stop();
      r.handle?.stdout.destroy();
      r.handle?.stderr.destroy();
      r.log?.close();
    }
    if (this.podIP && !this.pod.spec?.hostNetwork) this.d.ipam.release(this.podIP);
    tearDownVolumes(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    this.d.backoff.forget(this.uid + '/');
  }

  /** Stops watching without touching the containers (ordinal stops, pods keep running). */
  detach(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const r of this.records.values()) {
      if (r.retry) clearTimeout(r.retry);
      for (const p of r.probes) p.stop();
      r.handle?.stdout.destroy();
      r.handle?.stderr.destroy();
      r.log?.close();
    }
  }

  // ---------------------------------------------------------------- status

  view(): PodView {
    const toView = (r: ContainerRecord): ContainerView => ({
      name: r.spec.name, image: r.spec.image ?? '', state: r.state, last: r.last, restartCount: r.restartCount,
      ready: r.ready && r.state.kind === 'running', started: r.init ? undefined : r.state.kind === 'running' ? (r.started ?? true) : false,
      containerID: r.handle ? this.containerID(r.spec.name, r.restartCount) : r.state.kind === 'terminated' ? r.state.containerID : undefined,
      imageID: r.state.kind === 'waiting' ? undefined : this.imageID(r),
    });
    const recs = [...this.records.values()];
    return {
      init: recs.filter((r) => r.init).map(toView),
      containers: recs.filter((r) => !r.init).map(toView),
      podIP: this.podIP, hostIP: this.d.hostIP, startTime: this.startTime, sandboxReady: !!this.podIP,
      terminalPhase: this.terminalPhase,
    };
  }

  /** Sends the status when it changed; at most one write in flight. */
  report(): void {
    if (this.stopped && !this.terminating) return;
    if (this.reporting) {
      this.reportAgain = true;
      return;
    }
    this.reporting = true;
    void this.reportNow().finally(() => {
      this.reporting = false;
      if (this.reportAgain) {
        this.reportAgain = false;
        this.report();
      }
    });
  }

  private async reportNow(): Promise<void> {
    const status = podStatus(this.pod, this.view(), rfc3339(new Date()));
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      if (!this.final) {
        this.final = true;
        for (const r of this.records.values()) for (const p of r.probes) p.stop();
      }
    }
    const key = JSON.stringify(status);
    if (key === this.lastReported) return;
    try {
      const updated = await this.d.client.patch<Pod & Record<string, unknown>>('pods', this.namespace, this.name, 'merge', { status }, { subresource: 'status' });
      if (updated.metadata?.uid === this.uid) this.pod = updated;
      this.lastReported = key;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) {
        this.d.log(`status of pod ${this.namespace}/${this.name}: ${(e as Error).message}`);
        this.retryLater();
      }
    }
  }

  /** The container record for exec/attach/logs. */
  container(name: string): ContainerRecord | undefined {
    return this.records.get(name);
  }

  get isFinal(): boolean {
    return this.final;
  }
}
