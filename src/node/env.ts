// A container's environment as the kubelet makes it (kubelet_pods.go
// makeEnvironmentVariables): envFrom first, then env in order, each value
// with $(VAR) references to earlier variables expanded; then command and
// args expanded against the result. Missing ConfigMaps, Secrets or keys are
// CreateContainerConfigError with the kubelet's messages, unless optional.
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';

export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  nodeCapacity: { cpu: string; memory: string; 'ephemeral-storage'?: string };
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** Kubernetes' $(VAR) expansion: `$$` is a literal `$`, unknown references stay as written. */
export function expand(input: string, vars: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = vars(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function decodeSecret(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

/** Reads a downward-API field of the pod (fieldRef), as env and downwardAPI volumes see it. */
export function podField(pod: Pod, path: string, podIP: string, hostIP: string): string {
  const m = pod.metadata ?? {};
  const sel = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sel) return (sel[1] === 'labels' ? m.labels : m.annotations)?.[sel[2]] ?? '';
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return formatMap(m.labels);
    case 'metadata.annotations': return formatMap(m.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': case 'status.podIPs': return podIP;
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    default: throw new ContainerConfigError(`unsupported fieldRef path ${JSON.stringify(path)}`);
  }
}

/** key="value" lines, sorted, as the downward API writes labels and annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

function resourceField(c: Container, resource: string, divisor: string | undefined, cap: EnvContext['nodeCapacity']): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const set = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) as Record<string, string> | undefined;
  const raw = set?.[name] ?? (kind === 'limits' || name === 'cpu' || name === 'memory' ? (cap as Record<string, string | undefined>)[name] : undefined) ?? '0';
  const value = parseQuantity(String(raw));
  const div = parseQuantity(divisor ?? '1');
  return String(Math.ceil(value / (div || 1)));
}

const SUFFIX: Record<string, number> = {
  m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2]] ?? 1);
}

/**
 * The container's variables, in the order the kubelet builds them, plus
 * HOSTNAME (set by container runtimes) and POD_IP (ordinal's runtimes: the
 * pod's loopback address) when the pod does not set them itself.
 */
export async function containerEnv(c: Container, ctx: EnvContext): Promise<Record<string, string>> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  const hostname = ctx.pod.spec?.hostname ?? ctx.pod.metadata?.name ?? '';
  env.HOSTNAME = hostname;
  env.POD_IP = ctx.podIP;
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await ctx.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env[prefix + k] = v;
    } else if (from.secretRef) {
      const s = await ctx.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) env[prefix + k] = decodeSecret(v);
    }
  }
  const lookup = (name: string) => env[name];
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expand(e.value ?? '', lookup);
      continue;
    }
    const vf = e.valueFrom;
    if (vf.fieldRef) {
      env[e.name] = podField(ctx.pod, vf.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
    } else if (vf.resourceFieldRef) {
      env[e.name] = resourceField(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, ctx.nodeCapacity);
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await ctx.configMap(ns, ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`configmap "${ref.name}" not found`);
      }
      const v = cm.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
      env[e.name] = v;
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await ctx.secret(ns, ref.name ?? '');
      if (!s) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`secret "${ref.name}" not found`);
      }
      const v = s.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      env[e.name] = decodeSecret(v);
    }
  }
  return env;
}

/** command + args with $(VAR) expanded from the container's environment. */
export function expandArgv(command: string[], args: string[], env: Record<string, string>): string[] {
  const lookup = (n: string) => env[n];
  return [...command, ...args].map((a) => expand(a, lookup));
}
