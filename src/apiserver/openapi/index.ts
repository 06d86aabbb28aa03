// The OpenAPI v3 documents the API server publishes (`/openapi/v3` and one document per
// served group version), generated at first use from the kubernetes-types declarations
// completed to Kubernetes 1.32 by the supplement, and strict field validation against
// the same model.
//
// Generation is lazy and cached for the life of the process: parsing the declaration
// files and building every document takes a few tens of milliseconds, paid by the first
// OpenAPI request rather than by server start.

import { groupVersions } from '../../api/resources.js';
import type { TypeLibrary } from './dts.js';
import { buildDocument, documentHash, groupVersionPath } from './documents.js';
import { servedTypeLibrary } from './library.js';
import { findUnknownFields } from './strict.js';

export { cannotBeHandledMessage, strictDecodingMessage, unknownFieldMessage } from './strict.js';
export { SERVED_KUBERNETES_VERSION } from './documents.js';

/** A document ready to send: the object, its serialized body, and the hash in its URL. */
export interface OpenAPIDocument {
  document: object;
  body: string;
  hash: string;
}

const documents = new Map<string, OpenAPIDocument | null>();

function lib(): TypeLibrary {
  return servedTypeLibrary();
}

/** The served document for `api/v1`, `apis/apps/v1`, ... (cached); undefined when unknown. */
export function openapiV3Served(path: string): OpenAPIDocument | undefined {
  const key = path.replace(/^\/+|\/+$/g, '');
  let doc = documents.get(key);
  if (doc === undefined) {
    doc = null;
    const gv = groupVersions().find((g) => groupVersionPath(g.group, g.version) === key);
    if (gv) {
      const document = buildDocument(lib(), gv.group, gv.version);
      if (document) {
        const body = JSON.stringify(document);
        doc = { document, body, hash: documentHash(body) };
      }
    }
    documents.set(key, doc);
  }
  return doc ?? undefined;
}

/**
 * GET /openapi/v3 body: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=<hash>"}, ...}}`
 * for every served group version.
 */
export function openapiV3Index(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const key = groupVersionPath(gv.group, gv.version);
    const doc = openapiV3Served(key);
    if (doc) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  }
  return { paths };
}

/**
 * The document for 'api/v1' | 'apis/apps/v1' | ...: openapi 3.0.0, info, paths for each
 * resource (list/create/get/replace/patch/delete, PATCH with fieldValidation, fieldManager,
 * force, dryRun and the four patch content types), components.schemas. Undefined when unknown.
 */
export function openapiV3Document(groupVersionPath: string): object | undefined {
  return openapiV3Served(groupVersionPath)?.document;
}

/**
 * Strict field validation: the paths of fields in `obj` that the kind's schema does not
 * declare, with a leading dot (`.spec.foo`, `.spec.template.spec.containers[0].imagePullPolicyX`).
 * Use strictDecodingMessage / unknownFieldMessage for the texts Kubernetes sends.
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  return findUnknownFields(lib(), apiVersion, kind, obj);
}
