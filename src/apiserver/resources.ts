// The REST verbs on resource paths: get, list, watch, create, update, patch,
// delete, deletecollection, and the status/scale subresources.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf } from '../api/resources.js';
import { StatusError, badRequest, methodNotAllowed, unsupportedMediaType } from '../api/errors.js';
import type { Registry } from '../registry/registry.js';
import type { DeleteOptions, KObject, PatchType } from '../client/types.js';
import { boolParam, decodeBody, intParam, readBody, type ResourcePath } from './request.js';
import { parseIncludeObject, toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

export interface HandlerContext {
  registry: Registry;
  now(): Date;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, extraHeaders: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export async function handleResource(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, p: ResourcePath, q: URLSearchParams): Promise<void> {
  const { registry } = ctx;
  const { ri, name, subresource } = p;
  const ns = ri.namespaced ? p.namespace : undefined;
  const method = req.method ?? 'GET';
  const table = wantsTable(req.headers.accept);
  const writeOpts = {
    subresource,
    dryRun: q.get('dryRun') === 'All',
    fieldManager: q.get('fieldManager') ?? fieldManagerFromAgent(req.headers['user-agent']),
    fieldValidation: q.get('fieldValidation') ?? undefined,
    force: boolParam(q, 'force'),
  };
  if (writeOpts.dryRun === false && q.get('dryRun') && q.get('dryRun') !== 'All') {
    throw badRequest(`Invalid dry run value: ${q.get('dryRun')}`);
  }

  // A list path (no name): list, watch, create, deletecollection.
  if (!name) {
    if (method === 'GET') {
      const listOpts = {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
      };
      if (p.watchPath || boolParam(q, 'watch')) {
        serveWatch(ctx, req, res, ri, p.namespace, {
          ...listOpts,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
          timeoutSeconds: intParam(q, 'timeoutSeconds'),
          table,
          include: parseIncludeObject(q.get('includeObject')),
        });
        return;
      }
      const list = registry.list(ri, p.namespace, { ...listOpts, limit: intParam(q, 'limit'), continue: q.get('continue') ?? undefined });
      const meta: { resourceVersion: string; continue?: string } = { resourceVersion: list.resourceVersion };
      if (list.continue) meta.continue = list.continue;
      if (table) {
        sendJson(res, 200, toTable(ri, list.items, meta, { include: parseIncludeObject(q.get('includeObject')), now: ctx.now() }));
      } else {
        sendJson(res, 200, { kind: ri.listKind, apiVersion: apiVersionOf(ri), metadata: meta, items: list.items });
      }
      return;
    }
    if (method === 'POST') {
      const body = await objectBody(req);
      const r = registry.create(ri, ns, body, writeOpts);
      sendJson(res, 201, r.object, warningHeaders(r.warnings));
      return;
    }
    if (method === 'DELETE') {
      const opts = await deleteOptions(req, q);
      const list = registry.list(ri, p.namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      const items: KObject[] = [];
      for (const o of list.items) {
        try {
          items.push(registry.delete(ri, o.metadata?.namespace, o.metadata!.name!, opts).object);
        } catch (e) {
          if (!(e instanceof StatusError && e.reason === 'NotFound')) throw e;
        }
      }
      sendJson(res, 200, { kind: ri.listKind, apiVersion: apiVersionOf(ri), metadata: { resourceVersion: registry.revision() }, items });
      return;
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  if (subresource && !['status', 'scale', 'finalize', 'binding', 'eviction'].includes(subresource)) {
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  if (subresource === 'eviction') {
    // pods/eviction only creates (EvictionREST); the Status says how it went.
    if (method !== 'POST') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    const status = registry.evict(ns ?? 'default', name, await objectBody(req), writeOpts);
    sendJson(res, status.code ?? 201, status);
    return;
  }
  const asScale = subresource === 'scale';
  const render = (obj: KObject): unknown => {
    const out = asScale ? registry.toScale(ri, obj) : obj;
    if (table && !asScale) return toTable(ri, [out as KObject], { resourceVersion: obj.metadata?.resourceVersion }, { include: parseIncludeObject(q.get('includeObject')), now: ctx.now() });
    return out;
  };
  const effectiveSub = subresource;
  switch (method) {
    case 'GET': {
      const obj = registry.get(ri, ns, name);
      // A client reading a terminating object may be about to wait for its
      // removal (kubectl delete, wait --for=delete); a Table is only shown.
      if (!subresource && !table) registry.noteTerminatingRead(ri, obj);
      sendJson(res, 200, render(obj));
      return;
    }
    case 'PUT': {
      const body = await objectBody(req);
      if (asScale) {
        // A Scale object: carry its resourceVersion precondition to the set.
        const scale = body as { metadata?: { resourceVersion?: string }; spec?: unknown };
        const r = registry.update(ri, ns, name, { metadata: { name, resourceVersion: scale.metadata?.resourceVersion }, spec: scale.spec } as KObject, { ...writeOpts, subresource: 'scale' });
        sendJson(res, 200, render(r.object));
        return;
      }
      const r = registry.update(ri, ns, name, body, { ...writeOpts, subresource: effectiveSub });
      sendJson(res, r.created ? 201 : 200, render(r.object), warningHeaders(r.warnings));
      return;
    }
    case 'PATCH': {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const type = PATCH_TYPES[ct];
      if (!type) throw unsupportedMediaType(ct);
      const body = await decodeBody(await readBody(req), ct);
      if (body === undefined || body === null) throw badRequest('the body of the request was empty');
      const r = registry.patch(ri, ns, name, type, body, { ...writeOpts, subresource: effectiveSub });
      sendJson(res, r.created ? 201 : 200, render(r.object), warningHeaders(r.warnings));
      return;
    }
    case 'DELETE': {
      if (subresource) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      const opts = await deleteOptions(req, q);
      const r = registry.delete(ri, ns, name, { ...opts, dryRun: writeOpts.dryRun });
      sendJson(res, r.deleted ? 200 : 202, r.object);
      return;
    }
    case 'POST': {
      if (subresource !== 'binding') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      const body = await objectBody(req);
      const r = registry.create(ri, ns, { ...body, metadata: { ...(body.metadata ?? {}), name } }, { ...writeOpts, subresource });
      sendJson(res, 201, r.object);
      return;
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

async function objectBody(req: IncomingMessage): Promise<KObject> {
  const body = await decodeBody(await readBody(req), req.headers['content-type']);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest("Object 'Kind' is missing in '" + JSON.stringify(body ?? null) + "'");
  }
  return body as KObject;
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const buf = await readBody(req);
  const body = buf.length ? ((await decodeBody(buf, req.headers['content-type'])) as DeleteOptions | undefined) : undefined;
  const opts: DeleteOptions = { ...(body ?? {}) };
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  const gp = intParam(q, 'gracePeriodSeconds');
  if (gp !== undefined) opts.gracePeriodSeconds = gp;
  const orphan = q.get('orphanDependents') ?? (body as { orphanDependents?: boolean } | undefined)?.orphanDependents;
  if (!opts.propagationPolicy && (orphan === 'true' || orphan === true)) opts.propagationPolicy = 'Orphan';
  return opts;
}

/** Kubernetes' default field manager: the user agent's program name. */
function fieldManagerFromAgent(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  return ua.split('/')[0].slice(0, 128) || undefined;
}

