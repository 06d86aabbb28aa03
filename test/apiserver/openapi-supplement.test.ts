// The Kubernetes 1.32 supplement of the object model: how mergeModule lays a module's
// supplement over the kubernetes-types declarations, and what the served model then
// accepts and publishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mergeModule, parseModule, TypeLibrary, type Decl, type InterfaceDecl, type TypeExpr,
} from '../../src/apiserver/openapi/dts.js';
import { openapiV3Document, unknownFields } from '../../src/apiserver/openapi/index.js';
import { KUBERNETES_1_32_SUPPLEMENT } from '../../src/apiserver/openapi/supplement.js';

type S = Record<string, any>;

const BASE = `import { ObjectMeta } from "../meta/v1";
/** Widget is a thing. */
export interface Widget {
    /** Standard object metadata. */
    metadata?: ObjectMeta;
    /** Size of the widget. */
    size: number;
    /** Colour, long gone. */
    colour?: string;
    /** Shape of the widget. */
    shape?: string;
}
/** Old alias. */
export type Handle = string;
`;

const EXTRA = `import { Time } from "../meta/v1";
export interface Widget {
    // Added: a new field, at the end.
    /** When the widget was polished. */
    polishedAt?: Time;
    // Removed.
    colour?: never;
    // Reworded and retyped, in place.
    /** Size of the widget, in parts. */
    size: Array<number>;
}
/** Gadget is new. */
export interface Gadget {
    /** What it does. */
    purpose?: string;
    ghost?: never;
}
/** New alias. */
export type Handle = number;
`;

function iface(d: Decl | undefined): InterfaceDecl {
  assert.ok(d && d.kind === 'interface', 'an interface');
  return d;
}

test('mergeModule adds, replaces in place and removes members, and adds new declarations', () => {
  const base = parseModule('widgets/v1', BASE);
  const merged = mergeModule(base, parseModule('widgets/v1', EXTRA));
  const w = iface(merged.decls.get('Widget'));
  assert.deepEqual(w.members.map((m) => m.name), ['metadata', 'size', 'shape', 'polishedAt']);
  assert.equal(w.description, 'Widget is a thing.', 'the package description stays when the supplement gives none');
  const size = w.members.find((m) => m.name === 'size')!;
  assert.equal(size.description, 'Size of the widget, in parts.');
  assert.deepEqual(size.type, { t: 'array', items: { t: 'primitive', name: 'number' } });
  const polished = w.members.find((m) => m.name === 'polishedAt')!;
  assert.deepEqual(polished.type, { t: 'ref', module: 'meta/v1', name: 'Time' }, 'the supplement\'s imports resolve');
  assert.equal(polished.optional, true);

  const g = iface(merged.decls.get('Gadget'));
  assert.equal(g.description, 'Gadget is new.');
  assert.deepEqual(g.members.map((m) => m.name), ['purpose'], 'a removal in a new interface removes nothing');
  const handle = merged.decls.get('Handle')!;
  assert.equal(handle.kind, 'alias');
  assert.equal(handle.description, 'New alias.');

  // The package's parse is left as it was.
  assert.deepEqual(iface(base.decls.get('Widget')).members.map((m) => m.name), ['metadata', 'size', 'colour', 'shape']);
  assert.equal(base.decls.has('Gadget'), false);
});

test('mergeModule: an interface description in the supplement replaces the package\'s', () => {
  const base = parseModule('widgets/v1', BASE);
  const merged = mergeModule(base, parseModule('widgets/v1', '/** Widget, reworded. */\nexport interface Widget {\n}\n'));
  const w = iface(merged.decls.get('Widget'));
  assert.equal(w.description, 'Widget, reworded.');
  assert.deepEqual(w.members, iface(base.decls.get('Widget')).members);
});

test('TypeLibrary lays each module\'s supplement over the package module, and only that module', () => {
  const files: Record<string, string> = { 'widgets/v1': BASE, 'meta/v1': 'export type Time = string;\n' };
  const plain = new TypeLibrary((m) => files[m]);
  const supplemented = new TypeLibrary((m) => files[m], { 'widgets/v1': EXTRA });
  assert.deepEqual(iface(plain.lookup('widgets/v1', 'Widget')).members.map((m) => m.name), ['metadata', 'size', 'colour', 'shape']);
  assert.deepEqual(iface(supplemented.lookup('widgets/v1', 'Widget')).members.map((m) => m.name), ['metadata', 'size', 'shape', 'polishedAt']);
  assert.equal(supplemented.lookup('widgets/v1', 'Gadget').kind, 'interface');
  assert.equal(supplemented.lookup('meta/v1', 'Time').kind, 'alias');
});

function refs(t: TypeExpr, out: { module: string; name: string }[]): void {
  if (t.t === 'ref') out.push(t);
  else if (t.t === 'array') refs(t.items, out);
  else if (t.t === 'map') refs(t.values, out);
  else if (t.t === 'union') t.members.forEach((m) => refs(m, out));
}

test('the 1.32 supplement: every name it uses resolves, and it changes no type the package already declares', () => {
  const pkg = new TypeLibrary();
  const lib = new TypeLibrary(undefined, KUBERNETES_1_32_SUPPLEMENT);
  for (const [module, text] of Object.entries(KUBERNETES_1_32_SUPPLEMENT)) {
    for (const d of parseModule(module, text).decls.values()) {
      assert.equal(d.kind, 'interface', `${module} ${d.name}`);
      const known = pkg.module(module).decls.get(d.name);
      for (const m of (d as InterfaceDecl).members) {
        const used: { module: string; name: string }[] = [];
        refs(m.type, used);
        for (const r of used) if (r.name !== 'never') assert.ok(lib.lookup(r.module, r.name), `${d.name}.${m.name}: ${r.module} ${r.name}`);
        const before = known?.kind === 'interface' ? known.members.find((x) => x.name === m.name) : undefined;
        // 1.31 and 1.32 added and removed fields but retyped none: a member both declare
        // is a rewording, and must keep the package's type and optionality.
        if (before && !(m.type.t === 'ref' && m.type.name === 'never')) {
          assert.deepEqual(m.type, before.type, `${module} ${d.name}.${m.name} type`);
          assert.equal(m.optional, before.optional, `${module} ${d.name}.${m.name} optional`);
          assert.ok(m.description, `${module} ${d.name}.${m.name} is redeclared for its doc text`);
        }
      }
    }
  }
});

const POD_132 = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: {
    resources: { limits: { cpu: '1', memory: '1Gi' } },
    securityContext: { supplementalGroupsPolicy: 'Strict', seLinuxChangePolicy: 'Recursive' },
    resourceClaims: [{ name: 'gpu', resourceClaimName: 'gpu-0' }, { name: 'fpga', resourceClaimTemplateName: 'fpga' }],
    volumes: [{ name: 'data', image: { reference: 'busybox:1.36', pullPolicy: 'IfNotPresent' } }],
    containers: [{ name: 'c', image: 'busybox', resources: { claims: [{ name: 'gpu', request: 'one' }] } }],
  },
  status: {
    containerStatuses: [{
      name: 'c', ready: true, restartCount: 0, image: 'busybox', imageID: '',
      user: { linux: { uid: 1000, gid: 1000, supplementalGroups: [4, 5] } },
      allocatedResourcesStatus: [{ name: 'claim:gpu/one', resources: [{ resourceID: 'gpu-0', health: 'Healthy' }] }],
    }],
  },
};

test('strict validation accepts the fields 1.31 and 1.32 added, and still names misspelt and removed ones', () => {
  assert.deepEqual(unknownFields('v1', 'Pod', POD_132), []);
  assert.deepEqual(unknownFields('v1', 'Node', {
    status: { features: { supplementalGroupsPolicy: true }, runtimeHandlers: [{ name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: true } }] },
  }), []);
  assert.deepEqual(unknownFields('v1', 'Service', { spec: { trafficDistribution: 'PreferClose' } }), []);
  assert.deepEqual(unknownFields('v1', 'Pod', {
    spec: {
      resourcez: {},
      securityContext: { supplementalGroupPolicy: 'Merge' },
      resourceClaims: [{ name: 'gpu', source: { resourceClaimName: 'gpu-0' } }],
      volumes: [{ name: 'data', image: { ref: 'busybox' } }],
    },
  }), ['.spec.resourcez', '.spec.securityContext.supplementalGroupPolicy', '.spec.resourceClaims[0].source', '.spec.volumes[0].image.ref']);
});

test('the published api/v1 document carries the 1.32 schemas, descriptions and patch metadata', () => {
  const schemas = (openapiV3Document('api/v1') as S).components.schemas as S;
  const core = (name: string): S => schemas[`io.k8s.api.core.v1.${name}`];
  const podSpec = core('PodSpec').properties;
  assert.match(podSpec.resources.description, /^Resources is the total amount of CPU and Memory resources required by all containers in the pod\./);
  assert.deepEqual(podSpec.resources.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements' }]);
  assert.deepEqual(Object.keys(core('PodResourceClaim').properties), ['name', 'resourceClaimName', 'resourceClaimTemplateName']);
  assert.equal(core('ClaimSource'), undefined, 'nothing reaches the removed ClaimSource any more');
  assert.deepEqual(Object.keys(core('ImageVolumeSource').properties), ['pullPolicy', 'reference']);
  assert.deepEqual(core('LinuxContainerUser').required, ['gid', 'uid']);
  const statuses = core('ContainerStatus').properties.allocatedResourcesStatus;
  assert.equal(statuses['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(statuses['x-kubernetes-patch-merge-key'], 'name');
  assert.match(core('ServiceSpec').properties.trafficDistribution.description, /This is a beta field and requires enabling ServiceTrafficDistribution feature\.$/);
  assert.match(core('Volume').properties.gitRepo.description, /Deprecated: GitRepo is deprecated\./);
  const deleteOptions = schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'].properties;
  assert.equal(deleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential.type, 'boolean');
});
