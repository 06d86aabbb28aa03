import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareForUpdate } from '../../src/api/defaults/index.js';
import { validateCreate, validateUpdate } from '../../src/api/validation/index.js';
import { defaulted, lines, service } from './helpers.js';

const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

test('a defaulted Service is valid, and so is a headless one without ports', () => {
  assert.deepEqual(lines(validateCreate('services', service())), []);
  assert.deepEqual(lines(validateCreate('services', service((s) => { s.spec.clusterIP = 'None'; s.spec.ports = []; }))), []);
});

const cases: [string, (s: any) => void, string[]][] = [
  ['no ports', (s) => { s.spec.ports = []; }, ['spec.ports: Required value']],
  ['name starting with a digit', (s) => { s.metadata.name = '1web'; }, [`metadata.name: Invalid value: "1web": ${DNS1035}`]],
  ['port out of range', (s) => { s.spec.ports[0].port = 0; s.spec.ports[0].targetPort = 80; },
    ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ['two unnamed ports', (s) => { s.spec.ports = [{ port: 80 }, { port: 81 }]; },
    ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
  ['duplicate ports', (s) => { s.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]; },
    ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']],
  ['bad type', (s) => { s.spec.type = 'Headless'; },
    ['spec.type: Unsupported value: "Headless": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  ['headless NodePort', (s) => { s.spec.type = 'NodePort'; s.spec.clusterIP = 'None'; },
    ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
  ['bad clusterIP', (s) => { s.spec.clusterIP = '10.96.0.300'; },
    ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['bad session affinity', (s) => { s.spec.sessionAffinity = 'Cookie'; },
    ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"']],
  ['nodePort on ClusterIP', (s) => { s.spec.ports[0].nodePort = 30080; },
    ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ['bad targetPort name', (s) => { s.spec.ports[0].targetPort = 'Web_Port'; },
    ['spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
];
for (const [name, mutate, want] of cases) {
  test(`Service create: ${name}`, () => {
    assert.deepEqual(lines(validateCreate('services', service(mutate))), want);
  });
}

test('clusterIP may not change once set', () => {
  const old = service((s) => { s.spec.clusterIP = '10.96.0.5'; });
  const next = structuredClone(old);
  next.spec.clusterIP = '10.96.0.6';
  prepareForUpdate('services', next, old);
  assert.deepEqual(lines(validateUpdate('services', defaulted('services', next), old)),
    ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set']);
});

test('an update that leaves out the allocated address keeps it', () => {
  const old = service((s) => { s.spec.type = 'NodePort'; s.spec.clusterIP = '10.96.0.5'; s.spec.ports[0].nodePort = 30080; });
  const next: any = { metadata: { ...old.metadata }, spec: { type: 'NodePort', selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web' }] } };
  prepareForUpdate('services', next, old);
  const d = defaulted('services', next);
  assert.equal(d.spec.clusterIP, '10.96.0.5');
  assert.deepEqual(d.spec.clusterIPs, ['10.96.0.5']);
  assert.equal(d.spec.ports[0].nodePort, 30080);
  assert.deepEqual(lines(validateUpdate('services', d, old)), []);
});

test('a headless Service may not become a ClusterIP one', () => {
  const old = service((s) => { s.spec.clusterIP = 'None'; });
  const next = service((s) => { s.spec.clusterIP = '10.96.0.7'; });
  prepareForUpdate('services', next, old);
  assert.deepEqual(lines(validateUpdate('services', next, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.7"}: may not change once set']);
});

test('Service defaults', () => {
  const s = service((x) => { x.spec.clusterIP = 'None'; });
  assert.deepEqual(s.spec, {
    selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web', protocol: 'TCP', targetPort: 80 }],
    clusterIP: 'None', clusterIPs: ['None'], sessionAffinity: 'None', type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
  const selectorless = service((x) => { x.spec.clusterIP = 'None'; delete x.spec.selector; });
  assert.equal(selectorless.spec.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(selectorless.spec.ipFamilies, ['IPv4', 'IPv6']);
  const np = service((x) => { x.spec.type = 'NodePort'; x.spec.sessionAffinity = 'ClientIP'; });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.deepEqual(np.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = service((x) => { x.spec = { type: 'ExternalName', externalName: 'example.com' }; });
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  assert.deepEqual(lines(validateCreate('services', ext)), []);
});
