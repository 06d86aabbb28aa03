// The /etc files the kubelet generates for a pod: hosts (with the pod's FQDN
// when it has a subdomain, and hostAliases), resolv.conf (per dnsPolicy) and
// hostname.
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface DnsSettings {
  clusterDNS?: string;
  clusterDomain: string;
}

/** The pod's hostname and FQDN (spec.hostname / spec.subdomain, else the pod name). */
export function podHostnames(pod: Pod, domain: string): { hostname: string; fqdn?: string } {
  const name = pod.metadata?.name ?? '';
  const hostname = (pod.spec?.hostname || name).slice(0, 63);
  const sub = pod.spec?.subdomain;
  const fqdn = sub ? `${hostname}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${domain}` : undefined;
  return { hostname: pod.spec?.setHostnameAsFQDN && fqdn ? fqdn : hostname, fqdn };
}

export function hostsFile(pod: Pod, podIP: string, domain: string): string {
  const { hostname, fqdn } = podHostnames(pod, domain);
  const short = hostname.split('.')[0];
  let s = '# Kubernetes-managed hosts file.\n'
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  s += fqdn ? `${podIP}\t${fqdn}\t${short}\n` : `${podIP}\t${short}\n`;
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    s += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) s += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return s;
}

interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const r: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const f = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) r.nameservers.push(f[1]);
    else if (f[0] === 'search' || f[0] === 'domain') r.searches = f.slice(1);
    else if (f[0] === 'options') r.options.push(...f.slice(1));
  }
  return r;
}

function hostResolvConf(): ResolvConf {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

/** resolv.conf per dnsPolicy (ClusterFirst falls back to Default when the node has no cluster DNS). */
export function resolvConf(pod: Pod, s: DnsSettings, host: ResolvConf = hostResolvConf()): string {
  const ns = pod.metadata?.namespace ?? 'default';
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (pod.spec?.hostNetwork && policy === 'ClusterFirst') policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let r: ResolvConf;
  if (policy === 'None') r = { nameservers: [], searches: [], options: [] };
  else if (policy === 'ClusterFirst' && s.clusterDNS) {
    const d = s.clusterDomain;
    r = { nameservers: [s.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  } else r = { ...host };
  const cfg = pod.spec?.dnsConfig;
  if (cfg) {
    r.nameservers = [...new Set([...r.nameservers, ...(cfg.nameservers ?? [])])].slice(0, 3);
    r.searches = [...new Set([...r.searches, ...(cfg.searches ?? [])])].slice(0, 32);
    const opts = new Map(r.options.map((o) => [o.split(':')[0], o]));
    for (const o of cfg.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '');
    r.options = [...opts.values()].filter(Boolean);
  }
  let out = '';
  if (r.searches.length) out += `search ${r.searches.join(' ')}\n`;
  for (const n of r.nameservers) out += `nameserver ${n}\n`;
  if (r.options.length) out += `options ${r.options.join(' ')}\n`;
  return out;
}
