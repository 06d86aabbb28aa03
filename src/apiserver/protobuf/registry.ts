// All message specs of the served kinds in one table, and the kinds a request body may
// carry (apiVersion + kind of the envelope's typeMeta -> the message to decode `raw` as).

import { APPS_V1 } from './apps-v1.js';
import { AUTOSCALING_V1 } from './autoscaling-v1.js';
import { COORDINATION_V1 } from './coordination-v1.js';
import { CORE_V1_A } from './core-v1-a.js';
import { CORE_V1_B } from './core-v1-b.js';
import { DISCOVERY_V1 } from './discovery-v1.js';
import { EVENTS_V1 } from './events-v1.js';
import { META_V1 } from './meta-v1.js';
import { POLICY_V1 } from './policy-v1.js';
import type { MessageSpec } from './schema.js';
import { STORAGE_V1 } from './storage-v1.js';

export const MESSAGES: ReadonlyMap<string, MessageSpec> = new Map([
  ...META_V1, ...CORE_V1_A, ...CORE_V1_B, ...APPS_V1, ...AUTOSCALING_V1,
  ...DISCOVERY_V1, ...STORAGE_V1, ...EVENTS_V1, ...POLICY_V1, ...COORDINATION_V1,
]);

const KINDS: Record<string, Record<string, string>> = {
  v1: {
    Namespace: 'core.Namespace', Node: 'core.Node', Pod: 'core.Pod', Service: 'core.Service',
    Endpoints: 'core.Endpoints', Event: 'core.Event', ConfigMap: 'core.ConfigMap', Secret: 'core.Secret',
    ServiceAccount: 'core.ServiceAccount', PersistentVolumeClaim: 'core.PersistentVolumeClaim',
    PersistentVolume: 'core.PersistentVolume', Binding: 'core.Binding',
  },
  'apps/v1': { StatefulSet: 'apps.StatefulSet', ControllerRevision: 'apps.ControllerRevision' },
  'autoscaling/v1': { Scale: 'autoscaling.Scale' },
  'discovery.k8s.io/v1': { EndpointSlice: 'discovery.EndpointSlice' },
  'storage.k8s.io/v1': { StorageClass: 'storage.StorageClass' },
  'events.k8s.io/v1': { Event: 'events.Event' },
  'policy/v1': { Eviction: 'policy.Eviction', PodDisruptionBudget: 'policy.PodDisruptionBudget' },
  'coordination.k8s.io/v1': { Lease: 'coordination.Lease' },
};

/** The message that encodes `kind` of `apiVersion`, or undefined when it is not served. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  // Kubernetes registers DeleteOptions in every group version (and meta.k8s.io/v1).
  if (kind === 'DeleteOptions') return 'meta.DeleteOptions';
  return Object.hasOwn(KINDS, apiVersion) && Object.hasOwn(KINDS[apiVersion], kind) ? KINDS[apiVersion][kind] : undefined;
}

/** Names of message types referenced by a field but missing from the table (should be none). */
export function danglingReferences(): string[] {
  const missing = new Set<string>();
  for (const msg of MESSAGES.values()) {
    for (const f of msg.fields.values()) {
      if (f.value.kind === 'message' && !MESSAGES.has(f.value.type)) missing.add(`${msg.name}.${f.json} -> ${f.value.type}`);
    }
  }
  for (const gv of Object.values(KINDS)) for (const m of Object.values(gv)) if (!MESSAGES.has(m)) missing.add(m);
  return [...missing].sort();
}
