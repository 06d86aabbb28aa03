// The merge metadata has one source (openapi/patchmeta.ts) and two views: the OpenAPI
// documents kubectl reads (by schema name) and the tree the server's strategic merge
// patch and server-side apply read (by path). These tests walk both views of every
// served kind side by side, so the two cannot drift apart again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, keyOf } from '../../src/api/resources.js';
import { groupVersionPath, moduleOf } from '../../src/apiserver/openapi/documents.js';
import { openapiV3Document } from '../../src/apiserver/openapi/index.js';
import { servedTypeLibrary } from '../../src/apiserver/openapi/library.js';
import { describedFields } from '../../src/apiserver/openapi/patchmeta.js';
import { schemaName } from '../../src/apiserver/openapi/schemas.js';
import { applyPatch, serverSideApply } from '../../src/apiserver/patch/index.js';
import { fieldSchema, schemaFor, type SchemaNode } from '../../src/apiserver/patch/schema.js';

type S = Record<string, any>;
const REF = '#/components/schemas/';

/** The schema a property points at: `allOf: [{$ref}]` and `$ref` resolved. */
function resolve(schemas: S, s: S): S {
  const ref = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 ? s.allOf[0].$ref : undefined);
  if (typeof ref !== 'string') return s;
  const target = schemas[ref.slice(REF.length)];
  assert.ok(target, `dangling reference ${ref}`);
  return target;
}

function isScalar(s: S): boolean {
  return s.type !== 'array' && s.type !== 'object';
}

/** Asserts that the OpenAPI schema `s` and the path-view node describe the same thing, recursively. */
function agree(schemas: S, s: S, node: SchemaNode | undefined, path: string, seen: Set<string>, out: { lists: number }): void {
  s = resolve(schemas, s);
  if (isScalar(s) || s['x-kubernetes-preserve-unknown-fields']) {
    assert.equal(node, undefined, `${path}: a scalar in OpenAPI has a node in the path view`);
    return;
  }
  assert.ok(node, `${path}: ${s.type} in OpenAPI, nothing in the path view`);
  if (s.type === 'array') {
    out.lists++;
    const strategy: string | undefined = s['x-kubernetes-patch-strategy'];
    assert.equal(node.list, s['x-kubernetes-list-type'] ?? 'atomic', `${path}: list type`);
    assert.deepEqual(node.keys, s['x-kubernetes-list-map-keys'], `${path}: list-map keys`);
    assert.equal(node.mergeKey, s['x-kubernetes-patch-merge-key'], `${path}: patch merge key`);
    assert.equal(node.patchMerge === true, !!strategy?.split(',').includes('merge'), `${path}: patch strategy ${strategy}`);
    agree(schemas, s.items, node.item, `${path}[]`, seen, out);
    return;
  }
  for (const ext of ['x-kubernetes-list-type', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key']) {
    assert.equal(s[ext], undefined, `${path}: ${ext} on a non-list`);
  }
  if (s.additionalProperties) {
    assert.equal(node.map, true, `${path}: a map in OpenAPI, not in the path view`);
    agree(schemas, s.additionalProperties, node.values, `${path}{}`, seen, out);
    return;
  }
  assert.ok(!node.map && !node.list, `${path}: a struct in OpenAPI, a map or list in the path view`);
  const key = `${path}`;
  if (seen.has(key)) return;
  seen.add(key);
  const props: S = s.properties ?? {};
  for (const [name, prop] of Object.entries(props)) agree(schemas, prop, fieldSchema(node, name), `${path}.${name}`, seen, out);
  for (const name of Object.keys(node.fields ?? {})) assert.ok(name in props, `${path}.${name}: in the path view only`);
}

test('the OpenAPI documents and the patch engines see the same merge metadata for every served kind', () => {
  for (const ri of RESOURCES) {
    const doc = openapiV3Document(groupVersionPath(ri.group, ri.version)) as S;
    const schemas = doc.components.schemas;
    const kind = schemas[schemaName(moduleOf(ri.group, ri.version), ri.kind)];
    assert.ok(kind, `${keyOf(ri)}: no schema for ${ri.kind}`);
    const out = { lists: 0 };
    // Depth-first over every field; struct nodes are shared, so paths bound the walk
    // (a recursive type would show up here as an endless path).
    agree(schemas, kind, schemaFor(keyOf(ri)), keyOf(ri), new Set(), out);
    if (ri.kind === 'Pod' || ri.kind === 'StatefulSet') assert.ok(out.lists > 50, `${keyOf(ri)}: only ${out.lists} lists walked`);
  }
});

test('every entry of the metadata table names a list field of the object model (or a struct field replaced whole)', () => {
  const lib = servedTypeLibrary();
  const moduleOfSchema = (id: string): [string, string] => {
    const dot = id.lastIndexOf('.');
    const pkg = id.slice(0, dot);
    const module = pkg === 'io.k8s.apimachinery.pkg.apis.meta.v1' ? 'meta/v1' : pkg.replace(/^io\.k8s\.api\./, '').replace('.', '/');
    return [module, id.slice(dot + 1)];
  };
  for (const [schema, field, meta] of describedFields()) {
    const [module, name] = moduleOfSchema(schema);
    assert.equal(schemaName(module, name), schema);
    const decl = lib.lookup(module, name);
    assert.equal(decl.kind, 'interface', schema);
    const member = decl.kind === 'interface' ? decl.members.find((m) => m.name === field) : undefined;
    assert.ok(member, `${schema}.${field} is not declared`);
    if (meta.patchStrategy === 'replace') {
      assert.equal(member.type.t, 'ref', `${schema}.${field}: patchStrategy=replace on a field that is not a struct`);
      continue;
    }
    assert.equal(member.type.t, 'array', `${schema}.${field} is not a list`);
    if (meta.listType === 'map') assert.ok(meta.listMapKeys?.length, `${schema}.${field}: a map list without keys`);
    else assert.equal(meta.listMapKeys, undefined, `${schema}.${field}: keys on a ${meta.listType ?? 'atomic'} list`);
    if (meta.patchMergeKey) assert.ok(meta.patchStrategy?.includes('merge'), `${schema}.${field}: merge key without merge strategy`);
  }
});

test('1.31/1.32 fields: pod-level resources and allocatedResourcesStatus in both views', () => {
  const core = openapiV3Document('api/v1') as S;
  const schemas = core.components.schemas;
  const status = schemas['io.k8s.api.core.v1.ContainerStatus'].properties.allocatedResourcesStatus;
  assert.equal(status['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(status['x-kubernetes-list-map-keys'], ['name']);
  const pods = schemaFor('pods');
  const podResources = fieldSchema(fieldSchema(pods, 'spec'), 'resources');
  assert.ok(podResources?.fields, 'pod-level spec.resources is a struct');
  assert.equal(fieldSchema(podResources, 'limits')?.map, true);
  assert.deepEqual(fieldSchema(podResources, 'claims')?.keys, ['name']);
  const statuses = fieldSchema(fieldSchema(pods, 'status'), 'containerStatuses');
  const allocated = fieldSchema(statuses?.item, 'allocatedResourcesStatus');
  assert.equal(allocated?.mergeKey, 'name');
  assert.equal(allocated?.list, 'map');
  assert.deepEqual(fieldSchema(allocated?.item, 'resources')?.keys, ['resourceID']);
});

test('strategic merge patch follows the patch strategy, server-side apply the list type', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: {
      resources: { limits: { cpu: '1' }, claims: [{ name: 'a' }] },
      containers: [{ name: 'c', image: 'i', resources: { claims: [{ name: 'a' }] } }],
    },
  };
  // Pod-level resources: maps merge key by key; claims (listType=map, no patch strategy) are replaced.
  const patched = applyPatch('pods', 'strategic', pod, {
    spec: { resources: { limits: { memory: '1Gi' }, claims: [{ name: 'b' }] }, containers: [{ name: 'c', resources: { claims: [{ name: 'b' }] } }] },
  });
  assert.deepEqual(patched.spec.resources, { limits: { cpu: '1', memory: '1Gi' }, claims: [{ name: 'b' }] });
  assert.deepEqual(patched.spec.containers, [{ name: 'c', image: 'i', resources: { claims: [{ name: 'b' }] } }]);
  // hostIPs merge by ip in a strategic merge patch (patchStrategy=merge) though atomic for
  // apply; a new item comes before the server's (apimachinery's mergeSortedSlice).
  const withStatus = { ...pod, status: { hostIPs: [{ ip: '10.0.0.1' }], podIPs: [{ ip: '10.1.0.1' }] } };
  const status = applyPatch('pods', 'strategic', withStatus, { status: { hostIPs: [{ ip: '10.0.0.2' }], podIPs: [{ ip: '10.1.0.2' }] } });
  assert.deepEqual(status.status.hostIPs, [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }]);
  assert.deepEqual(status.status.podIPs, [{ ip: '10.1.0.2' }, { ip: '10.1.0.1' }]);
  // Server-side apply merges claims by name (listType=map), keeping another manager's item.
  const created = serverSideApply('pods', undefined, pod, 'creator', false, new Date(0));
  const applied = serverSideApply('pods', created, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { resources: { claims: [{ name: 'b' }] } },
  }, 'other', false, new Date(0));
  assert.deepEqual(applied.spec.resources.claims, [{ name: 'a' }, { name: 'b' }]);
});
