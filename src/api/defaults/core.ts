// Defaults of namespaces, secrets, endpoints, endpoint slices and nodes.
import { canonicalResourceQuantity } from '../validation/quantity.js';

type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/**
 * SetDefaults_Namespace (the kubernetes.io/metadata.name label), the status
 * phase, and the `kubernetes` finalizer a create gives every namespace. The
 * finalizer is only added when spec.finalizers is absent, so finalizing a
 * namespace (writing an empty list) sticks.
 */
export function defaultNamespace(ns: Obj): void {
  const meta = isObj(ns.metadata) ? ns.metadata : (ns.metadata = {});
  if (meta.name) meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), 'kubernetes.io/metadata.name': meta.name };
  const spec = isObj(ns.spec) ? ns.spec : (ns.spec = {});
  if (spec.finalizers === undefined && !meta.deletionTimestamp) spec.finalizers = ['kubernetes'];
  const status = isObj(ns.status) ? ns.status : (ns.status = {});
  if (!status.phase) status.phase = 'Active';
}

/** SetDefaults_Secret, and the v1 conversion that folds stringData into data. */
export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = 'Opaque';
  if (isObj(secret.stringData)) {
    const data = isObj(secret.data) ? secret.data : (secret.data = {});
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete secret.stringData;
}

export function defaultEndpoints(ep: Obj): void {
  for (const ss of list(ep.subsets)) for (const p of list(ss.ports)) if (!p.protocol) p.protocol = 'TCP';
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const p of list(slice.ports)) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
export function defaultNode(node: Obj): void {
  const status = isObj(node.status) ? node.status : undefined;
  if (!status) return;
  for (const f of ['capacity', 'allocatable']) {
    if (isObj(status[f])) for (const k of Object.keys(status[f])) status[f][k] = canonicalResourceQuantity(status[f][k]);
  }
  if (!isObj(status.allocatable) && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}
