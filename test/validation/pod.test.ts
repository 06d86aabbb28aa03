import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../src/api/validation/index.js';
import { lines, pod } from './helpers.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const UPDATE_MSG = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

test('a defaulted pod is valid', () => {
  assert.deepEqual(lines(validateCreate('pods', pod())), []);
});

const cases: [string, (p: any) => void, string[]][] = [
  ['no containers', (p) => { p.spec.containers = []; }, ['spec.containers: Required value']],
  ['no name', (p) => { delete p.metadata.name; }, ['metadata.name: Required value: name or generateName is required']],
  ['uppercase name', (p) => { p.metadata.name = 'Web-0'; }, [`metadata.name: Invalid value: "Web-0": ${SUBDOMAIN_MSG}`]],
  ['no namespace', (p) => { delete p.metadata.namespace; }, ['metadata.namespace: Required value']],
  ['bad label key', (p) => { p.metadata.labels = { 'a/b/c': 'x' }; },
    ["metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
  ['bad restartPolicy', (p) => { p.spec.restartPolicy = 'Sometimes'; },
    ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  ['bad dnsPolicy', (p) => { p.spec.dnsPolicy = 'Cluster'; },
    ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"']],
  ['image with whitespace', (p) => { p.spec.containers[0].image = ' nginx'; },
    ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace']],
  ['duplicate volume', (p) => { p.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }]; },
    ['spec.volumes[1].name: Duplicate value: "a"']],
  ['two volume types', (p) => { p.spec.volumes = [{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }]; },
    ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type']],
  ['probe without handler', (p) => { p.spec.containers[0].readinessProbe = {}; },
    ['spec.containers[0].readinessProbe: Required value: must specify a handler type']],
  ['liveness successThreshold', (p) => { p.spec.containers[0].livenessProbe = { tcpSocket: { port: 80 }, successThreshold: 2 }; },
    ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
  ['request above limit', (p) => { p.spec.containers[0].resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } }; },
    ['spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m']],
  ['bad quantity', (p) => { p.spec.containers[0].resources = { limits: { memory: '1GB' } }; },
    ["spec.containers[0].resources.limits[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      "spec.containers[0].resources.requests[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]],
  ['toleration without key', (p) => { p.spec.tolerations = [{ operator: 'Equal', value: 'x' }]; },
    ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"']],
  ['env valueFrom without source', (p) => { p.spec.containers[0].env = [{ name: 'A', valueFrom: {} }]; },
    ['spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`']],
  ['hostPort conflict', (p) => { p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8080 }]; },
    ['spec.containers[0].ports[1].hostPort: Duplicate value: "/TCP/8080"']],
];
for (const [name, mutate, want] of cases) {
  test(`Pod create: ${name}`, () => {
    assert.deepEqual(lines(validateCreate('pods', pod(mutate))), want);
  });
}

test('a pod update may change images, add tolerations, shorten activeDeadlineSeconds', () => {
  const old = pod((p) => { p.spec.activeDeadlineSeconds = 100; });
  const next = pod((p) => {
    p.spec.activeDeadlineSeconds = 50;
    p.spec.containers[0].image = 'nginx:1.26';
    p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }];
  });
  assert.deepEqual(lines(validateUpdate('pods', next, old)), []);
});

test('a pod update may not change other fields', () => {
  const errs = validateUpdate('pods', pod((p) => { p.spec.containers[0].ports[0].containerPort = 81; }), pod());
  assert.equal(errs.length, 1);
  assert.equal(`${errs[0].field}: ${errs[0].message.split('\n')[0]}`, UPDATE_MSG);
  assert.match(errs[0].message, /\n {2}core\.PodSpec\{\n- \tContainers: /);
});

test('a pod update may not add containers or lengthen the deadline', () => {
  const two = pod((p) => { p.spec.containers.push({ name: 'b', image: 'busybox' }); });
  assert.deepEqual(lines(validateUpdate('pods', two, pod())), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const old = pod((p) => { p.spec.activeDeadlineSeconds = 10; });
  const next = pod((p) => { p.spec.activeDeadlineSeconds = 20; });
  assert.deepEqual(lines(validateUpdate('pods', next, old)), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
});

test('existing tolerations may only change tolerationSeconds', () => {
  const old = pod((p) => { p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }]; });
  const ok = pod((p) => { p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]; });
  assert.deepEqual(lines(validateUpdate('pods', ok, old)), []);
  const bad = pod((p) => { p.spec.tolerations = [{ key: 'j', operator: 'Exists', effect: 'NoExecute' }]; });
  assert.deepEqual(lines(validateUpdate('pods', bad, old)), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});

test('pod status: a terminated container of a Never pod stays terminated; nodeName is not the status writer\'s', () => {
  const old = pod((p) => {
    p.spec.restartPolicy = 'Never';
    p.status = { containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 0 } } }] };
  });
  const next = structuredClone(old);
  next.status.containerStatuses[0].state = { running: {} };
  next.status.podIPs = [{ ip: '127.0.1.1' }, { ip: 'x' }];
  assert.deepEqual(lines(validateStatusUpdate('pods', next, old)), [
    'status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state',
    'status.podIPs[1]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
});
