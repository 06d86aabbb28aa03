// Containers of a pod spec: names, images, ports, env, mounts, resources, probes.
import type { FieldError } from '../errors.js';
import {
  arr, duplicate, entries, forbidden, invalid, isObject, nonNegative, notFound, notSupported, required,
} from './field.js';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName,
  isValidPortName, isValidPortNum,
} from './names.js';
import { compareQuantities, formatQuantity, parseQuantity, QUANTITY_REGEX_ERROR, quantitySign } from './quantity.js';
import { PULL_POLICIES, validateLocalDescendingPath } from './volumes.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

export interface ContainerContext {
  /** Names a volumeMount may reference (pod volumes plus, for StatefulSets, claim templates). */
  volumes: Set<string>;
  /** Whether hostNetwork is set (host ports must then equal container ports). */
  hostNetwork: boolean;
}

export function dns1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

/** ValidatePortNumOrName, for an IntOrString port. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

function validateContainerPorts(ports: unknown, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr<Record<string, any>>(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(String(port.name));
      if (msgs.length) for (const m of msgs) errs.push(invalid(`${p}.name`, port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`, ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(`${p}.containerPort`, port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(`${p}.hostPort`, port.hostPort, m));
    if (!port.protocol) errs.push(required(`${p}.protocol`, ''));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    if (ctx.hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(invalid(`${p}.hostPort`, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
  });
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const RESOURCE_FIELD_REFS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];

function validateObjectFieldSelector(fs: Record<string, any>, path: string): FieldError[] {
  if (!fs.apiVersion) return [required(`${path}.apiVersion`, '')];
  if (!fs.fieldPath) return [required(`${path}.fieldPath`, '')];
  const fp = String(fs.fieldPath);
  const m = fp.match(/^(metadata\.(?:labels|annotations))\['(.*)'\]$/);
  if (m) {
    const key = m[1] === 'metadata.annotations' ? m[2].toLowerCase() : m[2];
    return isQualifiedName(key).map((msg) => invalid(path, key, msg));
  }
  if (fp.includes('[')) return [invalid(path, fp.replace(/\[.*$/, ''), 'does not support subscript')];
  return ENV_FIELD_PATHS.includes(fp) ? [] : [notSupported(`${path}.fieldPath`, fp, ENV_FIELD_PATHS)];
}

function validateKeySelector(s: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isDNS1123Subdomain(String(s.name ?? ''))) errs.push(invalid(`${path}.name`, s.name ?? '', m));
  if (!s.key) errs.push(required(`${path}.key`, ''));
  else for (const m of isConfigMapKey(String(s.key))) errs.push(invalid(`${path}.key`, s.key, m));
  return errs;
}

function validateEnvVarValueFrom(ev: Record<string, any>, path: string): FieldError[] {
  if (!isObject(ev.valueFrom)) return [];
  const vf = ev.valueFrom;
  const errs: FieldError[] = [];
  let n = 0;
  if (isObject(vf.fieldRef)) { n++; errs.push(...validateObjectFieldSelector(vf.fieldRef, `${path}.fieldRef`)); }
  if (isObject(vf.resourceFieldRef)) {
    n++;
    const r = String(vf.resourceFieldRef.resource ?? '');
    if (!r) errs.push(required(`${path}.resourceFieldRef.resource`, ''));
    else if (!RESOURCE_FIELD_REFS.includes(r) && !/^(limits|requests)\.hugepages-/.test(r)) {
      errs.push(notSupported(`${path}.resourceFieldRef.resource`, r, RESOURCE_FIELD_REFS));
    }
  }
  if (isObject(vf.configMapKeyRef)) { n++; errs.push(...validateKeySelector(vf.configMapKeyRef, `${path}.configMapKeyRef`)); }
  if (isObject(vf.secretKeyRef)) { n++; errs.push(...validateKeySelector(vf.secretKeyRef, `${path}.secretKeyRef`)); }
  if (n === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (ev.value) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

export function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Record<string, any>>(env).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (!ev.name) errs.push(required(`${p}.name`, ''));
    else for (const m of isEnvVarName(String(ev.name))) errs.push(invalid(`${p}.name`, ev.name, m));
    errs.push(...validateEnvVarValueFrom(ev, `${p}.valueFrom`));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Record<string, any>>(envFrom).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (ev.prefix) for (const m of isEnvVarName(String(ev.prefix))) errs.push(invalid(`${p}.prefix`, ev.prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      if (!isObject(ev[kind])) continue;
      n++;
      const name = ev[kind].name;
      if (!name) errs.push(required(`${p}.${kind}.name`, ''));
      else for (const m of isDNS1123Subdomain(String(name))) errs.push(invalid(`${p}.${kind}.name`, name, m));
    }
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  arr<Record<string, any>>(mounts).forEach((mnt, i) => {
    const p = `${path}[${i}]`;
    if (!mnt.name) errs.push(required(`${p}.name`, ''));
    if (!ctx.volumes.has(mnt.name)) errs.push(notFound(`${p}.name`, mnt.name ?? ''));
    if (!mnt.mountPath) errs.push(required(`${p}.mountPath`, ''));
    if (mountPoints.has(mnt.mountPath)) errs.push(invalid(`${p}.mountPath`, mnt.mountPath, 'must be unique'));
    mountPoints.add(mnt.mountPath);
    if (mnt.subPath) errs.push(...validateLocalDescendingPath(String(mnt.subPath), `${path}.subPath`));
    if (mnt.subPathExpr) {
      if (mnt.subPath) errs.push(invalid(`${p}.subPathExpr`, mnt.subPathExpr, 'subpathexpr and subpath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(String(mnt.subPathExpr), `${path}.subPathExpr`));
    }
    if (mnt.mountPropagation !== undefined && !['None', 'HostToContainer', 'Bidirectional'].includes(mnt.mountPropagation)) {
      errs.push(notSupported(`${path}.mountPropagation`, mnt.mountPropagation, ['Bidirectional', 'HostToContainer', 'None']));
    }
  });
  return errs;
}

// ---------------------------------------------------------------- resources

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function isNative(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
      return [invalid(path, name, 'must be a standard resource for containers')];
    }
  } else if (!isNative(name) && name.startsWith('requests.')) {
    return [invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return errs;
}

/** ValidateNonnegativeQuantity, plus the syntax check the Go decoder does. */
export function validateQuantity(value: unknown, path: string): FieldError[] {
  const q = parseQuantity(value);
  if (!q) return [invalid(path, value, QUANTITY_REGEX_ERROR)];
  return quantitySign(q) < 0 ? [invalid(path, formatQuantity(q), 'must be greater than or equal to 0')] : [];
}

export function validateResourceRequirements(res: unknown, path: string): FieldError[] {
  if (!isObject(res)) return [];
  const errs: FieldError[] = [];
  const limits = (isObject(res.limits) ? res.limits : {}) as Record<string, unknown>;
  const requests = (isObject(res.requests) ? res.requests : {}) as Record<string, unknown>;
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, qty] of entries(limits)) {
    const p = `${path}.limits[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...validateQuantity(qty, p));
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (name.startsWith('hugepages-')) hugePages = true;
  }
  for (const [name, qty] of entries(requests)) {
    const p = `${path}.requests[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...validateQuantity(qty, p));
    const overcommit = isNative(name) && !name.startsWith('hugepages-');
    const q = parseQuantity(qty);
    if (name in limits && q && parseQuantity(limits[name])) {
      const c = compareQuantities(qty, limits[name]);
      const lim = formatQuantity(parseQuantity(limits[name])!);
      if (c !== 0 && !overcommit) errs.push(invalid(`${path}.requests`, formatQuantity(q), `must be equal to ${name} limit of ${lim}`));
      else if (c > 0) errs.push(invalid(`${path}.requests`, formatQuantity(q), `must be less than or equal to ${name} limit of ${lim}`));
    } else if (!(name in limits) && !overcommit) {
      errs.push(required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (name.startsWith('hugepages-')) hugePages = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}

// ---------------------------------------------------------------- probes and handlers

const HANDLER_KINDS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

export function validateHandler(h: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of HANDLER_KINDS) {
    if (!isObject(h[kind])) continue;
    const p = `${path}.${kind}`;
    if (n > 0) { errs.push(forbidden(p, 'may not specify more than 1 handler type')); continue; }
    n++;
    const a: Record<string, any> = h[kind];
    switch (kind) {
      case 'exec':
        if (arr(a.command).length === 0) errs.push(required(`${p}.command`, ''));
        break;
      case 'httpGet':
        if (!a.path) errs.push(required(`${p}.path`, ''));
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        if (!['HTTP', 'HTTPS'].includes(a.scheme)) errs.push(notSupported(`${p}.scheme`, a.scheme ?? '', ['HTTP', 'HTTPS']));
        for (const hdr of arr<Record<string, any>>(a.httpHeaders)) {
          if (!/^[-A-Za-z0-9]+$/.test(String(hdr.name ?? ''))) {
            errs.push(invalid(`${p}.httpHeaders`, hdr.name ?? '', "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
          }
        }
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof a.port === 'number' ? a.port : 0, `${p}.port`));
        break;
      case 'sleep':
        if (typeof a.seconds !== 'number' || a.seconds < 0) errs.push(invalid(`${p}.seconds`, a.seconds ?? 0, 'must be non-negative'));
        break;
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Record<string, any>, path: string): FieldError[] {
  const errs = validateHandler(probe, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], `${path}.${f}`));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateProbes(ctr: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isObject(ctr.livenessProbe)) {
    errs.push(...validateProbe(ctr.livenessProbe, `${path}.livenessProbe`));
    if (ctr.livenessProbe.successThreshold !== 1) errs.push(invalid(`${path}.livenessProbe.successThreshold`, ctr.livenessProbe.successThreshold ?? 0, 'must be 1'));
  }
  if (isObject(ctr.readinessProbe)) {
    errs.push(...validateProbe(ctr.readinessProbe, `${path}.readinessProbe`));
    if (ctr.readinessProbe.terminationGracePeriodSeconds !== undefined) {
      errs.push(invalid(`${path}.readinessProbe.terminationGracePeriodSeconds`, ctr.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    }
  }
  if (isObject(ctr.startupProbe)) {
    errs.push(...validateProbe(ctr.startupProbe, `${path}.startupProbe`));
    if (ctr.startupProbe.successThreshold !== 1) errs.push(invalid(`${path}.startupProbe.successThreshold`, ctr.startupProbe.successThreshold ?? 0, 'must be 1'));
  }
  return errs;
}

function validateLifecycle(lc: unknown, path: string): FieldError[] {
  if (!isObject(lc)) return [];
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) if (isObject(lc[hook])) errs.push(...validateHandler(lc[hook], `${path}.${hook}`));
  return errs;
}

/** What every kind of container shares (validateContainerCommon). */
function validateContainerCommon(ctr: Record<string, any>, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!ctr.name) errs.push(required(`${path}.name`, ''));
  else errs.push(...dns1123Label(String(ctr.name), `${path}.name`));
  if (!ctr.image) errs.push(required(`${path}.image`, ''));
  if (!ctr.terminationMessagePolicy) errs.push(required(`${path}.terminationMessagePolicy`, ''));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(ctr.terminationMessagePolicy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, ctr.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validateContainerPorts(ctr.ports, `${path}.ports`, ctx));
  errs.push(...validateEnv(ctr.env, `${path}.env`));
  errs.push(...validateEnvFrom(ctr.envFrom, `${path}.envFrom`));
  errs.push(...validateVolumeMounts(ctr.volumeMounts, `${path}.volumeMounts`, ctx));
  if (!ctr.imagePullPolicy) errs.push(required(`${path}.imagePullPolicy`, ''));
  else if (!PULL_POLICIES.includes(ctr.imagePullPolicy)) errs.push(notSupported(`${path}.imagePullPolicy`, ctr.imagePullPolicy, PULL_POLICIES));
  errs.push(...validateResourceRequirements(ctr.resources, `${path}.resources`));
  return errs;
}

function hostPortConflicts(groups: [Record<string, any>[], string][]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [containers, path] of groups) {
    containers.forEach((ctr, ci) => {
      arr<Record<string, any>>(ctr.ports).forEach((port, pi) => {
        if (!port.hostPort) return;
        const key = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${port.hostPort}`;
        if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
        else seen.add(key);
      });
    });
  }
  return errs;
}

/** validateContainers + validateInitContainers. */
export function validateAllContainers(spec: Record<string, any>, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const containers = arr<Record<string, any>>(spec.containers);
  const names = new Set<string>();
  if (containers.length === 0) errs.push(required(`${path}.containers`, ''));
  containers.forEach((ctr, i) => {
    const p = `${path}.containers[${i}]`;
    errs.push(...validateContainerCommon(ctr, p, ctx));
    if (names.has(ctr.name)) errs.push(duplicate(`${p}.name`, ctr.name));
    else names.add(ctr.name);
    errs.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`));
    errs.push(...validateProbes(ctr, p));
    if (ctr.restartPolicy !== undefined) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts([[containers, `${path}.containers`]]));

  const inits = arr<Record<string, any>>(spec.initContainers);
  const initNames = new Set<string>();
  inits.forEach((ctr, i) => {
    const p = `${path}.initContainers[${i}]`;
    errs.push(...validateContainerCommon(ctr, p, ctx));
    if (names.has(ctr.name) || initNames.has(ctr.name)) errs.push(duplicate(`${p}.name`, ctr.name));
    initNames.add(ctr.name);
    const restartable = ctr.restartPolicy === 'Always';
    if (ctr.restartPolicy !== undefined && !restartable) errs.push(notSupported(`${p}.restartPolicy`, ctr.restartPolicy, ['Always']));
    if (restartable) {
      errs.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`));
      errs.push(...validateProbes(ctr, p));
    } else {
      if (ctr.lifecycle !== undefined) errs.push(forbidden(`${p}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (ctr[probe] !== undefined) errs.push(forbidden(`${p}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  errs.push(...hostPortConflicts([[containers, `${path}.containers`], [inits, `${path}.initContainers`]]).filter((e) => e.field.includes('initContainers')));
  return errs;
}
