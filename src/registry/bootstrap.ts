// What exists in every cluster from the start: the four system namespaces
// and the `kubernetes` Service in default. Idempotent: run at every start.
import { resourceByKey } from '../api/resources.js';
import { isStatusError } from '../api/errors.js';
import type { Registry } from './registry.js';
import type { KObject } from '../client/types.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function bootstrap(registry: Registry, opts: { apiPort?: number } = {}): void {
  const ns = resourceByKey('namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    ensure(registry, () => registry.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }
  const svc: KObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: registry.serviceCIDR().nth(1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.apiPort ?? 6443 }],
      sessionAffinity: 'None',
    },
  };
  ensure(registry, () => registry.create(resourceByKey('services'), 'default', svc));
}

/** Creates unless it already exists. */
export function ensure(_registry: Registry, create: () => unknown): void {
  try {
    create();
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
}
