// ControllerRevisions: the pod-template history of a StatefulSet. A revision
// holds `{"spec":{"template":{...,"$patch":"replace"}}}`, the strategic merge
// patch that restores the template, stored as compact sorted-key JSON of the
// template as Go would encode it, so `kubectl rollout undo` recognises a no-op.
// Its name is `<set>-<hash>` where hash is FNV-1 (32 bit) of those bytes plus
// the collision count, written in Kubernetes' "safe" alphabet.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { controllerRef, getPodRevision } from './utils.js';

export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** 32-bit FNV-1 (multiply, then xor), as Go's hash/fnv New32. */
export function fnv1_32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** k8s.io/apimachinery/pkg/util/rand.SafeEncodeString. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** A deep copy with object keys in byte order (as Go marshals maps); undefined members dropped. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(byteOrder)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compact JSON with sorted keys and Go's HTML-safe escapes (<, >, &, U+2028, U+2029). */
export function goJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The template as Go encodes a PodTemplateSpec: fields that are structs in
 * Go are always emitted (`metadata.creationTimestamp: null`, each container's
 * `resources: {}`), so the stored data equals kubectl's own encoding.
 */
export function goTemplate(template: PodTemplateSpec | undefined): Record<string, unknown> {
  const t = structuredClone(template ?? {}) as Record<string, any>;
  t.metadata = t.metadata ?? {};
  if (t.metadata.creationTimestamp === undefined) t.metadata.creationTimestamp = null;
  t.spec = t.spec ?? {};
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of t.spec[list] ?? []) if (c && c.resources === undefined) c.resources = {};
  }
  if (t.spec.containers === undefined) t.spec.containers = null;
  return t;
}

// Encodings are memoised per object: informer caches hand out the same
// objects until they change, and a sync encodes every revision it compares.
const encodedData = new WeakMap<object, string>();
const templateData = new WeakMap<object, { data: Record<string, unknown>; bytes: string }>();

function encodeTemplate(template: PodTemplateSpec | undefined): { data: Record<string, unknown>; bytes: string } {
  const hit = template && templateData.get(template);
  if (hit) return hit;
  const data = sortKeys({ spec: { template: { ...goTemplate(template), $patch: 'replace' } } }) as Record<string, unknown>;
  const out = { data, bytes: goJSON(data) };
  if (template) templateData.set(template, out);
  return out;
}

/** The revision data for a set: the patch restoring its template, keys sorted. */
export function revisionData(set: StatefulSet): Record<string, unknown> {
  return structuredClone(encodeTemplate(set.spec?.template).data);
}

export function dataBytes(rev: ControllerRevision): string {
  const data = rev.data as object | undefined;
  if (!data || typeof data !== 'object') return goJSON(data ?? null);
  let bytes = encodedData.get(data);
  if (bytes === undefined) encodedData.set(data, (bytes = goJSON(data)));
  return bytes;
}

export function hashRevision(data: string, collisionCount?: number): string {
  let h = fnv1_32(Buffer.from(data, 'utf8'));
  if (collisionCount !== undefined) h = fnv1_32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncode(String(h));
}

export function revisionName(setName: string, hash: string): string {
  return `${setName.length > 223 ? setName.slice(0, 223) : setName}-${hash}`;
}

/** A new (not yet stored) revision of the set's current template. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  // The encoded data is shared between revisions of equal templates; never mutate it.
  const { data, bytes } = encodeTemplate(set.spec?.template);
  encodedData.set(data, bytes);
  const hash = hashRevision(bytes, collisionCount);
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata?.name ?? '', hash),
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef(set)],
    },
    data,
    revision,
  };
  if (set.metadata?.annotations && Object.keys(set.metadata.annotations).length) {
    rev.metadata!.annotations = { ...set.metadata.annotations };
  }
  return rev;
}

/** Sorted by revision number, then creation time, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return byteOrder(a.metadata?.name ?? '', b.metadata?.name ?? '');
  });
}

export function nextRevisionNumber(sorted: ControllerRevision[]): number {
  return sorted.length ? sorted[sorted.length - 1].revision + 1 : 1;
}

function intHash(rev: ControllerRevision): number | undefined {
  const h = rev.metadata?.labels?.[REVISION_HASH_LABEL];
  return h !== undefined && /^-?[0-9]+$/.test(h) ? Number(h) : undefined;
}

/** history.EqualRevision: hash labels first when both are integers, then the data bytes. */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  const ha = intHash(a);
  const hb = intHash(b);
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return dataBytes(a) === dataBytes(b);
}

export function findEqualRevisions(sorted: ControllerRevision[], rev: ControllerRevision): ControllerRevision[] {
  return sorted.filter((r) => equalRevision(r, rev));
}

/** The template a revision restores (its data without the `$patch` directive). */
export function revisionTemplate(rev: ControllerRevision): PodTemplateSpec {
  const t = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {};
  const { $patch: _, ...template } = t;
  return template as PodTemplateSpec;
}

/** The set with the revision's template, as the strategic merge patch would leave it. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...set.spec!, template: revisionTemplate(rev) } };
}

/**
 * Revisions to delete to keep at most revisionHistoryLimit non-live ones,
 * oldest first. Live: the current and update revisions and any revision a
 * pod is labelled with. A negative limit keeps everything.
 */
export function revisionsToTruncate(
  set: StatefulSet, pods: Pod[], sorted: ControllerRevision[], live: (string | undefined)[],
): ControllerRevision[] {
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  if (limit < 0) return [];
  const liveNames = new Set<string>(live.filter((x): x is string => !!x));
  for (const p of pods) liveNames.add(getPodRevision(p));
  const history = sorted.filter((r) => !liveNames.has(r.metadata?.name ?? ''));
  return history.length <= limit ? [] : history.slice(0, history.length - limit);
}
