// Namespaces, ConfigMaps, Secrets, ServiceAccounts, Endpoints, EndpointSlices,
// Events and Nodes.
import type { FieldError } from '../errors.js';
import { PROTOCOLS, dns1123Label, validateQuantity } from './container.js';
import {
  FIELD_IMMUTABLE, GoValue, arr, deepEqual, duplicate, entries, forbidden, goStringSlice, immutable, invalid, isObject,
  notSupported, required, tooLong, tooMany,
} from './field.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  isConfigMapKey, isDNS1123Subdomain, isIP, isIPv6, isQualifiedName, isValidCIDR, isValidIP, isValidLabelValue, isValidPortNum,
  nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, parseIPv4,
} from './names.js';

/** core.MaxSecretSize, which also bounds ConfigMaps. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

// ---------------------------------------------------------------- Namespace

export function validateNamespace(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, false, nameIsDNSLabel);
  for (const f of arr<string>(obj?.spec?.finalizers)) {
    for (const m of isQualifiedName(String(f))) errs.push(invalid('spec.finalizers', f, m));
    if (!String(f).includes('/') && !STANDARD_FINALIZERS.includes(f)) {
      errs.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

export function validateNamespaceStatusUpdate(obj: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  const phase = obj?.status?.phase ?? '';
  if (!obj?.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

// ---------------------------------------------------------------- ConfigMap and Secret

function decodedLength(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

function isBase64(v: unknown): boolean {
  return typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0;
}

export function validateConfigMap(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  let size = 0;
  const binary = isObject(obj?.binaryData) ? obj.binaryData : {};
  for (const [k, v] of entries(obj?.data as Record<string, unknown>)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    if (k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(typeof v === 'string' ? v : String(v ?? ''));
  }
  for (const [k, v] of entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`binaryData[${k}]`, k, m));
    if (!isBase64(v)) errs.push(invalid(`binaryData[${k}]`, '<binary data>', 'illegal base64 data'));
    size += decodedLength(v);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', new GoValue('&core.ConfigMap{...}'), MAX_SECRET_SIZE));
  return errs;
}

const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

function immutableData(obj: any, old: any, fields: string[]): FieldError[] {
  if (old?.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj?.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_SET));
  for (const f of fields) if (!deepEqual(obj?.[f], old?.[f])) errs.push(forbidden(f, IMMUTABLE_SET));
  return errs;
}

export function validateConfigMapUpdate(obj: any, old: any): FieldError[] {
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...immutableData(obj, old, ['data', 'binaryData']),
    ...validateConfigMap(obj),
  ];
}

export function validateSecret(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  const data = isObject(obj?.data) ? obj.data : {};
  let size = 0;
  for (const [k, v] of entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(`data[${k}]`, k, m));
    if (!isBase64(v)) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    size += decodedLength(v);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', '', MAX_SECRET_SIZE));
  const has = (k: string) => k in data;
  switch (obj?.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if (!obj?.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) { errs.push(required(`data[${key}]`, '')); break; }
      try {
        JSON.parse(Buffer.from(String(data[key]), 'base64').toString('utf8'));
      } catch (e) {
        errs.push(invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required('data[username]', ''), required('data[password]', ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decodedLength(data['ssh-privatekey'])) errs.push(required('data[ssh-privatekey]', ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]', ''));
      if (!has('tls.key')) errs.push(required('data[tls.key]', ''));
      break;
  }
  return errs;
}

export function validateSecretUpdate(obj: any, old: any): FieldError[] {
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...immutable('type', obj?.type ?? '', old?.type ?? ''),
    ...immutableData(obj, old, ['data']),
    ...validateSecret(obj),
  ];
}

export function validateServiceAccount(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  arr<Record<string, any>>(obj?.imagePullSecrets).forEach((r, i) => {
    if (!r.name) errs.push(required(`imagePullSecrets[${i}].name`, ''));
  });
  return errs;
}

// ---------------------------------------------------------------- Endpoints

function validateEndpointPortCommon(p: Record<string, any>, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(`${path}.name`, ''));
  else if (p.name) errs.push(...dns1123Label(String(p.name), `${path}.name`));
  const port = typeof p.port === 'number' ? p.port : 0;
  for (const m of isValidPortNum(port)) errs.push(invalid(`${path}.port`, port, m));
  if (!p.protocol) errs.push(required(`${path}.protocol`, ''));
  else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  if (p.appProtocol !== undefined && p.appProtocol !== null) {
    for (const m of isQualifiedName(String(p.appProtocol))) errs.push(invalid(`${path}.appProtocol`, p.appProtocol, m));
  }
  return errs;
}

/** Special addresses Kubernetes refuses as endpoints; loopback is allowed, since pods here live on 127.0.0.0/8. */
function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  if (ip === '0.0.0.0' || ip === '::') return [invalid(path, ip, 'may not be unspecified (0.0.0.0, ::)')];
  if (ip.startsWith('169.254.') || /^fe[89ab]/i.test(ip)) return [invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (ip.startsWith('224.0.0.') || /^ff02:/i.test(ip)) return [invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}

function validateEndpointAddress(a: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ip = String(a.ip ?? '');
  const msgs = isValidIP(ip);
  for (const m of msgs) errs.push(invalid(`${path}.ip`, ip, m));
  if (a.hostname) errs.push(...dns1123Label(String(a.hostname), `${path}.hostname`));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    for (const m of isDNS1123Subdomain(String(a.nodeName))) errs.push(invalid(`${path}.nodeName`, a.nodeName, m));
  }
  if (!msgs.length) errs.push(...validateNonSpecialIP(ip, `${path}.ip`));
  return errs;
}

export function validateEndpoints(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  arr<Record<string, any>>(obj?.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    arr<Record<string, any>>(ss.addresses).forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.addresses[${j}]`)));
    arr<Record<string, any>>(ss.notReadyAddresses).forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = arr<Record<string, any>>(ss.ports);
    ports.forEach((port, j) => errs.push(...validateEndpointPortCommon(port, ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  const type = obj?.addressType ?? '';
  if (!type) errs.push(required('addressType', ''));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = arr<Record<string, any>>(obj?.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  else {
    endpoints.forEach((ep, i) => {
      const p = `endpoints[${i}].addresses`;
      const addrs = arr<string>(ep.addresses);
      if (addrs.length === 0) errs.push(required(p, 'must contain at least 1 address'));
      else if (addrs.length > 100) errs.push(tooMany(p, addrs.length, 100));
      addrs.forEach((a, j) => {
        const ap = `${p}[${j}]`;
        if (type === 'IPv4') {
          if (!parseIPv4(String(a))) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
          else errs.push(...validateNonSpecialIP(String(a), ap));
        } else if (type === 'IPv6') {
          if (!isIPv6(String(a))) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
          else errs.push(...validateNonSpecialIP(String(a), ap));
        } else if (type === 'FQDN') {
          for (const m of isDNS1123Subdomain(String(a))) errs.push(invalid(ap, a, m));
        }
      });
      if (ep.nodeName !== undefined && ep.nodeName !== null) {
        for (const m of isDNS1123Subdomain(String(ep.nodeName))) errs.push(invalid(`endpoints[${i}].nodeName`, ep.nodeName, m));
      }
      errs.push(...validateLabels(ep.deprecatedTopology, `endpoints[${i}].deprecatedTopology`));
      if (ep.hostname !== undefined && ep.hostname !== null) errs.push(...dns1123Label(String(ep.hostname), `endpoints[${i}].hostname`));
    });
  }
  const names = new Set<string>();
  const ports = arr<Record<string, any>>(obj?.ports);
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  else {
    ports.forEach((port, i) => {
      const p = `ports[${i}]`;
      const name = String(port.name ?? '');
      if (name) errs.push(...dns1123Label(name, `${p}.name`));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
      if (!port.protocol) errs.push(required(`${p}.protocol`, ''));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
      if (port.appProtocol !== undefined && port.appProtocol !== null) {
        for (const m of isQualifiedName(String(port.appProtocol))) errs.push(invalid(`${p}.appProtocol`, port.appProtocol, m));
      }
    });
  }
  return errs;
}

export function validateEndpointSliceUpdate(obj: any, old: any): FieldError[] {
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...validateEndpointSlice(obj),
    ...immutable('addressType', obj?.addressType ?? '', old?.addressType ?? ''),
  ];
}

// ---------------------------------------------------------------- Events

function legacyEvent(ev: any, v1: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev?.metadata?.namespace ?? '';
  const involved = v1 ? ev?.involvedObject : ev?.regarding;
  const involvedNs = involved?.namespace ?? '';
  const controllerField = v1 ? 'reportingComponent' : 'reportingController';
  const controller = v1 ? ev?.reportingComponent : ev?.reportingController;
  if (!ev?.eventTime) {
    if (!involvedNs) {
      if (ns && ns !== 'default') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    if (!controller) errs.push(required(controllerField, ''));
    for (const m of isQualifiedName(String(controller ?? ''))) errs.push(invalid(controllerField, controller ?? '', m));
    const limited: [string, unknown, number][] = [
      ['reportingInstance', ev?.reportingInstance, 128], ['action', ev?.action, 128], ['reason', ev?.reason, 128],
    ];
    for (const [f, v, max] of limited) {
      if (!v) errs.push(required(f, ''));
      else if (String(v).length > max) errs.push(invalid(f, '', `can have at most ${max} characters`));
    }
    const message = v1 ? ev?.message : ev?.note;
    if (String(message ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  return errs;
}

/** core/v1 Events keep the lenient legacy rules. */
export function validateEvent(ev: any): FieldError[] {
  return [...nameIsPathSegment(String(ev?.metadata?.name ?? ''), false).map((m) => invalid('metadata.name', ev?.metadata?.name ?? '', m)), ...legacyEvent(ev, true)];
}

/** events.k8s.io/v1 Events get the strict rules. */
export function validateNewEvent(ev: any): FieldError[] {
  const errs = [...legacyEvent(ev, false), ...validateObjectMeta(ev?.metadata, true, nameIsDNSSubdomain)];
  if (!ev?.eventTime) errs.push(required('eventTime', ''));
  if (ev?.type !== 'Normal' && ev?.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${ev?.type ?? ''}`));
  if (ev?.deprecatedFirstTimestamp) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (ev?.deprecatedLastTimestamp) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (ev?.deprecatedCount) errs.push(invalid('count', '', 'needs to be unset'));
  if (ev?.deprecatedSource?.component || ev?.deprecatedSource?.host) errs.push(invalid('source', '', 'needs to be unset'));
  if (isObject(ev?.series)) {
    if ((ev.series.count ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
    if (!ev.series.lastObservedTime) errs.push(required('series.lastObservedTime', ''));
  }
  return errs;
}

export function validateNewEventUpdate(ev: any, old: any): FieldError[] {
  const errs = [...legacyEvent(ev, false), ...validateObjectMetaUpdate(ev?.metadata, old?.metadata)];
  const pairs: [string, string][] = [
    ['regarding', 'involvedObject'], ['reason', 'reason'], ['note', 'message'], ['type', 'type'], ['eventTime', 'eventTime'],
    ['action', 'action'], ['related', 'related'], ['reportingController', 'reportingController'], ['reportingInstance', 'reportingInstance'],
  ];
  for (const [f, shown] of pairs) if (!deepEqual(ev?.[f], old?.[f])) errs.push(invalid(shown, ev?.[f] ?? '', FIELD_IMMUTABLE));
  return errs;
}

// ---------------------------------------------------------------- Node

function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, qty] of entries(list as Record<string, unknown>)) {
    for (const m of isQualifiedName(name)) errs.push(invalid(`${path}[${name}]`, name, m));
    errs.push(...validateQuantity(qty, `${path}[${name}]`));
  }
  return errs;
}

export function validateNode(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, false, nameIsDNSSubdomain);
  const seen = new Set<string>();
  arr<Record<string, any>>(obj?.spec?.taints).forEach((t, i) => {
    const p = `metadata.taints[${i}]`;
    for (const m of isQualifiedName(String(t.key ?? ''))) errs.push(invalid(`${p}.key`, t.key ?? '', m));
    const vm = isValidLabelValue(String(t.value ?? ''));
    if (vm.length) errs.push(invalid(`${p}.value`, t.value ?? '', vm.join(';')));
    if (!t.effect) errs.push(required(`${p}.effect`, ''));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t.effect}/${t.key}`;
    if (seen.has(key)) {
      const e = duplicate(p, new GoValue(`core.Taint{Key:${JSON.stringify(t.key ?? '')}, Value:${JSON.stringify(t.value ?? '')}, Effect:${JSON.stringify(t.effect ?? '')}, TimeAdded:<nil>}`));
      e.message += ': taints must be unique by key and effect pair';
      errs.push(e);
    }
    seen.add(key);
  });
  errs.push(...validateResourceList(obj?.status?.capacity, 'status.capacity'));
  errs.push(...validateResourceList(obj?.status?.allocatable, 'status.allocatable'));
  const cidrs = arr<string>(obj?.spec?.podCIDRs);
  cidrs.forEach((c, i) => { for (const m of isValidCIDR(String(c))) errs.push(invalid(`spec.podCIDRs[${i}]`, c, m)); });
  if (cidrs.length > 2 || (cidrs.length === 2 && parseIPv4(cidrs[0].split('/')[0]) !== null === (parseIPv4(cidrs[1].split('/')[0]) !== null))) {
    errs.push(invalid('spec.podCIDRs', new GoValue(goStringSlice(cidrs)), 'may specify no more than one CIDR for each IP family'));
  }
  arr<Record<string, any>>(obj?.status?.addresses).forEach((a, i) => {
    if (a.type === 'InternalIP' || a.type === 'ExternalIP') {
      if (!isIP(String(a.address ?? ''))) errs.push(invalid(`status.addresses[${i}].address`, a.address ?? '', 'must be a valid IP address'));
    }
  });
  return errs;
}

export function validateNodeUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateNode(obj)];
  const seen = new Set<string>();
  arr<Record<string, any>>(obj?.status?.addresses).forEach((a, i) => {
    const key = `${a.type}/${a.address}`;
    if (seen.has(key)) errs.push(duplicate(`status.addresses[${i}]`, new GoValue(`core.NodeAddress{Type:${JSON.stringify(a.type ?? '')}, Address:${JSON.stringify(a.address ?? '')}}`)));
    seen.add(key);
  });
  const oc = arr<string>(old?.spec?.podCIDRs);
  const nc = arr<string>(obj?.spec?.podCIDRs);
  if (oc.length && (oc.length !== nc.length || oc.some((c, i) => c !== nc[i]))) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old?.spec?.providerID && old.spec.providerID !== obj?.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}
