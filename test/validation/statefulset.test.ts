import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../src/api/validation/index.js';
import { invalid } from '../../src/api/errors.js';
import { lines, statefulSet } from './helpers.js';

const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const FORBIDDEN = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

test('a well-formed StatefulSet (claim templates count as volumes) is valid', () => {
  assert.deepEqual(lines(validateCreate('statefulsets.apps', statefulSet())), []);
});

const createCases: [string, (s: any) => void, string[]][] = [
  ['negative replicas', (s) => { s.spec.replicas = -1; }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
  ['selector not matching template labels', (s) => { s.spec.template.metadata.labels = { app: 'other' }; },
    ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`']],
  ['missing selector', (s) => { delete s.spec.selector; }, ['spec.selector: Required value']],
  ['empty selector', (s) => { s.spec.selector = {}; },
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset']],
  ['bad podManagementPolicy', (s) => { s.spec.podManagementPolicy = 'Sometimes'; },
    ['spec.podManagementPolicy: Invalid value: "Sometimes": must be \'OrderedReady\' or \'Parallel\'']],
  ['negative partition', (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -2 } }; },
    ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -2: must be greater than or equal to 0']],
  ['rollingUpdate with OnDelete', (s) => { s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } }; },
    ["spec.updateStrategy.rollingUpdate: Invalid value: &apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"]],
  ['maxUnavailable 0', (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } }; },
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0']],
  ['maxUnavailable over 100%', (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } }; },
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%']],
  ['negative ordinals.start', (s) => { s.spec.ordinals = { start: -1 }; },
    ['spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0']],
  ['bad retention policy', (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Keep' }; },
    ['spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"']],
  ['restartPolicy Never', (s) => { s.spec.template.spec.restartPolicy = 'Never'; },
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
  ['activeDeadlineSeconds', (s) => { s.spec.template.spec.activeDeadlineSeconds = 10; },
    ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported']],
  ['no containers', (s) => { s.spec.template.spec.containers = []; }, ['spec.template.spec.containers: Required value']],
  ['container without image', (s) => { delete s.spec.template.spec.containers[0].image; },
    ['spec.template.spec.containers[0].image: Required value']],
  ['bad container name', (s) => { s.spec.template.spec.containers[0].name = 'Nginx'; },
    [`spec.template.spec.containers[0].name: Invalid value: "Nginx": ${LABEL_MSG}`]],
  ['duplicate container names', (s) => { s.spec.template.spec.containers.push({ ...s.spec.template.spec.containers[0], volumeMounts: [] }); },
    ['spec.template.spec.containers[1].name: Duplicate value: "nginx"']],
  ['mount of an unknown volume', (s) => { s.spec.template.spec.containers[0].volumeMounts[0].name = 'data'; },
    ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"']],
  ['port out of range', (s) => { s.spec.template.spec.containers[0].ports[0].containerPort = 70000; },
    ['spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['bad port protocol', (s) => { s.spec.template.spec.containers[0].ports[0].protocol = 'HTTP'; },
    ['spec.template.spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  ['env var with "="', (s) => { s.spec.template.spec.containers[0].env = [{ name: 'A=B', value: 'x' }]; },
    ['spec.template.spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'']],
  ['bad template label value', (s) => { s.spec.template.metadata.labels.tier = '-x'; },
    ['spec.template.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')']],
  ['claim template without access modes', (s) => { delete s.spec.volumeClaimTemplates[0].spec.accessModes; },
    ['spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required']],
  ['claim template without storage', (s) => { s.spec.volumeClaimTemplates[0].spec.resources = {}; },
    ['spec.volumeClaimTemplates[0].spec.resources[storage]: Required value']],
  ['name that is a subdomain but not a label', (s) => { s.metadata.name = 'web.v1'; },
    [`metadata.name: Invalid value: "web.v1": ${LABEL_MSG}`]],
];

for (const [name, mutate, want] of createCases) {
  test(`StatefulSet create: ${name}`, () => {
    assert.deepEqual(lines(validateCreate('statefulsets.apps', statefulSet(mutate))), want);
  });
}

test('the 422 reads as kubectl prints it', () => {
  const errs = validateCreate('statefulsets.apps', statefulSet((s) => { s.spec.replicas = -1; }));
  const e = invalid('StatefulSet', 'apps', 'web', errs);
  assert.equal(e.message, 'StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.deepEqual(e.details?.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }]);
});

const mutable: [string, (s: any) => void][] = [
  ['replicas', (s) => { s.spec.replicas = 5; }],
  ['template image', (s) => { s.spec.template.spec.containers[0].image = 'nginx:1.26'; }],
  ['updateStrategy', (s) => { s.spec.updateStrategy = { type: 'OnDelete' }; }],
  ['partition', (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }; }],
  ['minReadySeconds', (s) => { s.spec.minReadySeconds = 10; }],
  ['ordinals', (s) => { s.spec.ordinals = { start: 5 }; }],
  ['retention policy', (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }; }],
];
for (const [name, mutate] of mutable) {
  test(`StatefulSet update may change ${name}`, () => {
    const old = statefulSet();
    assert.deepEqual(lines(validateUpdate('statefulsets.apps', statefulSet(mutate), old)), []);
  });
}

const frozen: [string, (s: any) => void][] = [
  ['volumeClaimTemplates', (s) => { s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'; }],
  ['serviceName', (s) => { s.spec.serviceName = 'other'; }],
  ['podManagementPolicy', (s) => { s.spec.podManagementPolicy = 'Parallel'; }],
  ['selector', (s) => { s.spec.selector.matchLabels.tier = 'web'; s.spec.template.metadata.labels.tier = 'web'; }],
  ['revisionHistoryLimit', (s) => { s.spec.revisionHistoryLimit = 3; }],
];
for (const [name, mutate] of frozen) {
  test(`StatefulSet update may not change ${name}`, () => {
    assert.deepEqual(lines(validateUpdate('statefulsets.apps', statefulSet(mutate), statefulSet())), [FORBIDDEN]);
  });
}

test('StatefulSet update does not check the name again', () => {
  const old = statefulSet((s) => { s.metadata.name = 'legacy.name'; });
  const next = statefulSet((s) => { s.metadata.name = 'legacy.name'; s.spec.replicas = 0; });
  assert.deepEqual(lines(validateUpdate('statefulsets.apps', next, old)), []);
});

test('StatefulSet status rules', () => {
  const old = statefulSet((s) => { s.status = { replicas: 3, collisionCount: 2 }; });
  const next = statefulSet((s) => { s.status = { replicas: 2, readyReplicas: 3, availableReplicas: 3, collisionCount: 1 }; });
  assert.deepEqual(lines(validateStatusUpdate('statefulsets.apps', next, old)), [
    'status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas',
    'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
    'status.collisionCount: Invalid value: 1: cannot be decremented',
  ]);
});

test('ControllerRevision: data is mandatory and immutable, revision non-negative', () => {
  const rev = { metadata: { name: 'web-6d4cf56db6', namespace: 'default' }, revision: -1 };
  assert.deepEqual(lines(validateCreate('controllerrevisions.apps', rev)), [
    'data: Required value: data is mandatory',
    'revision: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const old = { metadata: { name: 'r', namespace: 'default' }, revision: 1, data: { spec: { template: { a: 1 } } } };
  const next = { ...old, data: { spec: { template: { a: 2 } } } };
  assert.deepEqual(lines(validateUpdate('controllerrevisions.apps', next, old)), ['data: Invalid value: runtime.RawExtension{...}: field is immutable']);
});
