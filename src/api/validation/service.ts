// Services (ValidateService, ValidateServiceUpdate, ValidateServiceClusterIPsRelatedFields).
import type { FieldError } from '../errors.js';
import { validatePortNumOrName, dns1123Label, PROTOCOLS } from './container.js';
import {
  GoValue, arr, duplicate, forbidden, goStringSlice, invalid, isObject, notSupported, required,
} from './field.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  isDNS1123Subdomain, isIPv6, isQualifiedName, isValidCIDR, isValidIP, nameIsDNS1035Label, parseIPv4,
} from './names.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const KUBELET_PORT = 10250;

export function isHeadless(svc: any): boolean {
  const ips = arr<string>(svc?.spec?.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

function ipFamilyOf(ip: string): 'IPv4' | 'IPv6' | null {
  return parseIPv4(ip) ? 'IPv4' : isIPv6(ip) ? 'IPv6' : null;
}

function validateServicePort(sp: Record<string, any>, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(`${path}.name`, ''));
  else if (sp.name) {
    errs.push(...dns1123Label(String(sp.name), `${path}.name`));
    if (names.has(sp.name)) errs.push(duplicate(`${path}.name`, sp.name));
    else names.add(sp.name);
  }
  const port = typeof sp.port === 'number' ? sp.port : 0;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) errs.push(invalid(`${path}.port`, port, 'must be between 1 and 65535, inclusive'));
  if (!sp.protocol) errs.push(required(`${path}.protocol`, ''));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(`${path}.protocol`, sp.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${path}.targetPort`));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) {
    for (const m of isQualifiedName(String(sp.appProtocol))) errs.push(invalid(`${path}.appProtocol`, sp.appProtocol, m));
  }
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields. */
function validateClusterIPs(svc: any): FieldError[] {
  const spec: Record<string, any> = svc?.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = 'spec.clusterIPs';
  const clusterIPs = arr<string>(spec.clusterIPs);
  const shownIPs = new GoValue(goStringSlice(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : undefined));
  if (spec.clusterIP) {
    if (clusterIPs.length === 0) errs.push(required(ipsPath, ''));
    else if (clusterIPs[0] !== spec.clusterIP) errs.push(invalid(ipsPath, shownIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length) {
    errs.push(invalid(ipsPath, shownIPs, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  arr<string>(spec.ipFamilies).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) { badIPs = true; errs.push(invalid(ipsPath, shownIPs, "'None' must be the first and only value")); }
      return;
    }
    const msgs = isValidIP(String(ip));
    if (msgs.length) { badIPs = true; for (const m of msgs) errs.push(invalid(`${ipsPath}[${i}]`, ip, m)); }
  });
  if (clusterIPs.length > 2) errs.push(invalid(ipsPath, shownIPs, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (clusterIPs.length > 1) {
    const fams = clusterIPs.map(ipFamilyOf);
    if (fams.length !== 2 || fams[0] === fams[1]) errs.push(invalid(ipsPath, shownIPs, 'may specify no more than one IP for each IP family'));
  }
  const families = arr<string>(spec.ipFamilies);
  if (!isHeadless(svc) && clusterIPs.length && families.length) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === 'IPv4' && isIPv6(ip)) errs.push(invalid(`${ipsPath}[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6(ip)) errs.push(invalid(`${ipsPath}[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function externallyAccessible(spec: Record<string, any>): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
}

export function validateService(svc: any): FieldError[] {
  const errs = validateObjectMeta(svc?.metadata, true, nameIsDNS1035Label);
  const spec: Record<string, any> = isObject(svc?.spec) ? svc.spec : {};
  const ports = arr<Record<string, any>>(spec.ports);
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports', ''));
  switch (spec.type) {
    case 'LoadBalancer':
      ports.forEach((p, i) => {
        if (p.port === KUBELET_PORT) errs.push(invalid(`spec.ports[${i}]`, p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
      });
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (arr(spec.clusterIPs).length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (arr(spec.ipFamilies).length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = String(spec.externalName ?? '').replace(/\.$/, '');
      if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', cname, m));
      else errs.push(required('spec.externalName', ''));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity', ''));
  else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, SESSION_AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t !== 'number') errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', ''));
    else if (t <= 0 || t > 86400) errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(svc));
  arr<string>(spec.externalIPs).forEach((ip, i) => {
    for (const m of isValidIP(String(ip))) errs.push(invalid(`spec.externalIPs[${i}]`, ip, m));
  });
  if (!spec.type) errs.push(required('spec.type', ''));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => { if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")); });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seenPorts.has(key)) {
      errs.push(duplicate(`spec.ports[${i}]`, new GoValue(`core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    }
    seenPorts.add(key);
  });
  arr<string>(spec.loadBalancerSourceRanges).forEach((r, i) => {
    if (spec.type !== 'LoadBalancer') return;
    for (const m of isValidCIDR(String(r).trim())) errs.push(invalid(`spec.loadBalancerSourceRanges[${i}]`, r, m));
  });
  if (spec.type !== 'LoadBalancer' && arr(spec.loadBalancerSourceRanges).length) {
    errs.push(forbidden('spec.loadBalancerSourceRanges', 'may only be used when `type` is \'LoadBalancer\''));
  }
  if (spec.externalTrafficPolicy) {
    if (!externallyAccessible(spec)) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  } else if (externallyAccessible(spec)) {
    errs.push(required('spec.externalTrafficPolicy', ''));
  }
  if (spec.healthCheckNodePort && !(spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  if (spec.internalTrafficPolicy !== undefined && spec.internalTrafficPolicy !== null) {
    if (!TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  } else if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) {
    errs.push(required('spec.internalTrafficPolicy', ''));
  }
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set. */
function validateClusterIPsUpdate(old: any, svc: any): FieldError[] {
  if (svc?.spec?.type === 'ExternalName' || old?.spec?.type === 'ExternalName') return [];
  if (isHeadless(old) && isHeadless(svc)) return [];
  const errs: FieldError[] = [];
  const o = arr<string>(old?.spec?.clusterIPs);
  const n = arr<string>(svc?.spec?.clusterIPs);
  const shown = new GoValue(goStringSlice(Array.isArray(svc?.spec?.clusterIPs) ? svc.spec.clusterIPs : undefined));
  if (o.length === n.length) {
    o.forEach((ip, i) => { if (ip !== n[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, shown, 'may not change once set')); });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(invalid('spec.clusterIPs[0]', shown, 'primary clusterIP can not be unset'));
    if (o.length && n.length && n[0] !== o[0]) errs.push(invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
    if (n.length === 1 && svc?.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.clusterIPs[0]', shown, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length && n[0] !== o[0]) {
    errs.push(invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(old: any, svc: any): FieldError[] {
  if (svc?.spec?.type === 'ExternalName' || old?.spec?.type === 'ExternalName') return [];
  const o = arr<string>(old?.spec?.ipFamilies);
  const n = arr<string>(svc?.spec?.ipFamilies);
  const shown = new GoValue(goStringSlice(n, 'core.IPFamily'));
  const errs: FieldError[] = [];
  if (o.length === n.length) {
    o.forEach((f, i) => { if (f !== n[i]) errs.push(invalid('spec.ipFamilies', shown, 'may not change once set')); });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(invalid('spec.ipFamilies', shown, 'primary ipFamily can not be unset'));
    else if (n[0] !== o[0]) errs.push(invalid('spec.ipFamilies', shown, 'may not change once set'));
  } else if (o.length && n[0] !== o[0]) {
    errs.push(invalid('spec.ipFamilies', shown, 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(svc?.metadata, old?.metadata);
  errs.push(...validateClusterIPsUpdate(old, svc));
  errs.push(...validateIPFamiliesUpdate(old, svc));
  const oc = old?.spec?.loadBalancerClass;
  const nc = svc?.spec?.loadBalancerClass;
  if (old?.spec?.type === 'LoadBalancer' && svc?.spec?.type === 'LoadBalancer' && (oc ?? null) !== (nc ?? null)) {
    errs.push(invalid('spec.loadBalancerClass', nc ?? null, 'may not change once set'));
  }
  return errs.concat(validateService(svc));
}

export function validateServiceStatusUpdate(svc: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(svc?.metadata, old?.metadata);
  arr<Record<string, any>>(svc?.status?.loadBalancer?.ingress).forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (ing.ip) for (const m of isValidIP(String(ing.ip))) errs.push(invalid(`${p}.ip`, ing.ip, m));
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(String(ing.hostname))) errs.push(invalid(`${p}.hostname`, ing.hostname, m));
      if (isValidIP(String(ing.hostname)).length === 0) errs.push(invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
