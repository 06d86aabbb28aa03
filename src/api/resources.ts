// The served resource types: one table that discovery, routing, storage keys,
// the RESTMapper-like lookups of in-process clients and OpenAPI all read.

export interface SubresourceInfo {
  name: string; // status, scale, log, exec, attach, ...
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });

function r(
  group: string, version: string, resource: string, kind: string, namespaced: boolean,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group, version, resource, kind, namespaced,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    verbs: ALL_VERBS,
    subresources: [],
    ...extra,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'], subresources: [STATUS('Namespace')],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: [STATUS('Node')] }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'], categories: ['all'],
    subresources: [
      STATUS('Pod'),
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    ],
  }),
  r('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'], categories: ['all'], subresources: [STATUS('Service')],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints', listKind: 'EndpointsList' }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'], subresources: [STATUS('PersistentVolumeClaim')],
  }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, {
    shortNames: ['pv'], subresources: [STATUS('PersistentVolume')],
  }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'], categories: ['all'],
    subresources: [
      STATUS('StatefulSet'),
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  r('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'], subresources: [STATUS('PodDisruptionBudget')],
  }),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
];

/** The key in-process code uses to name a resource: `pods`, `statefulsets.apps`, `events.events.k8s.io`. */
export type ResourceKey = string;

export function keyOf(info: Pick<ResourceInfo, 'group' | 'resource'>): ResourceKey {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

const byKey = new Map<string, ResourceInfo>(RESOURCES.map((ri) => [keyOf(ri), ri]));
const byGVR = new Map<string, ResourceInfo>(RESOURCES.map((ri) => [`${ri.group}/${ri.version}/${ri.resource}`, ri]));
const byGVK = new Map<string, ResourceInfo>(RESOURCES.map((ri) => [`${ri.group}/${ri.version}/${ri.kind}`, ri]));

export function resourceByKey(key: ResourceKey): ResourceInfo {
  const ri = byKey.get(key);
  if (!ri) throw new Error(`unknown resource ${key}`);
  return ri;
}

export function resourceByGVR(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

/** apiVersion is `v1` or `group/version`. */
export function resourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return byGVK.get(`${group}/${version}/${kind}`);
}

export function apiVersionOf(ri: Pick<ResourceInfo, 'group' | 'version'>): string {
  return ri.group ? `${ri.group}/${ri.version}` : ri.version;
}

/** Group versions in the order discovery lists them. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const ri of RESOURCES) {
    const k = `${ri.group}/${ri.version}`;
    if (!seen.has(k)) { seen.add(k); out.push({ group: ri.group, version: ri.version }); }
  }
  return out;
}
