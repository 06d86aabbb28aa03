// The core/v1 Endpoints a Service with a selector should have (Kubernetes'
// endpoints controller, syncService): one address per pod with an IP, ready
// or not ready, grouped into subsets of identical ports, in canonical order.
import type {
  EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service, ServicePort,
} from 'kubernetes-types/core/v1.js';
import {
  ANNOTATION_OVER_CAPACITY, LABEL_HEADLESS, addressTypesFor, findPort, isHeadless, isPodReady, podIPsOfFamily,
  shouldPodBeInEndpoints, shouldSetHostname,
} from './pods.js';

/** Addresses an Endpoints object holds at most; beyond it the controller truncates and says so. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  const family = addressTypesFor(svc)[0];
  const ip = podIPsOfFamily(pod, family)[0];
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
  addr.nodeName = pod.spec?.nodeName ?? '';
  addr.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
  return addr;
}

function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const ep: EndpointPort = sp.name ? { name: sp.name, port } : { port };
  ep.protocol = sp.protocol ?? 'TCP';
  if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
  return ep;
}

/** The subsets for a Service, from all pods in its namespace (the selector is applied here). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const ports = svc.spec?.ports ?? [];
  // address key -> (address, port key -> ready); not-ready wins over ready for the same address and port.
  const entries: { addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      // A headless Service may have no ports: its addresses still count.
      if (isHeadless(svc)) entries.push({ addr, ready, ports: [] });
      continue;
    }
    const eps: EndpointPort[] = [];
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n !== undefined) eps.push(endpointPort(sp, n));
    }
    if (eps.length) entries.push({ addr, ready, ports: eps });
  }
  return repackSubsets(entries);
}

const addrKey = (a: EndpointAddress) => `${a.ip}\0${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}\0${p.port}\0${p.protocol ?? ''}\0${p.appProtocol ?? ''}`;

export function lessAddress(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip));
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Canonical layout (RepackSubsets + SortSubsets): each distinct set of
 * addresses (with readiness) gets one subset holding every port those
 * addresses offer; addresses sorted by IP then pod UID.
 */
function repackSubsets(entries: { addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, boolean> }>();
  for (const e of entries) {
    const ak = addrKey(e.addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, e.addr);
    const plist: (EndpointPort | undefined)[] = e.ports.length ? e.ports : [undefined];
    for (const p of plist) {
      const pk = p ? portKey(p) : '\u0001noports';
      let slot = byPort.get(pk);
      if (!slot) byPort.set(pk, (slot = { port: p, addrs: new Map() }));
      const was = slot.addrs.get(ak);
      if (was === undefined || was) slot.addrs.set(ak, e.ready);
    }
  }
  // Group ports by the identical (address, readiness) set they are offered on.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const slot of byPort.values()) {
    const k = [...slot.addrs.entries()].map(([a, r]) => `${a}=${r ? 1 : 0}`).sort().join('\n');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { addrs: slot.addrs, ports: [] }));
    if (slot.port) g.ports.push(slot.port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.addrs) (r ? ready : notReady).push(allAddrs.get(ak)!);
    ready.sort(lessAddress);
    notReady.sort(lessAddress);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (g.ports.length) s.ports = [...g.ports].sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
    subsets.push(s);
  }
  return subsets.sort((a, b) => {
    const ka = JSON.stringify(a);
    const kb = JSON.stringify(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/**
 * Truncates to MAX_ENDPOINTS_CAPACITY addresses, ready ones first, spreading
 * the cut over subsets in proportion to their size. Returns whether it cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_ENDPOINTS_CAPACITY) return false;
  const truncateReady = totalReady > MAX_ENDPOINTS_CAPACITY;
  const max = truncateReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const n = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(canBeAdded, Math.ceil((n / numTotal) * max));
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses.length;
    }
  }
  return true;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

function withoutRV(subsets: EndpointSubset[] | undefined): string {
  return JSON.stringify(subsets ?? [], (k, v) => (k === 'resourceVersion' ? undefined : v));
}

/**
 * The Endpoints object to write for a Service, or undefined when `current`
 * already says the same (so an unchanged world causes no writes). Labels are
 * the Service's, plus `service.kubernetes.io/headless` for headless ones.
 */
export function desiredEndpoints(svc: Service, pods: Pod[], current: Endpoints | undefined): Endpoints | undefined {
  const subsets = desiredSubsets(svc, pods);
  const svcLabels = svc.metadata?.labels ?? {};
  if (current) {
    const { [LABEL_HEADLESS]: _h, ...compareLabels } = current.metadata?.labels ?? {};
    const count = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
    const capacityOk = count <= MAX_ENDPOINTS_CAPACITY && !(ANNOTATION_OVER_CAPACITY in (current.metadata?.annotations ?? {}));
    const headlessOk = isHeadless(svc) === (LABEL_HEADLESS in (current.metadata?.labels ?? {}));
    if (withoutRV(current.subsets) === withoutRV(subsets) && sameLabels(compareLabels, svcLabels) && capacityOk && headlessOk) {
      return undefined;
    }
  }
  const next: Endpoints = current ? structuredClone(current) : {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace },
  };
  const meta = next.metadata!;
  const labels: Record<string, string> = { ...svcLabels };
  if (isHeadless(svc)) labels[LABEL_HEADLESS] = '';
  else delete labels[LABEL_HEADLESS];
  meta.labels = labels;
  if (!Object.keys(labels).length) delete meta.labels;
  const annotations = { ...(meta.annotations ?? {}) };
  if (truncateSubsets(subsets)) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
  else delete annotations[ANNOTATION_OVER_CAPACITY];
  meta.annotations = annotations;
  if (!Object.keys(annotations).length) delete meta.annotations;
  if (subsets.length) next.subsets = subsets;
  else delete next.subsets;
  return next;
}
