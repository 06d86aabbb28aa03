// The merge metadata of the fields reachable from the served kinds, in one table indexed
// by schema name: the `patchStrategy` / `patchMergeKey` struct tags and the `+listType` /
// `+listMapKey` markers of k8s.io/api (Kubernetes 1.32), which kubernetes-types does not
// carry. It is the only source of this metadata in the API server:
// - the OpenAPI documents publish it as `x-kubernetes-patch-strategy`,
//   `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type` and `x-kubernetes-list-map-keys`;
//   client-side `kubectl apply` computes its strategic merge patch from the first two,
//   so a list missing here would be replaced whole instead of merged by key;
// - the server's own strategic merge patch (patch strategy and merge key) and server-side
//   apply (list type and keys) read it through the path view that patch/schema.ts derives
//   from the same type library walk.
//
// A list field not described here has neither a patch strategy (a strategic merge patch
// replaces it whole) nor a list type other than atomic (server-side apply owns and
// replaces it whole), as Kubernetes treats untagged lists.

export type ListType = 'atomic' | 'set' | 'map';

export interface FieldMeta {
  /** The patchStrategy tag: 'merge', 'retainKeys', 'merge,retainKeys', or 'replace' (on a struct field). */
  readonly patchStrategy?: string;
  /** The patchMergeKey tag: the item field a strategic merge patch matches list items by. */
  readonly patchMergeKey?: string;
  /** The +listType marker; lists without one are atomic. */
  readonly listType?: ListType;
  /** The +listMapKey markers of a 'map' list, in order. */
  readonly listMapKeys?: readonly string[];
  /** Defaults of list-map keys (the key field's default), so items that omit the key still match. */
  readonly keyDefaults?: Readonly<Record<string, string | number>>;
}

/** Legacy name of the strategic-merge-patch part of FieldMeta. */
export interface PatchMeta {
  strategy: string;
  mergeKey?: string;
}

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APPS = 'io.k8s.api.apps.v1';
const DISCOVERY = 'io.k8s.api.discovery.v1';
const STORAGE = 'io.k8s.api.storage.v1';
const POLICY = 'io.k8s.api.policy.v1';

/** patchStrategy=merge, patchMergeKey=key, listType=map, listMapKey=key: the common case. */
const byKey = (key: string): FieldMeta => ({ patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: [key] });
/** As byKey, with patchStrategy=merge,retainKeys (kubectl sends $retainKeys in each item). */
const byKeyRetainKeys = (key: string): FieldMeta => ({ ...byKey(key), patchStrategy: 'merge,retainKeys' });
/** patchStrategy=merge on a list of scalars, listType=set. */
const SET_MERGE: FieldMeta = { patchStrategy: 'merge', listType: 'set' };
const ATOMIC: FieldMeta = { listType: 'atomic' };
const TCP = { protocol: 'TCP' };

const CONTAINER: Record<string, FieldMeta> = {
  ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: TCP },
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  resizePolicy: ATOMIC,
};

/** Schema name -> field name -> metadata. */
const TABLE: Readonly<Record<string, Readonly<Record<string, FieldMeta>>>> = {
  [`${META}.ObjectMeta`]: { finalizers: SET_MERGE, ownerReferences: byKey('uid'), managedFields: ATOMIC },
  [`${META}.LabelSelector`]: { matchExpressions: ATOMIC },
  [`${CORE}.PodSpec`]: {
    volumes: byKeyRetainKeys('name'),
    initContainers: byKey('name'),
    containers: byKey('name'),
    ephemeralContainers: byKey('name'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    schedulingGates: byKey('name'),
    resourceClaims: byKeyRetainKeys('name'),
    tolerations: ATOMIC,
    readinessGates: ATOMIC,
  },
  [`${CORE}.Container`]: CONTAINER,
  [`${CORE}.EphemeralContainer`]: CONTAINER,
  // claims: listType=map by name, and no patch strategy (a strategic merge patch replaces it).
  [`${CORE}.ResourceRequirements`]: { claims: { listType: 'map', listMapKeys: ['name'] } },
  [`${CORE}.PodStatus`]: {
    conditions: byKey('type'),
    podIPs: byKey('ip'),
    // Merged by ip in a strategic merge patch, but atomic for server-side apply.
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    resourceClaimStatuses: byKeyRetainKeys('name'),
    initContainerStatuses: ATOMIC,
    containerStatuses: ATOMIC,
    ephemeralContainerStatuses: ATOMIC,
  },
  // allocatedResourcesStatus: Kubernetes 1.31.
  [`${CORE}.ContainerStatus`]: { volumeMounts: byKey('mountPath'), allocatedResourcesStatus: byKey('name') },
  [`${CORE}.ResourceStatus`]: { resources: { listType: 'map', listMapKeys: ['resourceID'] } },
  [`${CORE}.ServiceSpec`]: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: TCP },
    clusterIPs: ATOMIC,
    externalIPs: ATOMIC,
    ipFamilies: ATOMIC,
    loadBalancerSourceRanges: ATOMIC,
  },
  [`${CORE}.ServiceStatus`]: { conditions: byKey('type') },
  [`${CORE}.ServiceAccount`]: { secrets: byKey('name'), imagePullSecrets: ATOMIC },
  [`${CORE}.Endpoints`]: { subsets: ATOMIC },
  [`${CORE}.NodeSpec`]: { podCIDRs: SET_MERGE, taints: ATOMIC },
  [`${CORE}.NodeStatus`]: {
    conditions: byKey('type'),
    addresses: byKey('type'),
    images: ATOMIC,
    volumesInUse: ATOMIC,
    volumesAttached: ATOMIC,
  },
  [`${CORE}.NamespaceSpec`]: { finalizers: ATOMIC },
  [`${CORE}.NamespaceStatus`]: { conditions: byKey('type') },
  [`${CORE}.PersistentVolumeClaimSpec`]: { accessModes: ATOMIC },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions: byKey('type'), accessModes: ATOMIC },
  [`${CORE}.PersistentVolumeSpec`]: { accessModes: ATOMIC, mountOptions: ATOMIC },
  [`${APPS}.StatefulSetSpec`]: { volumeClaimTemplates: ATOMIC },
  [`${APPS}.StatefulSetStatus`]: { conditions: byKey('type') },
  [`${DISCOVERY}.EndpointSlice`]: { endpoints: ATOMIC, ports: ATOMIC },
  [`${DISCOVERY}.Endpoint`]: { addresses: { listType: 'set' } },
  [`${STORAGE}.StorageClass`]: { mountOptions: ATOMIC, allowedTopologies: ATOMIC },
  [`${POLICY}.PodDisruptionBudgetSpec`]: { selector: { patchStrategy: 'replace' } },
  [`${POLICY}.PodDisruptionBudgetStatus`]: { conditions: byKey('type') },
};

/** The metadata of field `field` of the schema named `schemaName`, if it has any. */
export function fieldMetaOf(schemaName: string, field: string): FieldMeta | undefined {
  return TABLE[schemaName]?.[field];
}

/** The strategic-merge-patch metadata of a field (patchStrategy and patchMergeKey), if it has any. */
export function patchMetaOf(schemaName: string, field: string): PatchMeta | undefined {
  const m = fieldMetaOf(schemaName, field);
  if (!m?.patchStrategy) return undefined;
  return m.patchMergeKey ? { strategy: m.patchStrategy, mergeKey: m.patchMergeKey } : { strategy: m.patchStrategy };
}

/** Every described field, as [schema name, field name, metadata]: for checks of the table itself. */
export function describedFields(): [string, string, FieldMeta][] {
  const out: [string, string, FieldMeta][] = [];
  for (const [schema, fields] of Object.entries(TABLE)) {
    for (const [field, meta] of Object.entries(fields)) out.push([schema, field, meta]);
  }
  return out;
}
