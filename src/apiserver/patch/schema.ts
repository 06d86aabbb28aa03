// The merge metadata of the served kinds: the `patchStrategy` / `patchMergeKey`
// struct tags and the `+listType` / `+listMapKey` markers of k8s.io/api, written
// as a small schema tree. Strategic merge patch reads the list strategy and the
// first key; server-side apply reads the list type and all the keys.
//
// Anything not described here has no metadata: objects merge field by field,
// lists are atomic (replaced whole), as Kubernetes does for untagged fields.

export type ListType = 'map' | 'set' | 'atomic';

export interface SchemaNode {
  /** Known fields of a struct. Unlisted fields have no metadata. */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /** A map with free-form keys (labels, annotations, resource lists): each entry is its own field. */
  readonly map?: true;
  /** Set on list fields. 'map' lists merge item by item on `keys`; 'set' lists merge as a set of scalars. */
  readonly list?: ListType;
  /** For 'map' lists: the list-map keys; keys[0] is the strategic merge key (patchMergeKey). */
  readonly keys?: readonly string[];
  /** Values the apiserver defaults a missing key to (e.g. a port's protocol), so keys still match. */
  readonly keyDefaults?: Readonly<Record<string, string | number>>;
  /** The schema of each item of a 'map' list. */
  readonly item?: SchemaNode;
}

const struct = (fields: Record<string, SchemaNode>): SchemaNode => ({ fields });
const MAP: SchemaNode = { map: true };
const SET: SchemaNode = { list: 'set' };
const ATOMIC: SchemaNode = { list: 'atomic' };
const listMap = (keys: string[], item?: SchemaNode, keyDefaults?: Record<string, string | number>): SchemaNode =>
  ({ list: 'map', keys, item, keyDefaults });

const TCP = { protocol: 'TCP' };

const OBJECT_META = struct({
  labels: MAP,
  annotations: MAP,
  finalizers: SET,
  ownerReferences: listMap(['uid']),
  managedFields: ATOMIC,
});

const LABEL_SELECTOR = struct({ matchLabels: MAP, matchExpressions: ATOMIC });

const RESOURCE_REQUIREMENTS = struct({ limits: MAP, requests: MAP, claims: listMap(['name']) });

const CONTAINER = struct({
  ports: listMap(['containerPort', 'protocol'], undefined, TCP),
  env: listMap(['name']),
  volumeMounts: listMap(['mountPath']),
  volumeDevices: listMap(['devicePath']),
  resources: RESOURCE_REQUIREMENTS,
  resizePolicy: ATOMIC,
});

const POD_SPEC = struct({
  volumes: listMap(['name']), // patchStrategy merge,retainKeys: kubectl sends $retainKeys per volume
  initContainers: listMap(['name'], CONTAINER),
  containers: listMap(['name'], CONTAINER),
  ephemeralContainers: listMap(['name'], CONTAINER),
  imagePullSecrets: listMap(['name']),
  hostAliases: listMap(['ip']),
  topologySpreadConstraints: listMap(['topologyKey', 'whenUnsatisfiable']),
  resourceClaims: listMap(['name']),
  schedulingGates: listMap(['name']),
  nodeSelector: MAP,
  overhead: MAP,
  tolerations: ATOMIC,
  readinessGates: ATOMIC,
});

const CONDITIONS = listMap(['type']);

const POD_STATUS = struct({
  conditions: CONDITIONS,
  podIPs: listMap(['ip']),
  hostIPs: listMap(['ip']),
  resourceClaimStatuses: listMap(['name']),
});

const POD_TEMPLATE_SPEC = struct({ metadata: OBJECT_META, spec: POD_SPEC });

const PVC_SPEC = struct({ accessModes: ATOMIC, resources: RESOURCE_REQUIREMENTS, selector: LABEL_SELECTOR });

// volumeClaimTemplates are atomic (+listType=atomic); their items are still
// described so that nothing else needs to special-case them.
const PVC_TEMPLATE = struct({ metadata: OBJECT_META, spec: PVC_SPEC });

const root = (fields: Record<string, SchemaNode>): SchemaNode => struct({ metadata: OBJECT_META, ...fields });

const SCHEMAS: Readonly<Record<string, SchemaNode>> = {
  pods: root({ spec: POD_SPEC, status: POD_STATUS }),
  services: root({
    spec: struct({
      ports: listMap(['port', 'protocol'], undefined, TCP),
      selector: MAP,
      clusterIPs: ATOMIC,
      externalIPs: ATOMIC,
      ipFamilies: ATOMIC,
      loadBalancerSourceRanges: ATOMIC,
    }),
    status: struct({ conditions: CONDITIONS }),
  }),
  'statefulsets.apps': root({
    spec: struct({
      selector: LABEL_SELECTOR,
      template: POD_TEMPLATE_SPEC,
      volumeClaimTemplates: { list: 'atomic', item: PVC_TEMPLATE },
    }),
    status: struct({ conditions: CONDITIONS }),
  }),
  'controllerrevisions.apps': root({}),
  persistentvolumeclaims: root({
    spec: PVC_SPEC,
    status: struct({ conditions: CONDITIONS, capacity: MAP, allocatedResources: MAP, accessModes: ATOMIC }),
  }),
  persistentvolumes: root({
    spec: struct({ capacity: MAP, accessModes: ATOMIC, mountOptions: ATOMIC }),
  }),
  nodes: root({
    spec: struct({ podCIDRs: SET, taints: ATOMIC }),
    status: struct({
      conditions: CONDITIONS,
      addresses: listMap(['type']),
      capacity: MAP,
      allocatable: MAP,
      images: ATOMIC,
      volumesInUse: ATOMIC,
      volumesAttached: ATOMIC,
    }),
  }),
  namespaces: root({ spec: struct({ finalizers: ATOMIC }), status: struct({ conditions: CONDITIONS }) }),
  configmaps: root({ data: MAP, binaryData: MAP }),
  secrets: root({ data: MAP, stringData: MAP }),
  serviceaccounts: root({ secrets: listMap(['name']), imagePullSecrets: ATOMIC }),
  endpoints: root({ subsets: ATOMIC }),
  'endpointslices.discovery.k8s.io': root({ endpoints: ATOMIC, ports: ATOMIC }),
  'storageclasses.storage.k8s.io': root({ parameters: MAP, mountOptions: ATOMIC, allowedTopologies: ATOMIC }),
  events: root({}),
  'events.events.k8s.io': root({}),
};

/** The schema of a resource's objects, or undefined when we have no metadata for it. */
export function schemaFor(resourceKey: string): SchemaNode | undefined {
  return SCHEMAS[resourceKey];
}

/** The schema of field `name` of an object described by `node`. */
export function fieldSchema(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.map) return undefined;
  return node.fields?.[name];
}

export function listType(node: SchemaNode | undefined): ListType {
  return node?.list ?? 'atomic';
}
