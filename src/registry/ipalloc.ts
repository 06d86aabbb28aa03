// ClusterIP and NodePort allocation for Services, like kube-apiserver's
// allocators: a free address from the service CIDR (the network and the
// broadcast-ish first addresses skipped), a free port from 30000-32767.
import { fieldErr, type FieldError } from '../api/errors.js';
import type { KObject } from '../client/types.js';
import type { Store } from '../store/types.js';
import { resourceByKey } from '../api/resources.js';
import { prefixFor } from './storage.js';
import { intToIp, ipToInt } from '../api/ipv4.js';


export function isIPv4(s: string): boolean {
  const m = s.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  return !!m && m.slice(1).every((x) => Number(x) <= 255 && String(Number(x)) === x);
}

export class Cidr {
  readonly base: number;
  readonly size: number;
  constructor(readonly text: string) {
    const [ip, bits] = text.split('/');
    if (!isIPv4(ip) || !(Number(bits) >= 8 && Number(bits) <= 30)) throw new Error(`invalid CIDR ${text}`);
    this.size = 2 ** (32 - Number(bits));
    this.base = (ipToInt(ip) & ~(this.size - 1)) >>> 0;
  }
  contains(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = ipToInt(ip);
    return n >= this.base && n < this.base + this.size;
  }
  /** The n-th address (1 is the first usable one). */
  nth(n: number): string {
    return intToIp(this.base + n);
  }
}

export class ServiceIPAllocator {
  private next = 1;
  constructor(readonly cidr: Cidr) {}

  /** Validates a requested address; returns field errors (empty if fine). */
  check(ip: string, inUse: Set<string>, field = 'spec.clusterIPs'): FieldError[] {
    if (!this.cidr.contains(ip)) {
      return [fieldErr.invalid(field, [ip], `failed to allocate IP ${ip}: provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`)];
    }
    if (inUse.has(ip)) return [fieldErr.invalid(field, [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)];
    return [];
  }

  /** A free address, scanning from after the last one handed out (like the real allocator's random-ish spread). */
  allocate(inUse: Set<string>): string {
    const usable = this.cidr.size - 2;
    for (let i = 0; i < usable; i++) {
      const n = ((this.next - 1 + i) % usable) + 1;
      const ip = this.cidr.nth(n);
      // .1 is the `kubernetes` Service, .10 is kube-dns (kubeadm's convention): hand them out only on request.
      if (n === 1 || n === 10) continue;
      if (!inUse.has(ip)) {
        this.next = n + 1;
        return ip;
      }
    }
    throw new Error(`range is full: ${this.cidr.text}`);
  }
}

export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export function allocateNodePort(inUse: Set<number>): number {
  for (let p = NODE_PORT_RANGE.min; p <= NODE_PORT_RANGE.max; p++) if (!inUse.has(p)) return p;
  throw new Error('node port range is full');
}

/**
 * A Service's ClusterIP (the one asked for, checked, or a free one; None for a
 * headless Service) and NodePorts, against every Service in the store.
 */
export function allocateServiceAddresses(store: Store, ipAlloc: ServiceIPAllocator, obj: KObject): FieldError[] {
  const spec = (obj.spec = (obj.spec ?? {}) as Record<string, unknown>) as {
    type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[];
  };
  if (spec.type === 'ExternalName') return [];
  const used = new Set<string>();
  const usedPorts = new Set<number>();
  for (const kv of store.range(prefixFor(resourceByKey('services'))).items) {
    const s = JSON.parse(kv.value) as { spec?: typeof spec };
    for (const ip of s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])) used.add(ip);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
  }
  const errs: FieldError[] = [];
  const want = spec.clusterIP ?? spec.clusterIPs?.[0];
  if (want === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
  } else if (want) {
    errs.push(...ipAlloc.check(want, used));
    spec.clusterIP = want;
    spec.clusterIPs = [want];
  } else {
    const ip = ipAlloc.allocate(used);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    for (const [i, p] of (spec.ports ?? []).entries()) {
      if (p.nodePort) {
        if (usedPorts.has(p.nodePort)) errs.push(fieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
        usedPorts.add(p.nodePort);
      } else {
        p.nodePort = allocateNodePort(usedPorts);
        usedPorts.add(p.nodePort);
      }
    }
  }
  return errs;
}
