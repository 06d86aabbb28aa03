// Pod and Service predicates the endpoints and EndpointSlice controllers share
// (Kubernetes' endpointslice/util and pkg/api/v1/pod helpers).
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

/**
 * Whether a pod belongs in Endpoints/EndpointSlices at all: not finished, has
 * an IP, and (unless terminating pods are wanted) not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length)) return false;
  if (!includeTerminating && isPodTerminating(pod)) return false;
  return true;
}

/** A pod's DNS hostname is published only for the Service its subdomain names. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None';
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The pod's addresses of one family, from status.podIPs (falling back to status.podIP). */
export function podIPsOfFamily(pod: Pod, family: 'IPv4' | 'IPv6'): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip): ip is string => !!ip && isIPv6(ip) === (family === 'IPv6'));
}

/**
 * The container port a service port targets: a number is used as is; a name is
 * looked up among the named ports (same protocol) of the containers and of
 * sidecar init containers. Undefined when nothing matches.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  const protocol = sp.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Whether a Service selector (a plain label map) selects these labels. An absent selector selects nothing. */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (l[k] !== v) return false;
  return true;
}

/** The address families a Service publishes. ordinal is single-stack IPv4 unless the Service says otherwise. */
export function addressTypesFor(svc: Service): ('IPv4' | 'IPv6')[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  if (fams.length) return [...new Set(fams)];
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None' && isIPv6(ip)) return ['IPv6'];
  return ['IPv4'];
}
