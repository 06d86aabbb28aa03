// The names the DNS benchmark serves: 80 ClusterIP Services and a 20-pod
// headless Service (`web-N.nginx`), as ordinal objects and as dnsmasq
// host records, so both servers answer the same 100 A queries.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Client, KObject, ObjectList, Watch } from '../../src/client/types.js';
import type { ResourceKey } from '../../src/api/resources.js';

export const ZONE = 'cluster.local';

export interface BenchName { name: string; ip: string }

export function benchNames(): BenchName[] {
  const out: BenchName[] = [];
  for (let i = 0; i < 80; i++) out.push({ name: `svc-${String(i).padStart(3, '0')}.default.svc.${ZONE}`, ip: `10.96.1.${i + 1}` });
  for (let i = 0; i < 20; i++) out.push({ name: `web-${i}.nginx.default.svc.${ZONE}`, ip: `127.0.1.${i + 10}` });
  return out;
}

export function benchObjects(): Record<string, KObject[]> {
  const services: Service[] = [];
  for (let i = 0; i < 80; i++) {
    const ip = `10.96.1.${i + 1}`;
    services.push({
      metadata: { name: `svc-${String(i).padStart(3, '0')}`, namespace: 'default' },
      spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
  }
  services.push({ metadata: { name: 'nginx', namespace: 'default' }, spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'web', port: 80 }] } });
  const slice: EndpointSlice = {
    metadata: { name: 'nginx-bench', namespace: 'default', labels: { 'kubernetes.io/service-name': 'nginx' } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: 20 }, (_, i) => ({ addresses: [`127.0.1.${i + 10}`], hostname: `web-${i}`, conditions: { ready: true } })),
    ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
  };
  const pods: Pod[] = [];
  return {
    services: services as KObject[],
    'endpointslices.discovery.k8s.io': [slice as unknown as KObject],
    pods: pods as KObject[],
  };
}

/** A Client over fixed objects: lists them, never changes. */
export function staticClient(objects: Record<string, KObject[]>): Client {
  const nope = (): never => { throw new Error('read-only benchmark client'); };
  return {
    async list<T extends KObject>(res: ResourceKey): Promise<ObjectList<T>> {
      return { items: (objects[res] ?? []) as T[], resourceVersion: '1' };
    },
    watch(): Watch { return { stop() {} }; },
    get: nope, create: nope, update: nope, patch: nope, delete: nope,
  };
}
