// The EndpointSlices a Service with a selector should have (Kubernetes'
// endpointslice reconciler): endpoints grouped by their resolved ports, at
// most maxEndpointsPerSlice per slice, existing slices kept and filled before
// new ones are made, and a placeholder slice when there is nothing to list.
// Pure: given the world, it returns the writes to make, none when nothing changed.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, SLICE_CONTROLLER_NAME, addressTypesFor, findPort, isHeadless,
  isPodReady, isPodTerminating, podIPsOfFamily, shouldPodBeInEndpoints, shouldSetHostname,
} from './pods.js';

export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

type AddressType = 'IPv4' | 'IPv6';

export function podToEndpoint(pod: Pod, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = isPodTerminating(pod);
  // A terminating pod is never "ready" unless the Service publishes not-ready addresses.
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPsOfFamily(pod, addressType),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** The ports of a pod's endpoint: each service port whose target resolves on this pod. */
export function endpointSlicePorts(svc: Service, pod: Pod): EndpointPort[] {
  const ports = svc.spec?.ports ?? [];
  const out: EndpointPort[] = [];
  if (ports.length === 0 && isHeadless(svc)) return out;
  for (const sp of ports) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port: n };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

const portOne = (p: EndpointPort) => `${p.name ?? ''}\0${p.protocol ?? ''}\0${p.port ?? ''}\0${p.appProtocol ?? ''}`;

export function portMapKey(ports: EndpointPort[] | undefined): string {
  return (ports ?? []).map(portOne).sort().join('\n');
}

/** Identity of an endpoint within a slice (Kubernetes hashes addresses, hostname and target). */
export function endpointKey(ep: Endpoint): string {
  const t = ep.targetRef;
  return [[...ep.addresses].sort().join(','), ep.hostname ?? '', t?.namespace ?? '', t?.name ?? '', t?.uid ?? ''].join('\0');
}

/** Equal in everything endpointKey does not cover (the target's resourceVersion aside). */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  if ((a.nodeName ?? null) !== (b.nodeName ?? null)) return false;
  if ((a.zone ?? null) !== (b.zone ?? null)) return false;
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  if ((ca.ready ?? null) !== (cb.ready ?? null)) return false;
  if ((ca.serving ?? null) !== (cb.serving ?? null)) return false;
  if ((ca.terminating ?? null) !== (cb.terminating ?? null)) return false;
  const ta = a.targetRef ?? {};
  const tb = b.targetRef ?? {};
  return ta.kind === tb.kind && ta.namespace === tb.namespace && ta.name === tb.name && ta.uid === tb.uid
    && ta.apiVersion === tb.apiVersion && ta.fieldPath === tb.fieldPath;
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

const isReservedLabel = (k: string) => k === LABEL_SERVICE_NAME || k === LABEL_MANAGED_BY || k === LABEL_HEADLESS;

/** A slice's labels: the Service's (reserved keys aside) plus service-name, managed-by and headless. */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const have: Record<string, string> = {};
  const want: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata?.labels ?? {})) if (!isReservedLabel(k)) have[k] = v;
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!isReservedLabel(k)) want[k] = v;
  const changed = Object.keys(have).length !== Object.keys(want).length || Object.entries(want).some(([k, v]) => have[k] !== v);
  if (isHeadless(svc)) want[LABEL_HEADLESS] = '';
  want[LABEL_SERVICE_NAME] = svc.metadata!.name!;
  want[LABEL_MANAGED_BY] = SLICE_CONTROLLER_NAME;
  return { labels: want, changed };
}

export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata!.name}-`,
      namespace: svc.metadata!.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [serviceOwnerRef(svc)],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

function sortedPods(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => {
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/**
 * Plans the writes that bring a Service's slices (those labelled with its name
 * and managed by this controller) to the desired state.
 */
export function reconcileSlices(svc: Service, pods: Pod[], existing: EndpointSlice[], maxPerSlice = DEFAULT_MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const supported = addressTypesFor(svc);
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!supported.includes(s.addressType as AddressType)) plan.delete.push(s);
    else byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
  }
  const ordered = sortedPods(pods);
  for (const t of supported) {
    const p = reconcileByAddressType(svc, ordered, byType.get(t) ?? [], t, maxPerSlice);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  return plan;
}

interface Desired {
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function reconcileByAddressType(svc: Service, pods: Pod[], existing: EndpointSlice[], addressType: AddressType, maxPerSlice: number): SlicePlan {
  const toCreate: EndpointSlice[] = [];
  const toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) { toDelete.push(s); continue; }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }
  const desired = new Map<string, Desired>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointSlicePorts(svc, pod);
    const k = portMapKey(ports);
    let d = desired.get(k);
    if (!d) desired.set(k, (d = { ports, endpoints: new Map() }));
    const ep = podToEndpoint(pod, svc, addressType);
    if (ep.addresses.length) d.endpoints.set(endpointKey(ep), ep);
  }
  for (const [k, d] of desired) {
    const r = reconcileByPorts(svc, existingByPorts.get(k) ?? [], d, addressType, maxPerSlice);
    toCreate.push(...r.create);
    toUpdate.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) toDelete.push(...slices);

  // With nothing to list, a Service still gets one empty (placeholder) slice.
  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType);
    if (toDelete.length === 1 && isSamePlaceholder(toDelete[0], placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  // Reuse slices about to be deleted for slices about to be created: an update instead of a delete + create.
  for (let i = 0; i < toDelete.length && toCreate.length > 0;) {
    const old = toDelete[i];
    if (old.addressType === addressType && ownedBy(old, svc)) {
      const slice = toCreate.pop()!;
      const { generateName: _g, ...meta } = slice.metadata!;
      slice.metadata = { ...meta, name: old.metadata!.name, resourceVersion: old.metadata!.resourceVersion };
      toUpdate.push(slice);
      toDelete.splice(i, 1);
    } else i++;
  }
  return { create: toCreate, update: toUpdate, delete: toDelete };
}

function isSamePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  const la = a.metadata?.labels ?? {};
  const lb = b.metadata?.labels ?? {};
  const sameLabels = Object.keys(la).length === Object.keys(lb).length && Object.entries(la).every(([k, v]) => lb[k] === v);
  return a.metadata?.namespace === b.metadata?.namespace && sameLabels
    && JSON.stringify(a.metadata?.ownerReferences ?? []) === JSON.stringify(b.metadata?.ownerReferences ?? [])
    && a.addressType === b.addressType && (a.endpoints ?? []).length === 0 && (a.ports ?? []).length === 0;
}

function reconcileByPorts(svc: Service, existing: EndpointSlice[], desired: Desired, addressType: AddressType, maxPerSlice: number): SlicePlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];
  const want = new Map(desired.endpoints);

  // 1. Keep wanted endpoints where they are, drop unwanted ones, refresh changed ones.
  for (const s of existing) {
    const name = s.metadata!.name!;
    byName.set(name, s);
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep);
      const got = want.get(k);
      if (!got) continue;
      kept.push(got);
      if (!endpointsEqualBeyondKey(got, ep)) endpointChanged = true;
      want.delete(k);
    }
    const { labels, changed: labelsChanged } = sliceLabels(s, svc);
    if (endpointChanged || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(name);
      else {
        byName.set(name, { ...structuredClone(s), endpoints: kept, metadata: { ...structuredClone(s.metadata), labels } });
        toUpdate.push(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...structuredClone(s), metadata: { ...structuredClone(s.metadata), labels } });
      toUpdate.push(name);
    } else unchanged.push(name);
  }
  const pending = [...want.values()];

  // 2. Fill the slices being updated anyway, fullest first.
  if (pending.length && toUpdate.length) {
    const slices = toUpdate.map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) while (pending.length && s.endpoints.length < maxPerSlice) s.endpoints.push(pending.shift()!);
  }

  // 3. Put what is left in one unchanged slice that fits it, else in new slices.
  const create: EndpointSlice[] = [];
  while (pending.length) {
    let fill: EndpointSlice | undefined;
    if (pending.length < maxPerSlice && unchanged.length) {
      const pick = sliceToFill(unchanged.map((n) => byName.get(n)!), pending.length, maxPerSlice);
      if (pick) {
        fill = structuredClone(pick);
        byName.set(fill.metadata!.name!, fill);
      }
    }
    if (!fill) fill = newEndpointSlice(svc, desired.ports, addressType);
    while (pending.length && fill.endpoints.length < maxPerSlice) fill.endpoints.push(pending.shift()!);
    const name = fill.metadata?.name;
    if (name) {
      toUpdate.push(name);
      unchanged.splice(unchanged.indexOf(name), 1);
    } else create.push(fill);
  }
  return { create, update: toUpdate.map((n) => byName.get(n)!), delete: toDelete.map((n) => byName.get(n)!) };
}

/** The slice that ends up closest to full after taking n endpoints, if any fits. */
function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let closest = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}
