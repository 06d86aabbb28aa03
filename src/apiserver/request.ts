// Parsing a Kubernetes API path into what it names, and reading bodies.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { resourceByGVR, type ResourceInfo } from '../api/resources.js';
import { badRequest, pathNotFound, tooLarge, unsupportedMediaType } from '../api/errors.js';
import { goJsonSyntaxError } from '../api/gojson.js';

export interface ResourcePath {
  ri: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
}

/**
 * `/api/v1/namespaces/default/pods/web-0/log`, `/apis/apps/v1/statefulsets`, ...
 * Returns undefined when the path is not a resource path (discovery etc.);
 * throws NotFound for an unknown resource under a known group version.
 */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const segs = pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && group === '' && ['status', 'finalize'].includes(rest[2]))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length) throw pathNotFound();
  const ri = resourceByGVR(group, version, resource);
  if (!ri) throw pathNotFound();
  if (namespace && !ri.namespaced) throw pathNotFound();
  if (subresource && !ri.subresources.some((s) => s.name === subresource) && !(resource === 'namespaces' && subresource === 'finalize')) {
    throw pathNotFound();
  }
  return { ri, namespace, name, subresource, watchPath };
}

export const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Decodes a request body by content type: JSON, or YAML where Kubernetes accepts it. */
const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export async function decodeBody(buf: Buffer, contentType: string | undefined): Promise<unknown> {
  const ct = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  // kubectl's typed commands (create namespace/configmap/secret...) send protobuf.
  // Its schema tables load on first use (about 5 MB).
  if (ct === PROTOBUF_CONTENT_TYPE) return buf.length ? (await import('./protobuf/index.js')).decodeProtobufObject(buf) : undefined;
  const text = buf.toString('utf8');
  if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (!['application/json', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', '*/*'].includes(ct)) {
    throw unsupportedMediaType(ct);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    // The apiserver's words: Go's json.Unmarshal error, not JavaScript's.
    throw badRequest(`couldn't get version/kind; json parse error: ${goJsonSyntaxError(buf) ?? (e as Error).message}`);
  }
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${v}`);
  return n;
}
