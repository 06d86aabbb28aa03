// Strategic-merge-patch metadata of the fields reachable from the served kinds. In
// Kubernetes these are the `patchStrategy`/`patchMergeKey` struct tags of the Go types;
// kubernetes-types does not carry them, so they are listed here and published as the
// `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` extensions. Client-side
// `kubectl apply` computes its strategic merge patch from these when the OpenAPI
// document has a schema for the kind, so a list missing here would be replaced whole
// instead of merged by key.

export interface PatchMeta {
  strategy: string; // 'merge' | 'merge,retainKeys' | 'retainKeys'
  mergeKey?: string;
}

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APPS = 'io.k8s.api.apps.v1';

const merge = (mergeKey?: string): PatchMeta => (mergeKey ? { strategy: 'merge', mergeKey } : { strategy: 'merge' });
const mergeRetainKeys = (mergeKey: string): PatchMeta => ({ strategy: 'merge,retainKeys', mergeKey });

/** Schema name -> field name -> patch metadata. */
const TABLE: Record<string, Record<string, PatchMeta>> = {
  [`${META}.ObjectMeta`]: { finalizers: merge(), ownerReferences: merge('uid') },
  [`${CORE}.PodSpec`]: {
    volumes: mergeRetainKeys('name'),
    initContainers: merge('name'),
    containers: merge('name'),
    ephemeralContainers: merge('name'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey'),
    schedulingGates: merge('name'),
    resourceClaims: mergeRetainKeys('name'),
  },
  [`${CORE}.Container`]: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  [`${CORE}.EphemeralContainer`]: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  [`${CORE}.PodStatus`]: {
    conditions: merge('type'),
    podIPs: merge('ip'),
    hostIPs: merge('ip'),
    resourceClaimStatuses: mergeRetainKeys('name'),
  },
  // allocatedResourcesStatus: Kubernetes 1.31.
  [`${CORE}.ContainerStatus`]: { volumeMounts: merge('mountPath'), allocatedResourcesStatus: merge('name') },
  [`${CORE}.ServiceSpec`]: { ports: merge('port') },
  [`${CORE}.ServiceStatus`]: { conditions: merge('type') },
  [`${CORE}.ServiceAccount`]: { secrets: merge('name') },
  [`${CORE}.NodeSpec`]: { podCIDRs: merge() },
  [`${CORE}.NodeStatus`]: { conditions: merge('type'), addresses: merge('type') },
  [`${CORE}.NamespaceStatus`]: { conditions: merge('type') },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions: merge('type') },
  [`${APPS}.StatefulSetStatus`]: { conditions: merge('type') },
  [`${APPS}.DeploymentStatus`]: { conditions: merge('type') },
};

export function patchMetaOf(schemaName: string, field: string): PatchMeta | undefined {
  return TABLE[schemaName]?.[field];
}

