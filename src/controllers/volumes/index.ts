// The volume controller: Kubernetes' persistentvolume binder, the
// pvc-protection and pv-protection controllers, and a local-path provisioner,
// run as one. It installs the default StorageClass `local-path`, gives
// classless claims the default class, provisions a directory under
// <dataDir>/volumes for each claim of a local-path class, binds claims and
// volumes (provisioned or static), reclaims released volumes (Delete removes
// the directory and the volume, Retain keeps both), and holds the protection
// finalizers until nothing uses a claim or volume.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isStatusError } from '../../api/errors.js';
import { Informer, cacheKey } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { EventRecorder, discardEvents, type Recorder } from '../events.js';
import { WorkQueue } from '../workqueue.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, DEFAULT_CLASS_NAME, PROVISIONER, PVC_PROTECTION, PV_PROTECTION, claimRefFor, claimsOf,
  defaultLocalPathClass, defaultStorageClassFor, findMatchingVolume, podUsesClaim, provisionedVolume, provisionedVolumeName,
} from './binding.js';
import { createVolumeDir, isInsideVolumes, removeVolumeDir, volumeDirName } from './paths.js';
import { rfc3339 } from '../../api/time.js';

export { defaultStorageClassFor, storageAdmission, storageAdmissionFor } from './admission.js';
export { PROVISIONER, DEFAULT_CLASS_NAME, defaultLocalPathClass } from './binding.js';

type K<T> = T & KObject;
type PVC = K<PersistentVolumeClaim>;
type PV = K<PersistentVolume>;

export interface VolumeControllerDeps {
  client: Client;
  /** Provisioned volumes live in <dataDir>/volumes; without a data dir nothing is provisioned. */
  dataDir?: string;
  /** The node provisioned volumes are pinned to (nodeAffinity); none when absent. */
  nodeName?: string;
  clock?: { now(): number };
  /** Write events (default true). */
  events?: boolean;
  /** Create the default StorageClass `local-path` when it is missing (default true). */
  installDefaultClass?: boolean;
  workers?: number;
}


function rv(o: KObject | undefined): number {
  const n = Number(o?.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : -1;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class VolumeController {
  private readonly client: Client;
  private readonly dataDir?: string;
  private readonly nodeName?: string;
  private readonly now: () => number;
  private readonly installDefaultClass: boolean;
  private readonly binderEvents: Recorder;
  private readonly provisionerEvents: Recorder;
  private readonly classes: Informer<K<StorageClass>>;
  private readonly claims: Informer<PVC>;
  private readonly volumes: Informer<PV>;
  private readonly pods: Informer<K<Pod>>;
  private readonly queue: WorkQueue;
  private readonly written = new Map<string, KObject>();
  /** claim key -> names of volumes whose claimRef names it, and back. */
  private readonly volumesByClaim = new Map<string, Set<string>>();
  private readonly claimOfVolume = new Map<string, string>();
  /** Volumes with no claimRef: the only ones, with those pre-bound to it, a pending claim can take. */
  private readonly unclaimed = new Set<string>();
  /** Events already given per object uid, so level-triggered retries do not repeat them. */
  private readonly told = new Map<string, Set<string>>();

  constructor(deps: VolumeControllerDeps) {
    this.client = deps.client;
    this.dataDir = deps.dataDir;
    this.nodeName = deps.nodeName;
    this.now = deps.clock ? () => deps.clock!.now() : () => Date.now();
    this.installDefaultClass = deps.installDefaultClass ?? true;
    const events = deps.events ?? true;
    const when = () => new Date(this.now());
    this.binderEvents = events ? new EventRecorder(this.client, { component: 'persistentvolume-controller' }, when) : discardEvents;
    this.provisionerEvents = events ? new EventRecorder(this.client, { component: PROVISIONER }, when) : discardEvents;
    this.classes = new Informer(this.client, 'storageclasses.storage.k8s.io');
    this.claims = new Informer(this.client, 'persistentvolumeclaims', { resyncMs: 60_000 });
    this.volumes = new Informer(this.client, 'persistentvolumes', { resyncMs: 60_000 });
    this.pods = new Informer(this.client, 'pods');
    this.queue = new WorkQueue((key) => this.sync(key), { workers: deps.workers ?? 4 });
    this.wire();
  }

  async start(): Promise<void> {
    if (this.installDefaultClass) await this.ensureDefaultClass();
    await Promise.all([this.classes.start(), this.claims.start(), this.volumes.start(), this.pods.start()]);
    for (const c of this.claims.list()) this.queue.add(`c/${cacheKey(c)}`);
    for (const v of this.volumes.list()) this.queue.add(`v/${cacheKey(v)}`);
  }

  stop(): void {
    this.queue.stop();
    this.classes.stop();
    this.claims.stop();
    this.volumes.stop();
    this.pods.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async ensureDefaultClass(): Promise<void> {
    try {
      await this.client.get('storageclasses.storage.k8s.io', undefined, DEFAULT_CLASS_NAME);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
      try {
        await this.client.create('storageclasses.storage.k8s.io', undefined, defaultLocalPathClass() as K<StorageClass>);
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
      }
    }
  }

  // ------------------------------------------------------------ wiring

  private wire(): void {
    const claimKey = (c: KObject) => `c/${cacheKey(c)}`;
    this.claims.addHandlers({
      add: (c) => { this.seen(c); this.queue.add(claimKey(c)); },
      update: (_o, c) => {
        this.seen(c);
        this.queue.add(claimKey(c));
        if (c.spec?.volumeName) this.queue.add(`v/${c.spec.volumeName}`);
      },
      delete: (c) => {
        this.written.delete(`c/${cacheKey(c)}`);
        this.told.delete(c.metadata?.uid ?? '');
        if (c.spec?.volumeName) this.queue.add(`v/${c.spec.volumeName}`);
        for (const v of this.volumesByClaim.get(cacheKey(c)) ?? []) this.queue.add(`v/${v}`);
      },
    });
    this.volumes.addHandlers({
      add: (v) => this.volumeChanged(v),
      update: (_o, v) => this.volumeChanged(v),
      delete: (v) => {
        this.written.delete(`v/${cacheKey(v)}`);
        this.told.delete(v.metadata?.uid ?? '');
        this.indexVolume(v, true);
        const ref = v.spec?.claimRef;
        if (ref) this.queue.add(`c/${ref.namespace}/${ref.name}`);
      },
    });
    this.classes.addHandlers({
      add: () => this.enqueueUnboundClaims(),
      update: (o, c) => { if (o.metadata?.resourceVersion !== c.metadata?.resourceVersion) this.enqueueUnboundClaims(); },
    });
    const podGone = (p: K<Pod>) => {
      for (const name of claimsOf(p)) {
        const c = this.claims.get(p.metadata?.namespace, name);
        if (c?.metadata?.deletionTimestamp) this.queue.add(`c/${cacheKey(c)}`);
      }
    };
    this.pods.addHandlers({
      update: (_o, p) => { if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') podGone(p); },
      delete: podGone,
    });
  }

  private seen(o: KObject): void {
    const k = `${o.kind === 'PersistentVolume' ? 'v' : 'c'}/${cacheKey(o)}`;
    const w = this.written.get(k);
    if (w && rv(o) >= rv(w)) this.written.delete(k);
  }

  private volumeChanged(v: PV): void {
    this.seen(v);
    this.indexVolume(v, false);
    this.queue.add(`v/${cacheKey(v)}`);
    const ref = v.spec?.claimRef;
    if (ref) this.queue.add(`c/${ref.namespace}/${ref.name}`);
    else if (!v.metadata?.deletionTimestamp) this.enqueueUnboundClaims();
  }

  private indexVolume(v: PV, removed: boolean): void {
    const name = cacheKey(v);
    const was = this.claimOfVolume.get(name);
    if (was) {
      const set = this.volumesByClaim.get(was);
      set?.delete(name);
      if (set && !set.size) this.volumesByClaim.delete(was);
      this.claimOfVolume.delete(name);
    }
    const ref = v.spec?.claimRef;
    if (!removed && !ref) this.unclaimed.add(name);
    else this.unclaimed.delete(name);
    if (removed || !ref) return;
    const k = `${ref.namespace}/${ref.name}`;
    this.claimOfVolume.set(name, k);
    let s = this.volumesByClaim.get(k);
    if (!s) this.volumesByClaim.set(k, (s = new Set()));
    s.add(name);
  }

  private enqueueUnboundClaims(): void {
    for (const c of this.claims.list()) if (!c.spec?.volumeName && !c.metadata?.deletionTimestamp) this.queue.add(`c/${cacheKey(c)}`);
  }

  private claim(ns: string, name: string): PVC | undefined {
    return this.fresher(`c/${ns}/${name}`, this.claims, this.claims.get(ns, name));
  }

  private volume(name: string): PV | undefined {
    return this.fresher(`v/${name}`, this.volumes, this.volumes.get(undefined, name));
  }

  /** What we last wrote, until the cache has caught up with it (then the cache, which also knows deletions). */
  private fresher<T extends KObject>(key: string, informer: Informer<T>, cached: T | undefined): T | undefined {
    const w = this.written.get(key) as T | undefined;
    if (!w) return cached;
    if (rv(w) <= Number(informer.resourceVersion() || -1)) {
      this.written.delete(key);
      return cached;
    }
    return rv(w) > rv(cached) ? w : cached;
  }

  private remember<T extends KObject>(o: T): T {
    this.written.set(`${o.kind === 'PersistentVolume' ? 'v' : 'c'}/${cacheKey(o)}`, o);
    return o;
  }

  private once(uid: string | undefined, reason: string): boolean {
    let s = this.told.get(uid ?? '');
    if (!s) this.told.set(uid ?? '', (s = new Set()));
    if (s.has(reason)) return false;
    s.add(reason);
    return true;
  }

  // ------------------------------------------------------------ writes

  private async updateClaim(c: PVC): Promise<PVC> {
    return this.remember(await this.client.update<PVC>('persistentvolumeclaims', c.metadata?.namespace, c));
  }

  private async updateClaimStatus(c: PVC, status: PersistentVolumeClaim['status']): Promise<PVC> {
    return this.remember(await this.client.update<PVC>('persistentvolumeclaims', c.metadata?.namespace, { ...c, status }, { subresource: 'status' }));
  }

  private async updateVolume(v: PV): Promise<PV> {
    return this.remember(await this.client.update<PV>('persistentvolumes', undefined, v));
  }

  private async setVolumePhase(v: PV, phase: string, message?: string): Promise<PV> {
    if (v.status?.phase === phase && (v.status?.message ?? undefined) === message) return v;
    const status: PersistentVolume['status'] = { ...(message ? { message } : {}), phase, lastPhaseTransitionTime: rfc3339(this.now()) };
    return this.remember(await this.client.update<PV>('persistentvolumes', undefined, { ...v, status }, { subresource: 'status' }));
  }

  private withFinalizer<T extends KObject>(o: T, f: string, present: boolean): T {
    const c = structuredClone(o);
    const fs = (c.metadata!.finalizers ?? []).filter((x) => x !== f);
    if (present) fs.push(f);
    if (fs.length) c.metadata!.finalizers = fs;
    else delete c.metadata!.finalizers;
    return c;
  }

  // ------------------------------------------------------------ reconcile

  private async sync(key: string): Promise<void> {
    if (key.startsWith('c/')) {
      const rest = key.slice(2);
      const i = rest.indexOf('/');
      return this.syncClaim(rest.slice(0, i), rest.slice(i + 1));
    }
    return this.syncVolume(key.slice(2));
  }

  private async syncClaim(ns: string, name: string): Promise<void> {
    let pvc = this.claim(ns, name);
    if (!pvc) return;
    const fins = pvc.metadata?.finalizers ?? [];
    if (pvc.metadata?.deletionTimestamp) {
      if (fins.includes(PVC_PROTECTION) && !(await this.claimInUse(pvc))) {
        await this.updateClaim(this.withFinalizer(pvc, PVC_PROTECTION, false));
      }
      return;
    }
    if (!fins.includes(PVC_PROTECTION)) {
      await this.updateClaim(this.withFinalizer(pvc, PVC_PROTECTION, true));
      return;
    }
    if (pvc.spec?.storageClassName === undefined && !pvc.spec?.volumeName) {
      // Retroactive default StorageClass: a classless claim gets the default once there is one.
      const def = defaultStorageClassFor(pvc, this.classes.list());
      if (def) await this.updateClaim({ ...pvc, spec: { ...pvc.spec, storageClassName: def } });
      return;
    }
    if (pvc.spec?.volumeName) return this.syncBoundClaim(pvc);

    const candidates: PV[] = [];
    for (const n of new Set([...(this.volumesByClaim.get(`${ns}/${name}`) ?? []), ...this.unclaimed])) {
      const v = this.volume(n);
      if (v) candidates.push(v);
    }
    const match = findMatchingVolume(pvc, candidates);
    if (match) return this.bind(match as PV, pvc);

    const scName = pvc.spec?.storageClassName ?? '';
    if (!scName) {
      if (this.once(pvc.metadata?.uid, 'FailedBinding')) {
        this.binderEvents.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      return;
    }
    const sc = this.classes.get(undefined, scName);
    if (!sc) {
      if (this.once(pvc.metadata?.uid, 'ProvisioningFailed')) {
        this.binderEvents.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${scName}" not found`);
      }
      return;
    }
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata?.annotations?.[ANN_SELECTED_NODE]) {
      if (this.once(pvc.metadata?.uid, 'WaitForFirstConsumer')) {
        this.binderEvents.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      }
      return;
    }
    const ann = pvc.metadata?.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
      pvc = await this.updateClaim({
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...ann, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner } },
      });
      if (this.once(pvc.metadata?.uid, 'ExternalProvisioning')) {
        this.binderEvents.event(pvc, 'Normal', 'ExternalProvisioning',
          `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      }
    }
    if (sc.provisioner === PROVISIONER) await this.provision(pvc, sc);
  }

  /** A claim that names its volume: finish or check the binding. */
  private async syncBoundClaim(pvc: PVC): Promise<void> {
    const pv = this.volume(pvc.spec!.volumeName!) ?? (await this.liveVolume(pvc.spec!.volumeName!));
    if (!pv) {
      if (pvc.status?.phase === 'Bound') {
        await this.updateClaimStatus(pvc, { ...pvc.status, phase: 'Lost' });
        this.binderEvents.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || (ref.name === pvc.metadata?.name && ref.namespace === pvc.metadata?.namespace && (!ref.uid || ref.uid === pvc.metadata?.uid))) {
      return this.bind(pv, pvc);
    }
    if (pvc.status?.phase === 'Bound') {
      await this.updateClaimStatus(pvc, { ...pvc.status, phase: 'Lost' });
      this.binderEvents.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    } else if (this.once(pvc.metadata?.uid, 'FailedBinding')) {
      this.binderEvents.event(pvc, 'Warning', 'FailedBinding', `volume "${pv.metadata?.name}" already bound to a different claim.`);
    }
  }

  /** Binds volume and claim both ways, each step only if not done yet (restartable at any point). */
  private async bind(pv: PV, pvc: PVC): Promise<void> {
    if (pv.spec?.claimRef?.uid !== pvc.metadata?.uid) {
      const next = structuredClone(pv);
      next.spec = { ...next.spec, claimRef: claimRefFor(pvc) };
      if (!pv.spec?.claimRef) next.metadata = { ...next.metadata, annotations: { ...(next.metadata?.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' } };
      pv = await this.updateVolume(next);
    }
    pv = await this.setVolumePhase(pv, 'Bound');
    const ann = pvc.metadata?.annotations ?? {};
    if (pvc.spec?.volumeName !== pv.metadata?.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const annotations: Record<string, string> = { ...ann, [ANN_BIND_COMPLETED]: 'yes' };
      if (pvc.spec?.volumeName !== pv.metadata?.name) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pvc = await this.updateClaim({ ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: pv.metadata!.name } });
    }
    const st = pvc.status ?? {};
    if (st.phase !== 'Bound' || JSON.stringify(st.capacity ?? {}) !== JSON.stringify(pv.spec?.capacity ?? {})
      || JSON.stringify(st.accessModes ?? []) !== JSON.stringify(pv.spec?.accessModes ?? [])) {
      await this.updateClaimStatus(pvc, { ...st, phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity });
    }
  }

  private async provision(pvc: PVC, sc: K<StorageClass>): Promise<void> {
    const name = provisionedVolumeName(pvc);
    if (this.volume(name) || (await this.liveVolume(name))) return; // binding follows from the volume's events
    const fail = (msg: string) => {
      this.provisionerEvents.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${msg}`);
    };
    if (!this.dataDir) {
      if (this.once(pvc.metadata?.uid, 'ProvisioningFailed')) fail('no data directory is configured for local-path volumes');
      return;
    }
    if ((pvc.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') {
      if (this.once(pvc.metadata?.uid, 'ProvisioningFailed')) fail('only Filesystem volume mode is supported');
      return;
    }
    this.provisionerEvents.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${pvc.metadata?.namespace}/${pvc.metadata?.name}"`);
    let path: string;
    try {
      path = await createVolumeDir(this.dataDir, volumeDirName(name, pvc.metadata!.namespace!, pvc.metadata!.name!));
    } catch (e) {
      fail(errText(e));
      throw e;
    }
    const selected = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    try {
      const created = await this.client.create<PV>('persistentvolumes', undefined, provisionedVolume(pvc, sc, path, selected ?? this.nodeName) as PV);
      this.remember(created);
    } catch (e) {
      if (isStatusError(e, 'AlreadyExists')) return;
      fail(errText(e));
      throw e;
    }
    this.provisionerEvents.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
  }

  private async syncVolume(name: string): Promise<void> {
    let pv = this.volume(name);
    if (!pv) return;
    const fins = pv.metadata?.finalizers ?? [];
    if (pv.metadata?.deletionTimestamp) {
      if (fins.includes(PV_PROTECTION) && pv.status?.phase !== 'Bound') await this.updateVolume(this.withFinalizer(pv, PV_PROTECTION, false));
      return;
    }
    if (!fins.includes(PV_PROTECTION)) {
      await this.updateVolume(this.withFinalizer(pv, PV_PROTECTION, true));
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || !ref.uid) {
      await this.setVolumePhase(pv, 'Available');
      if (ref) this.queue.add(`c/${ref.namespace}/${ref.name}`);
      return;
    }
    const ns = ref.namespace ?? '';
    const claim = this.claim(ns, ref.name ?? '') ?? (await this.liveClaim(ns, ref.name ?? ''));
    if (claim && claim.metadata?.uid === ref.uid) {
      const vn = claim.spec?.volumeName;
      if (vn === name) await this.setVolumePhase(pv, 'Bound');
      else if (!vn) this.queue.add(`c/${ns}/${ref.name}`);
      else if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
        // We bound it to a claim that went to another volume: make it available again.
        const next = structuredClone(pv);
        delete next.spec!.claimRef;
        delete next.metadata!.annotations![ANN_BOUND_BY_CONTROLLER];
        pv = await this.updateVolume(next);
        await this.setVolumePhase(pv, 'Available');
      } else await this.setVolumePhase(pv, 'Released');
      return;
    }
    // The claim is gone: release, then reclaim as the policy says.
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await this.setVolumePhase(pv, 'Released');
    if (pv.status?.phase === 'Failed') return;
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Recycle') {
      if (this.once(pv.metadata?.uid, 'VolumeFailedRecycle')) this.binderEvents.event(pv, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
      return;
    }
    if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== PROVISIONER) {
      const msg = `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
      this.binderEvents.event(pv, 'Warning', 'VolumeFailedDelete', msg);
      await this.setVolumePhase(pv, 'Failed', msg);
      return;
    }
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (path) {
      if (!this.dataDir || !isInsideVolumes(this.dataDir, path)) {
        const msg = `refusing to delete ${path}: not a local-path volume directory of this server`;
        this.provisionerEvents.event(pv, 'Warning', 'VolumeFailedDelete', msg);
        await this.setVolumePhase(pv, 'Failed', msg);
        return;
      }
      try {
        await removeVolumeDir(this.dataDir, path);
      } catch (e) {
        this.provisionerEvents.event(pv, 'Warning', 'VolumeFailedDelete', errText(e));
        await this.setVolumePhase(pv, 'Failed', errText(e));
        return;
      }
    }
    try {
      await this.client.delete('persistentvolumes', undefined, name, { preconditions: { uid: pv.metadata?.uid } });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Whether a scheduled, unfinished pod refers to the claim (cache first, then the API to be sure). */
  private async claimInUse(pvc: PVC): Promise<boolean> {
    const ns = pvc.metadata?.namespace ?? '';
    const name = pvc.metadata?.name ?? '';
    if (this.pods.list(ns).some((p) => podUsesClaim(p, name))) return true;
    const live = await this.client.list<K<Pod>>('pods', ns);
    return live.items.some((p) => podUsesClaim(p, name));
  }

  private async liveVolume(name: string): Promise<PV | undefined> {
    try {
      return await this.client.get<PV>('persistentvolumes', undefined, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  private async liveClaim(ns: string, name: string): Promise<PVC | undefined> {
    try {
      return await this.client.get<PVC>('persistentvolumeclaims', ns, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }
}
