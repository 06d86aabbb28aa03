// How objects live in the store: keys in the `/registry/<group>/<resource>/<ns>/<name>`
// layout that kube-apiserver uses over etcd, values as JSON without
// resourceVersion (the store's modRevision is the resourceVersion).
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../client/types.js';
import type { KeyValue } from '../store/types.js';

export function prefixFor(ri: ResourceInfo, namespace?: string): string {
  const base = `/registry/${ri.group || 'core'}/${ri.resource}/`;
  return ri.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function keyFor(ri: ResourceInfo, namespace: string | undefined, name: string): string {
  return ri.namespaced ? `${prefixFor(ri, namespace)}${name}` : `${prefixFor(ri)}${name}`;
}

export function encode(obj: KObject): string {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...rest } = meta;
    return JSON.stringify({ ...obj, metadata: rest });
  }
  return JSON.stringify(obj);
}

export function decode<T extends KObject = KObject>(value: string, revision: number): T {
  const obj = JSON.parse(value) as T;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export function decodeKV<T extends KObject = KObject>(kv: KeyValue): T {
  return decode<T>(kv.value, kv.modRevision);
}
