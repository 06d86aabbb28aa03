import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupVersions } from '../../src/api/resources.js';
import { parseModule, resolveModule } from '../../src/apiserver/openapi/dts.js';
import {
  cannotBeHandledMessage, openapiV3Document, openapiV3Index, strictDecodingMessage, unknownFieldMessage, unknownFields,
} from '../../src/apiserver/openapi/index.js';

type S = Record<string, any>;

function schemas(gv: string): S {
  const doc = openapiV3Document(gv) as S;
  assert.ok(doc, `document ${gv}`);
  return doc.components.schemas;
}

const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

test('parser reads imports, JSDoc, optional and readonly members, arrays, maps and unions', () => {
  const m = parseModule('apps/v1', `import { ObjectMeta, Time } from "../meta/v1";
/**
 * Thing is a sample.
 *
 * Second paragraph.
 */
export interface Thing {
    /** Kind. */
    kind?: "Thing";
    apiVersion?: "apps/v1";
    readonly status?: ThingStatus;
    metadata?: ObjectMeta;
    items: Array<string>;
    matrix?: number[];
    labels?: {
        [name: string]: Time;
    };
    port: number | string;
}
/** A string alias. */
export type Word = string;
`);
  const thing = m.decls.get('Thing');
  assert.ok(thing && thing.kind === 'interface');
  assert.equal(thing.description, 'Thing is a sample.\n\nSecond paragraph.');
  const byName = Object.fromEntries(thing.members.map((x) => [x.name, x]));
  assert.deepEqual(byName.kind.type, { t: 'literal', value: 'Thing' });
  assert.equal(byName.kind.description, 'Kind.');
  assert.equal(byName.status.optional, true);
  assert.deepEqual(byName.status.type, { t: 'ref', module: 'apps/v1', name: 'ThingStatus' });
  assert.deepEqual(byName.metadata.type, { t: 'ref', module: 'meta/v1', name: 'ObjectMeta' });
  assert.equal(byName.items.optional, false);
  assert.deepEqual(byName.items.type, { t: 'array', items: { t: 'primitive', name: 'string' } });
  assert.deepEqual(byName.matrix.type, { t: 'array', items: { t: 'primitive', name: 'number' } });
  assert.deepEqual(byName.labels.type, { t: 'map', values: { t: 'ref', module: 'meta/v1', name: 'Time' } });
  assert.equal(byName.port.type.t, 'union');
  const word = m.decls.get('Word');
  assert.ok(word && word.kind === 'alias');
  assert.deepEqual(word.type, { t: 'primitive', name: 'string' });
  assert.equal(resolveModule('authentication/v1beta1', './v1'), 'authentication/v1');
  assert.equal(resolveModule('apps/v1', '../runtime'), 'runtime');
});

test('StatefulSet schema: kind, replicas as a described integer, required fields', () => {
  const s = schemas('apis/apps/v1');
  const sts = s[`${APPS}.StatefulSet`];
  assert.deepEqual(sts['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'StatefulSet' }]);
  assert.deepEqual(sts.properties.spec.allOf, [{ $ref: `#/components/schemas/${APPS}.StatefulSetSpec` }]);
  assert.match(sts.description, /StatefulSet represents a set of pods with consistent identities/);
  const spec = s[`${APPS}.StatefulSetSpec`];
  assert.equal(spec.properties.replicas.type, 'integer');
  assert.match(spec.properties.replicas.description, /^replicas is the desired number of replicas/);
  assert.ok(spec.required.includes('selector'));
  assert.ok(spec.required.includes('template'));
  assert.ok(!spec.required.includes('replicas'));
  assert.deepEqual(s[`${APPS}.StatefulSetList`]['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'StatefulSetList' }]);
  // Reached through the scale subresource.
  assert.ok(s['io.k8s.api.autoscaling.v1.Scale']);
});

test('PodSpec.containers is an array of Container merged by name', () => {
  const s = schemas('api/v1');
  const containers = s[`${CORE}.PodSpec`].properties.containers;
  assert.equal(containers.type, 'array');
  assert.deepEqual(containers.items, { $ref: `#/components/schemas/${CORE}.Container` });
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(s[`${CORE}.PodSpec`].properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(s[`${CORE}.Container`].properties.image.type, 'string');
  assert.deepEqual(s[`${CORE}.Container`].required, ['name']);
});

test('ObjectMeta labels is a map of strings; Time, Quantity and IntOrString as Kubernetes names them', () => {
  const s = schemas('api/v1');
  const meta = s[`${META}.ObjectMeta`];
  assert.deepEqual(meta.properties.labels.type, 'object');
  assert.deepEqual(meta.properties.labels.additionalProperties, { type: 'string' });
  assert.match(meta.properties.labels.description, /Map of string keys and values/);
  assert.deepEqual(meta.properties.creationTimestamp.allOf, [{ $ref: `#/components/schemas/${META}.Time` }]);
  assert.equal(s[`${META}.Time`].type, 'string');
  assert.equal(s[`${META}.Time`].format, 'date-time');
  const intOrString = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(intOrString['x-kubernetes-int-or-string'], true);
  assert.deepEqual(s[`${CORE}.ServicePort`].properties.targetPort.allOf,
    [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  const limits = s[`${CORE}.ResourceRequirements`].properties.limits;
  assert.deepEqual(limits.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  assert.ok(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf);
  // Free-form content stays free-form.
  assert.equal(s[`${META}.FieldsV1`].properties, undefined);
});

test('index lists every served group version with a stable hash', () => {
  const idx = openapiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
  const expected = groupVersions().map((gv) => (gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`));
  assert.deepEqual(Object.keys(idx.paths), expected);
  for (const [key, { serverRelativeURL }] of Object.entries(idx.paths)) {
    assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
  }
  assert.deepEqual(openapiV3Index(), idx);
  assert.equal(openapiV3Document('apis/batch/v1'), undefined);
  assert.equal(openapiV3Document('nonsense'), undefined);
});

test('PATCH operations carry the GVK, fieldValidation and the patch content types', () => {
  const doc = openapiV3Document('apis/apps/v1') as S;
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'];
  const patch = item.patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'StatefulSet' });
  assert.equal(patch.operationId, 'patchAppsV1NamespacedStatefulSet');
  const names = patch.parameters.map((p: S) => p.name);
  for (const n of ['fieldValidation', 'fieldManager', 'force', 'dryRun']) assert.ok(names.includes(n), n);
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml', 'application/json-patch+json',
    'application/merge-patch+json', 'application/strategic-merge-patch+json',
  ]);
  for (const verb of ['get', 'put', 'delete']) assert.ok(item[verb], verb);
  const coll = doc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets'];
  assert.ok(coll.get && coll.post && coll.delete);
  assert.equal(coll.get.responses['200'].content['application/json'].schema.$ref, `#/components/schemas/${APPS}.StatefulSetList`);
  assert.ok(doc.paths['/apis/apps/v1/statefulsets'].get);
  assert.deepEqual(doc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale'].patch['x-kubernetes-group-version-kind'],
    { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/status'].patch);
  const core = openapiV3Document('api/v1') as S;
  assert.ok(core.paths['/api/v1/namespaces/{name}'].patch, 'cluster-scoped path');
  assert.ok(core.paths['/api/v1/persistentvolumes/{name}'].patch);
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.responses['200'].content['application/json'].schema.type, 'string');
});

test('unknownFields: a valid object has none', () => {
  const sts = {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: {
      name: 'web', labels: { app: 'web', anything: 'goes' }, annotations: { 'a/b': 'c' },
      managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
    },
    spec: {
      replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }],
            resources: { limits: { cpu: '1', memory: '1Gi' } },
            readinessProbe: { httpGet: { port: 'http', path: '/' } },
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
    status: { replicas: 3, readyReplicas: 3 },
  };
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', sts), []);
});

test('unknownFields: reports nested, listed and top-level unknown fields in order', () => {
  const obj = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', bogus: true,
    metadata: { name: 'web', lables: { a: 'b' } },
    spec: {
      foo: 1,
      template: { spec: { containers: [{ name: 'a' }, { name: 'b', imagePullPolicyX: 'Always', ports: [{ containerPort: 1, hostnetwork: 1 }] }] } },
    },
  };
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', obj), [
    '.bogus',
    '.metadata.lables',
    '.spec.foo',
    '.spec.template.spec.containers[1].imagePullPolicyX',
    '.spec.template.spec.containers[1].ports[0].hostnetwork',
  ]);
  assert.deepEqual(unknownFields('v1', 'Service', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80, targetPort: 'http', nodeport: 1 }] } }),
    ['.spec.ports[0].nodeport']);
  assert.deepEqual(unknownFields('v1', 'ConfigMap', { data: { x: 'y' }, binaryData: {}, immutable: true, extra: 1 }), ['.extra']);
});

test('unknownFields: unknown kinds and non-object values report nothing', () => {
  assert.deepEqual(unknownFields('example.com/v1', 'Widget', { spec: { x: 1 } }), []);
  assert.deepEqual(unknownFields('apps/v1', 'Pod', { spec: { x: 1 } }), []);
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', null), []);
  assert.deepEqual(unknownFields('apps/v1', 'StatefulSet', { spec: null, metadata: 'x' }), []);
});

test('strict decoding messages read as Kubernetes writes them', () => {
  const detail = strictDecodingMessage(['.spec.foo', '.spec.ports[0].nodeport']);
  assert.equal(detail, 'strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].nodeport"');
  assert.equal(unknownFieldMessage('.spec.foo'), 'unknown field "spec.foo"');
  assert.equal(cannotBeHandledMessage('Service', 'v1', detail),
    'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].nodeport"');
});
