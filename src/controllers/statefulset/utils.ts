// Pure helpers of the StatefulSet controller: ordinals and names, the identity
// and storage a member pod must have, the pod and claims built for an ordinal,
// pod health predicates, and the claim ownerReferences that implement
// persistentVolumeClaimRetentionPolicy. Nothing here talks to the API.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodCondition, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export const RETAIN = 'Retain';
export const DELETE = 'Delete';

const STATEFUL_POD = /^(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The parent set name and ordinal encoded in a pod name; ordinal -1 when it does not parse. */
export function parseOrdinal(name: string): { parent: string; ordinal: number } {
  const m = STATEFUL_POD.exec(name);
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1], ordinal: Number.isSafeInteger(n) && n <= MAX_INT32 ? n : -1 };
}

export function getOrdinal(pod: Pod): number {
  return parseOrdinal(pod.metadata?.name ?? '').ordinal;
}

export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parseOrdinal(pod.metadata?.name ?? '').parent === set.metadata?.name;
}

export function specReplicas(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The last ordinal in range (inclusive); start - 1 when replicas is 0. */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + specReplicas(set) - 1;
}

export function inOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: string, ordinal: number): string {
  return `${template}-${set.metadata?.name}-${ordinal}`;
}

export function isParallel(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

export function isOnDelete(set: StatefulSet): boolean {
  return set.spec?.updateStrategy?.type === 'OnDelete';
}

// ---------------------------------------------------------------------------
// Pod predicates (phase, readiness, availability, termination).

export function podPhase(pod: Pod): string {
  return pod.status?.phase ?? '';
}
export const isCreated = (pod: Pod) => podPhase(pod) !== '';
export const isPending = (pod: Pod) => podPhase(pod) === 'Pending';
export const isFailed = (pod: Pod) => podPhase(pod) === 'Failed';
export const isSucceeded = (pod: Pod) => podPhase(pod) === 'Succeeded';
export const isTerminating = (pod: Pod) => !!pod.metadata?.deletionTimestamp;

export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

export function isRunningAndReady(pod: Pod): boolean {
  return podPhase(pod) === 'Running' && isPodReady(pod);
}

/** Ready for at least minReadySeconds (strictly before now), as podutil.IsPodAvailable. Phase is not checked. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  if (!c.lastTransitionTime) return false;
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 < now;
}

export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

/** Milliseconds until a Ready pod becomes available, or undefined if it is not Ready or already available. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return undefined;
  const at = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000;
  return at < now ? undefined : at - now + 1;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata?.labels?.[REVISION_LABEL] ?? '';
}

// ---------------------------------------------------------------------------
// Identity and storage.

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parseOrdinal(pod.metadata?.name ?? '');
  return ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[POD_NAME_LABEL] === pod.metadata?.name;
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = t.metadata?.name ?? '';
    const v = volumes.get(name);
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== claimName(set, name, ordinal)) return false;
  }
  return true;
}

/** The claims a member pod with this ordinal uses, one per volumeClaimTemplate, in template order. */
export function podClaims(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const meta = t.metadata ?? {};
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, meta.name ?? '', ordinal),
        namespace: set.metadata?.namespace,
        labels: { ...(meta.labels ?? {}), ...matchLabels },
      },
      spec: structuredClone(t.spec ?? {}),
    };
    if (meta.annotations) claim.metadata!.annotations = { ...meta.annotations };
    if (meta.finalizers) claim.metadata!.finalizers = [...meta.finalizers];
    return claim;
  });
}

/** Pod volumes with one volume per claim template pointing at the pod's claim, then the others. */
export function updatedVolumes(set: StatefulSet, ordinal: number, current: Volume[] = []): Volume[] {
  const templates = (set.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '');
  const names = new Set(templates);
  const volumes: Volume[] = templates.map((t) => ({
    name: t,
    persistentVolumeClaim: { claimName: claimName(set, t, ordinal) },
  }));
  for (const v of current) if (!names.has(v.name)) volumes.push(v);
  return volumes;
}

/** Labels with the identity labels of the pod with this ordinal. */
export function identityLabels(set: StatefulSet, ordinal: number, labels: Record<string, string> = {}): Record<string, string> {
  return { ...labels, [POD_NAME_LABEL]: podName(set, ordinal), [POD_INDEX_LABEL]: String(ordinal) };
}

export function controllerRef(set: StatefulSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: set.metadata?.name ?? '',
    uid: set.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerRefOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

/** A new pod for ordinal built from set's template, labelled with revision. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const tmpl = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${set.metadata?.name}-`,
      namespace: set.metadata?.namespace,
      labels: { ...identityLabels(set, ordinal, tmpl.metadata?.labels ?? {}), [REVISION_LABEL]: revision },
      ownerReferences: [controllerRef(set)],
    },
    spec: structuredClone(tmpl.spec ?? { containers: [] }),
  };
  if (tmpl.metadata?.annotations) pod.metadata!.annotations = { ...tmpl.metadata.annotations };
  if (tmpl.metadata?.finalizers) pod.metadata!.finalizers = [...tmpl.metadata.finalizers];
  pod.spec!.hostname = name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  const volumes = updatedVolumes(set, ordinal, pod.spec!.volumes);
  if (volumes.length) pod.spec!.volumes = volumes;
  return pod;
}

// ---------------------------------------------------------------------------
// Claim ownerReferences for persistentVolumeClaimRetentionPolicy.

export interface RetentionPolicy {
  whenDeleted: string;
  whenScaled: string;
}

export function retentionPolicy(set: StatefulSet): RetentionPolicy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? RETAIN, whenScaled: p?.whenScaled ?? RETAIN };
}

interface Owner { kind: string; group: string; name: string; uid: string }

function setOwner(set: StatefulSet): Owner {
  return { kind: 'StatefulSet', group: 'apps', name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '' };
}
function podOwner(pod: Pod): Owner {
  return { kind: 'Pod', group: '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

function refGroup(ref: OwnerReference): string {
  const i = ref.apiVersion.indexOf('/');
  return i < 0 ? '' : ref.apiVersion.slice(0, i);
}

function sameKind(ref: OwnerReference, o: Owner): boolean {
  return ref.kind === o.kind && refGroup(ref) === o.group;
}

function matchesRef(ref: OwnerReference, o: Owner): boolean {
  return sameKind(ref, o) && ref.name === o.name && ref.uid === o.uid;
}

function hasRef(claim: PersistentVolumeClaim, o: Owner): boolean {
  return (claim.metadata?.ownerReferences ?? []).some((r) => matchesRef(r, o));
}

/** A ref naming this owner with another UID: left by a previous incarnation, owned by the garbage collector. */
function hasStaleRef(claim: PersistentVolumeClaim, o: Owner): boolean {
  return (claim.metadata?.ownerReferences ?? []).some((r) => sameKind(r, o) && r.name === o.name && r.uid !== o.uid);
}

/** True if a controller other than the set or the pod manages the claim. */
export function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const s = setOwner(set);
  const p = podOwner(pod);
  return (claim.metadata?.ownerReferences ?? []).some((r) => r.controller && !matchesRef(r, s) && !matchesRef(r, p));
}

/** A claim of a not-yet-created pod is stale if a previous pod with that name still owns it (whenScaled=Delete). */
export function claimIsStale(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return retentionPolicy(set).whenScaled !== RETAIN && hasStaleRef(claim, podOwner(pod));
}

/** Whether the claim's ownerReferences already say what the retention policy asks for this pod. */
export function isClaimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const s = setOwner(set);
  const p = podOwner(pod);
  if (hasStaleRef(claim, s) || hasStaleRef(claim, p)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !hasRef(claim, s) && !hasRef(claim, p);
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const wantSet = policy.whenDeleted === DELETE && !(policy.whenScaled === DELETE && scaledDown);
  const wantPod = policy.whenScaled === DELETE && scaledDown;
  return hasRef(claim, s) === wantSet && hasRef(claim, p) === wantPod;
}

/** The claim's ownerReferences rewritten for the retention policy: our refs replaced, others kept. */
export function claimOwnerRefsFor(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const s = setOwner(set);
  const p = podOwner(pod);
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs = (claim.metadata?.ownerReferences ?? []).filter((r) => !matchesRef(r, s) && !matchesRef(r, p));
  if (unexpected) return refs;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  if (policy.whenScaled === DELETE && scaledDown) {
    refs.push({ apiVersion: 'v1', kind: 'Pod', name: p.name, uid: p.uid, controller: true, blockOwnerDeletion: true });
  } else if (policy.whenDeleted === DELETE) {
    refs.push(controllerRef(set));
  }
  return refs;
}
