// The cluster zone as an in-memory index: every name DNS can answer, built
// from Services, their EndpointSlices and Pods (Kubernetes DNS specification
// 1.1.0, plus the pod A records CoreDNS serves with `pods`).
//
// Each object (a Service together with its slices, a Pod, the zone apex) is a
// *source* that contributes records to names. When a source changes, its old
// contributions are withdrawn and the new ones added, so one update costs the
// size of that source, not of the cluster. Every in-zone name also makes its
// ancestors exist (empty non-terminals answer NODATA, not NXDOMAIN; RFC 8020).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Srv } from './wire.js';
import { dashedIp, ipFamily, reverseName } from './ip.js';

export const SCHEMA_VERSION = '1.1.0';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Records contributed to one name. Addresses are textual. */
export interface Rec {
  a?: string[];
  aaaa?: string[];
  srv?: Srv[];
  ptr?: string[];
  cname?: string;
  txt?: string[];
  ns?: string[];
  soa?: boolean;
}

/** Everything a name holds, merged across sources. */
export interface NameRecords {
  a: string[];
  aaaa: string[];
  srv: Srv[];
  ptr: string[];
  cname?: string;
  txt: string[];
  ns: string[];
  soa: boolean;
}

interface NameNode {
  sources: Map<string, Rec>;
  merged?: NameRecords;
}

type Contribution = Map<string, Rec>;

function ns(obj: { metadata?: { namespace?: string } }): string {
  return obj.metadata?.namespace ?? 'default';
}

function addRec(out: Contribution, name: string, add: Rec): void {
  const r = out.get(name) ?? {};
  for (const k of ['a', 'aaaa', 'srv', 'ptr', 'txt', 'ns'] as const) {
    const v = add[k];
    if (!v) continue;
    const cur = (r[k] ?? []) as unknown[];
    for (const x of v as unknown[]) if (typeof x !== 'string' || !cur.includes(x)) cur.push(x);
    (r as Record<string, unknown>)[k] = cur;
  }
  if (add.cname) r.cname = add.cname;
  if (add.soa) r.soa = true;
  out.set(name, r);
}

function addAddress(out: Contribution, name: string, ip: string): void {
  const f = ipFamily(ip);
  if (f === 4) addRec(out, name, { a: [ip] });
  else if (f === 6) addRec(out, name, { aaaa: [ip.toLowerCase()] });
}

function addPtr(out: Contribution, ip: string, target: string): void {
  const rev = reverseName(ip);
  if (rev) addRec(out, rev, { ptr: [target] });
}

function validLabel(s: string): boolean {
  return s.length > 0 && s.length <= 63 && !s.includes('.');
}

interface ReadyEndpoint { name: string; addresses: string[] }

/** Ready endpoints of one slice; `ready` absent counts as ready. */
function readyEndpoints(slice: EndpointSlice): ReadyEndpoint[] {
  if (slice.addressType === 'FQDN') return [];
  const out: ReadyEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    const addrs = (ep.addresses ?? []).filter((a) => ipFamily(a) !== 0);
    if (!addrs.length) continue;
    const host = ep.hostname?.toLowerCase();
    if (host && validLabel(host)) out.push({ name: host, addresses: addrs });
    else for (const a of addrs) out.push({ name: dashedIp(a), addresses: [a] });
  }
  return out;
}

function proto(p: string | undefined): string {
  return `_${(p ?? 'TCP').toLowerCase()}`;
}

/** Weight per RFC 2782 as CoreDNS spreads it: 100 split evenly, at least 1. */
function spreadWeights(srvs: Srv[]): Srv[] {
  const w = Math.max(1, Math.floor(100 / Math.max(1, srvs.length)));
  return srvs.map((s) => ({ ...s, weight: w }));
}

/** What one Service and its EndpointSlices put into the zone. */
export function serviceRecords(svc: Service, slices: Iterable<EndpointSlice>, zone: string): Contribution {
  const out: Contribution = new Map();
  const name = svc.metadata?.name?.toLowerCase() ?? '';
  const namespace = ns(svc).toLowerCase();
  const nsName = `${namespace}.svc.${zone}`;
  addRec(out, nsName, {});
  if (!validLabel(name)) return out;
  const base = `${name}.${nsName}`;
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') {
    const target = (spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
    if (target) addRec(out, base, { cname: target });
    return out;
  }
  const headless = spec.clusterIP === 'None';
  const srvByName = new Map<string, Srv[]>();
  const addSrv = (owner: string, s: Srv): void => {
    const l = srvByName.get(owner) ?? [];
    l.push(s);
    srvByName.set(owner, l);
  };

  if (!headless) {
    const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    addRec(out, base, {});
    for (const ip of ips) {
      addAddress(out, base, ip);
      addPtr(out, ip, base);
    }
    for (const p of spec.ports ?? []) {
      if (!p.name || !validLabel(p.name)) continue;
      const owner = `_${p.name.toLowerCase()}.${proto(p.protocol)}.${base}`;
      addSrv(owner, { priority: 0, weight: 100, port: p.port, target: base });
    }
  }

  for (const slice of slices) {
    const eps = readyEndpoints(slice);
    for (const ep of eps) {
      const epName = `${ep.name}.${base}`;
      for (const a of ep.addresses) {
        if (headless) addAddress(out, base, a);
        addAddress(out, epName, a);
        addPtr(out, a, epName);
      }
      if (!headless) continue;
      for (const p of slice.ports ?? []) {
        if (!p.name || !validLabel(p.name) || p.port == null) continue;
        const owner = `_${p.name.toLowerCase()}.${proto(p.protocol)}.${base}`;
        addSrv(owner, { priority: 0, weight: 0, port: p.port, target: epName });
      }
    }
  }

  const all: Srv[] = [];
  for (const [owner, srvs] of srvByName) {
    const spread = headless ? spreadWeights(srvs) : srvs;
    addRec(out, owner, { srv: spread });
    all.push(...spread);
  }
  // `<svc>.<ns>.svc.<zone> SRV` lists every named port (a CoreDNS extension).
  if (all.length && out.has(base)) addRec(out, base, { srv: headless ? spreadWeights(all) : all });

  // The DNS server's own Service also names the zone's nameserver.
  if (namespace === 'kube-system' && name === 'kube-dns' && !headless) {
    for (const ip of spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []) {
      addAddress(out, `dns.${zone}`, ip);
      addAddress(out, `ns.dns.${zone}`, ip);
    }
  }
  return out;
}

/** `<a-b-c-d>.<ns>.pod.<zone>` for each IP of a running pod. */
export function podRecords(pod: Pod, zone: string): Contribution {
  const out: Contribution = new Map();
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return out;
  const ips = new Set<string>();
  if (pod.status?.podIP) ips.add(pod.status.podIP);
  for (const p of pod.status?.podIPs ?? []) if (p.ip) ips.add(p.ip);
  const nsName = `${ns(pod).toLowerCase()}.pod.${zone}`;
  for (const ip of ips) {
    if (ipFamily(ip) === 0) continue;
    addAddress(out, `${dashedIp(ip)}.${nsName}`, ip);
  }
  return out;
}

/** The apex: SOA, NS, the schema version, and the svc/pod subtrees. */
export function apexRecords(zone: string): Contribution {
  const out: Contribution = new Map();
  addRec(out, zone, { soa: true, ns: [`ns.dns.${zone}`] });
  addRec(out, `dns-version.${zone}`, { txt: [SCHEMA_VERSION] });
  addRec(out, `svc.${zone}`, {});
  addRec(out, `pod.${zone}`, {});
  return out;
}

const EMPTY: readonly never[] = [];

export class ZoneIndex {
  readonly zone: string;
  private readonly names = new Map<string, NameNode>();
  private readonly contributions = new Map<string, Contribution>();
  private readonly services = new Map<string, Service>();
  /** `ns/service` -> slice name -> slice */
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  /** `ns/slice` -> `ns/service` it was filed under */
  private readonly sliceOwner = new Map<string, string>();
  /** Unix seconds of the last change: the SOA serial. */
  serial = Math.floor(Date.now() / 1000);
  /** Called after every change that may alter an answer. */
  onChange?: () => void;

  constructor(zone = 'cluster.local') {
    this.zone = zone.toLowerCase().replace(/\.$/, '');
    this.setSource('zone', apexRecords(this.zone));
  }

  /** The records at a name (lower-case, dotted, no trailing dot), or undefined if it does not exist. */
  lookup(name: string): NameRecords | undefined {
    const node = this.names.get(name);
    if (!node) return undefined;
    return (node.merged ??= merge(node.sources));
  }

  inZone(name: string): boolean {
    return name === this.zone || name.endsWith(`.${this.zone}`);
  }

  upsertService(svc: Service): void {
    const key = `${ns(svc)}/${svc.metadata?.name}`;
    this.services.set(key, svc);
    this.refreshService(key);
  }

  deleteService(svc: Service): void {
    const key = `${ns(svc)}/${svc.metadata?.name}`;
    this.services.delete(key);
    this.refreshService(key);
  }

  upsertSlice(slice: EndpointSlice): void {
    const sliceKey = `${ns(slice)}/${slice.metadata?.name}`;
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    const owner = svcName ? `${ns(slice)}/${svcName}` : undefined;
    const prev = this.sliceOwner.get(sliceKey);
    if (prev && prev !== owner) {
      this.slicesByService.get(prev)?.delete(slice.metadata?.name ?? '');
      this.refreshService(prev);
    }
    if (!owner) {
      this.sliceOwner.delete(sliceKey);
      return;
    }
    this.sliceOwner.set(sliceKey, owner);
    let m = this.slicesByService.get(owner);
    if (!m) this.slicesByService.set(owner, (m = new Map()));
    m.set(slice.metadata?.name ?? '', slice);
    this.refreshService(owner);
  }

  deleteSlice(slice: EndpointSlice): void {
    const sliceKey = `${ns(slice)}/${slice.metadata?.name}`;
    const owner = this.sliceOwner.get(sliceKey);
    if (!owner) return;
    this.sliceOwner.delete(sliceKey);
    const m = this.slicesByService.get(owner);
    m?.delete(slice.metadata?.name ?? '');
    if (m && m.size === 0) this.slicesByService.delete(owner);
    this.refreshService(owner);
  }

  upsertPod(pod: Pod): void {
    this.setSource(`pod:${ns(pod)}/${pod.metadata?.name}`, podRecords(pod, this.zone));
  }

  deletePod(pod: Pod): void {
    this.setSource(`pod:${ns(pod)}/${pod.metadata?.name}`, new Map());
  }

  private refreshService(key: string): void {
    const svc = this.services.get(key);
    const slices = this.slicesByService.get(key)?.values() ?? EMPTY;
    this.setSource(`svc:${key}`, svc ? serviceRecords(svc, slices, this.zone) : new Map());
  }

  /** Replaces everything one source contributes. */
  private setSource(source: string, next: Contribution): void {
    const withAncestors: Contribution = new Map();
    for (const [name, rec] of next) {
      withAncestors.set(name, rec);
      if (!this.inZone(name)) continue;
      // Ancestors below the apex exist as empty non-terminals.
      let n = name;
      while (n !== this.zone) {
        const dot = n.indexOf('.');
        if (dot < 0) break;
        n = n.slice(dot + 1);
        if (!withAncestors.has(n) && !next.has(n)) withAncestors.set(n, {});
      }
    }
    const prev = this.contributions.get(source);
    if (prev && sameContribution(prev, withAncestors)) return;
    if (prev) {
      for (const name of prev.keys()) {
        const node = this.names.get(name);
        if (!node) continue;
        node.sources.delete(source);
        node.merged = undefined;
        if (node.sources.size === 0) this.names.delete(name);
      }
    }
    for (const [name, rec] of withAncestors) {
      let node = this.names.get(name);
      if (!node) this.names.set(name, (node = { sources: new Map() }));
      node.sources.set(source, rec);
      node.merged = undefined;
    }
    if (withAncestors.size) this.contributions.set(source, withAncestors);
    else this.contributions.delete(source);
    this.serial = Math.max(this.serial + 1, Math.floor(Date.now() / 1000));
    this.onChange?.();
  }
}

function merge(sources: Map<string, Rec>): NameRecords {
  const out: NameRecords = { a: [], aaaa: [], srv: [], ptr: [], txt: [], ns: [], soa: false };
  for (const r of sources.values()) {
    for (const ip of r.a ?? []) if (!out.a.includes(ip)) out.a.push(ip);
    for (const ip of r.aaaa ?? []) if (!out.aaaa.includes(ip)) out.aaaa.push(ip);
    for (const p of r.ptr ?? []) if (!out.ptr.includes(p)) out.ptr.push(p);
    if (r.srv) out.srv.push(...r.srv);
    if (r.txt) out.txt.push(...r.txt);
    if (r.ns) out.ns.push(...r.ns);
    if (r.cname) out.cname = r.cname;
    if (r.soa) out.soa = true;
  }
  return out;
}

function sameContribution(a: Contribution, b: Contribution): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || JSON.stringify(v) !== JSON.stringify(w)) return false;
  }
  return true;
}
