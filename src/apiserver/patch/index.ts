// The patch engines of the API server: JSON patch, JSON merge patch, strategic
// merge patch and server-side apply, plus the field-ownership bookkeeping
// (metadata.managedFields) that create, update and patch record.

import { badRequest } from '../../api/errors.js';
import { clone, isMap } from './json.js';
import { applyJsonPatch, applyMergePatch } from './jsonpatch.js';
import { schemaFor } from './schema.js';
import { strategicMergePatch } from './strategic.js';

export { serverSideApply, recordUpdate } from './managedfields.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** The patch type named by a PATCH request's Content-Type, or undefined (the caller answers 415). */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (mediaType) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor': return 'apply';
    default: return undefined;
  }
}

/**
 * Applies a patch of the given type to a deep copy of `current` and returns the result.
 * `resourceKey` (e.g. 'statefulsets.apps', 'pods') selects the strategic merge metadata.
 * Throws StatusError 400 (undecodable patch) or 422 (patch that does not apply).
 */
export function applyPatch(resourceKey: string, type: Exclude<PatchType, 'apply'>, current: any, patch: unknown): any {
  const doc = clone(current);
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, clone(patch));
    case 'merge':
      return applyMergePatch(doc, patch);
    case 'strategic':
      return strategicMergePatch(isMap(doc) ? doc : {}, clone(patch), schemaFor(resourceKey));
    default:
      throw badRequest(`unknown patch type: ${String(type)}`);
  }
}
