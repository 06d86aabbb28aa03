// The per-group-version OpenAPI v3 documents: one path item per served resource
// (list/create/deletecollection on the collection, get/replace/patch/delete on the item,
// and the subresources), and the component schemas those operations reach.

import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo, type SubresourceInfo } from '../../api/resources.js';
import type { TypeLibrary } from './dts.js';
import { REF_PREFIX, SchemaBuilder, type GroupVersionKind, type Schema } from './schemas.js';

/** The Kubernetes version whose API the documents describe (as /version reports it). */
export const SERVED_KUBERNETES_VERSION = 'v1.32.0';

const META_MODULE = 'meta/v1';
const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const MODULE_OF_GROUP: Record<string, string> = {
  '': 'core',
  'internal.apiserver.k8s.io': 'apiserverinternal',
};

/** The kubernetes-types module that declares a group version's kinds: `apps/v1`, `discovery/v1`. */
export function moduleOf(group: string, version: string): string {
  return `${MODULE_OF_GROUP[group] ?? group.split('.')[0]}/${version}`;
}

/** `listCoreV1NamespacedPod` style operation names use the group without `.k8s.io`, camel-cased. */
function groupVersionWord(group: string, version: string): string {
  const g = group ? group.replace(/\.k8s\.io$/, '').split('.') : ['core'];
  return g.map(cap).join('') + cap(version);
}

function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function queryParam(name: string, description: string, type: 'string' | 'boolean' | 'integer' = 'string'): Schema {
  return { name, in: 'query', description, schema: { type }, uniqueItems: true };
}

const P = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed."),
  dryRun: queryParam('dryRun', 'When present, indicates that modifications should not be persisted. Valid values: All (process the request fully without persisting it).'),
  fieldManager: queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes. Required for apply requests (application/apply-patch); optional for other patch types.'),
  fieldValidation: queryParam('fieldValidation', 'How the server treats fields of the request object that its schema does not declare: Ignore (drop them silently), Warn (drop them and return a Warning header for each), Strict (fail the request with BadRequest listing them).'),
  force: queryParam('force', 'Force is going to "force" Apply requests: the request takes ownership of fields other managers own. Must be unset for non-apply patch requests.', 'boolean'),
  labelSelector: queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: queryParam('limit', 'The maximum number of items to return in a list call; the server sets `continue` when more remain.', 'integer'),
  continue: queryParam('continue', 'The continue token of a previous list call, to get the next chunk of results.'),
  resourceVersion: queryParam('resourceVersion', 'Constrains which resource versions a request may be served from.'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'How resourceVersion is applied to list calls: Exact or NotOlderThan.'),
  watch: queryParam('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'Requests watch events of type BOOKMARK.', 'boolean'),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call, regardless of activity.', 'integer'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted; zero means delete immediately.', 'integer'),
  propagationPolicy: queryParam('propagationPolicy', "Whether and how garbage collection is performed: 'Orphan', 'Background' or 'Foreground'."),
  name: (kind: string): Schema => ({ name: 'name', in: 'path', required: true, description: `name of the ${kind}`, schema: { type: 'string' }, uniqueItems: true }),
  namespace: { name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string' }, uniqueItems: true },
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy];

function ref(id: string): Schema {
  return { $ref: REF_PREFIX + id };
}

function jsonContent(schema: Schema): Schema {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function responses(codes: Record<string, string>, schema: Schema): Schema {
  const out: Schema = {};
  for (const [code, description] of Object.entries(codes)) out[code] = { description, content: jsonContent(schema) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

interface OperationSpec {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  id: string;
  description: string;
  gvk: GroupVersionKind;
  body?: Schema; // request schema
  result: Schema; // response schema
}

function operation(spec: OperationSpec, tag: string): Schema {
  const op: Schema = { description: spec.description, operationId: spec.id, tags: [tag] };
  switch (spec.verb) {
    case 'get':
      op.responses = responses({ 200: 'OK' }, spec.result);
      break;
    case 'list':
      op.parameters = LIST_PARAMS;
      op.responses = responses({ 200: 'OK' }, spec.result);
      break;
    case 'create':
      op.parameters = WRITE_PARAMS;
      op.requestBody = { content: { 'application/json': { schema: spec.body }, 'application/yaml': { schema: spec.body } }, required: true };
      op.responses = responses({ 200: 'OK', 201: 'Created', 202: 'Accepted' }, spec.result);
      break;
    case 'update':
      op.parameters = WRITE_PARAMS;
      op.requestBody = { content: { 'application/json': { schema: spec.body }, 'application/yaml': { schema: spec.body } }, required: true };
      op.responses = responses({ 200: 'OK', 201: 'Created' }, spec.result);
      break;
    case 'patch':
      op.parameters = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
      op.requestBody = {
        content: Object.fromEntries(PATCH_CONTENT_TYPES.map((ct) => [ct, { schema: ref(PATCH_SCHEMA) }])),
        required: true,
      };
      op.responses = responses({ 200: 'OK', 201: 'Created' }, spec.result);
      break;
    case 'delete':
    case 'deletecollection':
      op.parameters = spec.verb === 'delete' ? DELETE_PARAMS : [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks)];
      op.requestBody = { content: { 'application/json': { schema: spec.body } } };
      op.responses = responses(spec.verb === 'delete' ? { 200: 'OK', 202: 'Accepted' } : { 200: 'OK' }, spec.result);
      break;
  }
  op['x-kubernetes-action'] = spec.verb === 'create' ? 'post' : spec.verb === 'update' ? 'put' : spec.verb;
  op['x-kubernetes-group-version-kind'] = spec.gvk;
  return op;
}

const STREAMING = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

const HTTP_METHOD: Record<OperationSpec['verb'], string> = {
  get: 'get', list: 'get', create: 'post', update: 'put', patch: 'patch', delete: 'delete', deletecollection: 'delete',
};

/** Builds the document of one group version, or undefined when nothing is served there. */
export function buildDocument(lib: TypeLibrary, group: string, version: string): Schema | undefined {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const b = new SchemaBuilder(lib);
  b.addRaw(PATCH_SCHEMA, { description: 'Patch is the body of a PATCH request; its shape depends on the Content-Type.', type: 'object' });
  const status = b.add(META_MODULE, 'Status');
  const deleteOptions = b.add(META_MODULE, 'DeleteOptions');
  const gvWord = groupVersionWord(group, version);
  const tag = gvWord[0].toLowerCase() + gvWord.slice(1);
  const paths: Record<string, Schema> = {};
  const prefix = '/' + groupVersionPath(group, version);

  for (const ri of served) addResourcePaths(ri);

  function addResourcePaths(ri: ResourceInfo): void {
    const module = moduleOf(ri.group, ri.version);
    const kindSchema = ref(b.add(module, ri.kind));
    const listSchema = ref(b.add(module, ri.listKind));
    const gvk: GroupVersionKind = { group: ri.group, version: ri.version, kind: ri.kind };
    const ns = ri.namespaced ? 'Namespaced' : '';
    const collection = ri.namespaced ? `${prefix}/namespaces/{namespace}/${ri.resource}` : `${prefix}/${ri.resource}`;
    const item = `${collection}/{name}`;
    const scopeParams = ri.namespaced ? [P.namespace, P.pretty] : [P.pretty];
    const itemParams = [P.name(ri.kind), ...scopeParams];
    const can = (v: string): boolean => ri.verbs.includes(v);
    const article = /^[AEIOU]/.test(ri.kind) ? 'an' : 'a';

    const coll: OperationSpec[] = [];
    if (can('list')) coll.push({ verb: 'list', id: `list${gvWord}${ns}${ri.kind}`, description: `list or watch objects of kind ${ri.kind}`, gvk, result: listSchema });
    if (can('create')) coll.push({ verb: 'create', id: `create${gvWord}${ns}${ri.kind}`, description: `create ${article} ${ri.kind}`, gvk, body: kindSchema, result: kindSchema });
    if (can('deletecollection')) coll.push({ verb: 'deletecollection', id: `delete${gvWord}Collection${ns}${ri.kind}`, description: `delete collection of ${ri.kind}`, gvk, body: ref(deleteOptions), result: ref(status) });
    addPath(collection, coll, scopeParams);

    const one: OperationSpec[] = [];
    if (can('get')) one.push({ verb: 'get', id: `read${gvWord}${ns}${ri.kind}`, description: `read the specified ${ri.kind}`, gvk, result: kindSchema });
    if (can('update')) one.push({ verb: 'update', id: `replace${gvWord}${ns}${ri.kind}`, description: `replace the specified ${ri.kind}`, gvk, body: kindSchema, result: kindSchema });
    if (can('patch')) one.push({ verb: 'patch', id: `patch${gvWord}${ns}${ri.kind}`, description: `partially update the specified ${ri.kind}`, gvk, result: kindSchema });
    if (can('delete')) one.push({ verb: 'delete', id: `delete${gvWord}${ns}${ri.kind}`, description: `delete ${article} ${ri.kind}`, gvk, body: ref(deleteOptions), result: ref(status) });
    addPath(item, one, itemParams);

    if (ri.namespaced && can('list')) {
      addPath(`${prefix}/${ri.resource}`, [
        { verb: 'list', id: `list${gvWord}${ri.kind}ForAllNamespaces`, description: `list or watch objects of kind ${ri.kind}`, gvk, result: listSchema },
      ], [P.pretty]);
    }

    for (const sub of ri.subresources) addSubresourcePaths(ri, sub, item, itemParams, ns);
  }

  function addSubresourcePaths(ri: ResourceInfo, sub: SubresourceInfo, item: string, itemParams: Schema[], ns: string): void {
    const g = sub.group ?? ri.group;
    const v = sub.version ?? ri.version;
    const gvk: GroupVersionKind = { group: g, version: v, kind: sub.kind };
    const suffix = cap(sub.name);
    // Streaming subresources (log, exec, attach, portforward) answer with a byte stream.
    const schema: Schema = STREAMING.has(sub.name) ? { type: 'string' } : ref(b.add(moduleOf(g, v), sub.kind));
    const ops: OperationSpec[] = [];
    for (const verb of sub.verbs) {
      if (verb === 'get') ops.push({ verb: 'get', id: `read${gvWord}${ns}${ri.kind}${suffix}`, description: `read ${sub.name} of the specified ${ri.kind}`, gvk, result: schema });
      if (verb === 'update') ops.push({ verb: 'update', id: `replace${gvWord}${ns}${ri.kind}${suffix}`, description: `replace ${sub.name} of the specified ${ri.kind}`, gvk, body: schema, result: schema });
      if (verb === 'patch') ops.push({ verb: 'patch', id: `patch${gvWord}${ns}${ri.kind}${suffix}`, description: `partially update ${sub.name} of the specified ${ri.kind}`, gvk, result: schema });
      if (verb === 'create') ops.push({ verb: 'create', id: `create${gvWord}${ns}${ri.kind}${suffix}`, description: `create ${sub.name} of ${ri.kind}`, gvk, body: schema, result: schema });
    }
    addPath(`${item}/${sub.name}`, ops, itemParams);
  }

  function addPath(path: string, ops: OperationSpec[], parameters: Schema[]): void {
    if (ops.length === 0) return;
    const pathItem: Schema = {};
    for (const spec of ops) pathItem[HTTP_METHOD[spec.verb]] = operation(spec, tag);
    pathItem.parameters = parameters;
    paths[path] = pathItem;
  }

  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVED_KUBERNETES_VERSION },
    paths,
    components: { schemas: b.schemas() },
  };
}

/** The hash kubectl keys its cache on: it changes exactly when the document does. */
export function documentHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}
