// An object's type meta on its way into and out of the registry: apiVersion
// and kind checked against the resource (and unknown fields reported as
// kube-apiserver does under each fieldValidation mode), filled in on reads,
// and the top-level field order kubectl users expect.
import type { ResourceInfo } from '../api/resources.js';
import { apiVersionOf } from '../api/resources.js';
import { badRequest } from '../api/errors.js';
import { cannotBeHandledMessage, strictDecodingMessage, unknownFieldMessage, unknownFields } from '../apiserver/openapi/index.js';
import type { KObject } from '../client/types.js';
import type { WriteOpts } from './registry.js';

/**
 * An incoming object's apiVersion and kind must be the resource's (they are
 * filled in when missing); unknown fields are warnings under
 * fieldValidation=Warn (returned), an error under Strict, ignored under Ignore.
 */
export function checkTypeAndFields(ri: ResourceInfo, obj: KObject, opts: WriteOpts, verb: 'create' | 'update' | 'patch'): string[] {
  const want = apiVersionOf(ri);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== ri.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${ri.kind})`);
  }
  obj.apiVersion = want;
  obj.kind = ri.kind;
  const mode = opts.fieldValidation ?? 'Warn';
  if (mode === 'Ignore') return [];
  const unknown = unknownFields(want, ri.kind, obj);
  if (!unknown.length) return [];
  if (mode === 'Strict') {
    const detail = strictDecodingMessage(unknown);
    throw badRequest(verb === 'patch' ? detail : cannotBeHandledMessage(ri.kind, ri.version, detail));
  }
  return unknown.map(unknownFieldMessage);
}

/** Fills in apiVersion and kind of a stored object on its way out. */
export function withTypeMeta<T extends KObject>(ri: ResourceInfo, obj: T): T {
  if (!obj.apiVersion || !obj.kind) {
    obj.apiVersion = apiVersionOf(ri);
    obj.kind = ri.kind;
  }
  return obj;
}

/** apiVersion, kind, metadata, spec..., status: the order kubectl -o yaml users are used to. */
export function orderFields(ri: ResourceInfo, obj: KObject): void {
  const { apiVersion: _a, kind: _k, metadata, status, ...rest } = obj;
  for (const k of Object.keys(obj)) delete obj[k];
  obj.apiVersion = apiVersionOf(ri);
  obj.kind = ri.kind;
  obj.metadata = metadata;
  Object.assign(obj, rest);
  if (status !== undefined) obj.status = status;
}
