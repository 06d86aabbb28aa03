// What exists in every cluster from the start: the four system namespaces
// and the `kubernetes` Service in default. Idempotent: run at every start.
import { resourceByKey } from '../api/resources.js';
import { isStatusError } from '../api/errors.js';
import type { Registry } from './registry.js';
import type { KObject } from '../client/types.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function bootstrap(registry: Registry): void {
  const ns = resourceByKey('namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    ensure(() => registry.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }
}

/** The `kubernetes` Service in default names the API server; its targetPort follows the port we listen on. */
export function ensureKubernetesService(registry: Registry, apiPort: number): void {
  const services = resourceByKey('services');
  const svc: KObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: registry.serviceCIDR().nth(1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }],
      sessionAffinity: 'None',
    },
  };
  try {
    registry.create(services, 'default', svc);
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
    const cur = registry.get(services, 'default', 'kubernetes');
    const ports = (cur.spec as { ports?: { targetPort?: unknown }[] }).ports ?? [];
    if (ports[0]?.targetPort !== apiPort) {
      registry.patch(services, 'default', 'kubernetes', 'merge', { spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }] } });
    }
  }
}

/** Creates unless it already exists. */
export function ensure(create: () => unknown): void {
  try {
    create();
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
}
