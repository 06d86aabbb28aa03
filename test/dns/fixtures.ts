// Fabricated Services, EndpointSlices and Pods, shaped as the registry and
// the endpoints controller write them.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice, EndpointPort } from 'kubernetes-types/discovery/v1.js';

export function service(
  name: string, opts: { ns?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[]; externalName?: string } = {},
): Service {
  const spec: Service['spec'] = opts.externalName
    ? { type: 'ExternalName', externalName: opts.externalName }
    : {
      type: 'ClusterIP',
      clusterIP: opts.clusterIP ?? 'None',
      clusterIPs: opts.clusterIPs ?? [opts.clusterIP ?? 'None'],
      ports: opts.ports ?? [{ name: 'web', port: 80, protocol: 'TCP' }],
    };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: opts.ns ?? 'default' }, spec };
}

export interface Ep { ip: string; hostname?: string; ready?: boolean | null }

export function slice(
  svc: string, eps: Ep[], opts: { ns?: string; name?: string; ports?: EndpointPort[]; addressType?: 'IPv4' | 'IPv6' } = {},
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: opts.name ?? `${svc}-abcde`,
      namespace: opts.ns ?? 'default',
      labels: { 'kubernetes.io/service-name': svc },
    },
    addressType: opts.addressType ?? 'IPv4',
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      ...(e.hostname ? { hostname: e.hostname } : {}),
      conditions: e.ready === null ? {} : { ready: e.ready ?? true },
    })),
    ports: opts.ports ?? [{ name: 'web', port: 8080, protocol: 'TCP' }],
  };
}

export function pod(name: string, ip: string, ns = 'default'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}
