// Pod IPs from the node's podCIDR. The default range is 127.0.1.0/24: every
// 127.x address is local on Linux, so each pod gets an address of its own in
// the host's network namespace and servers of different pods can all listen
// on the same port. Addresses are handed out round-robin, so a recreated pod
// gets a new IP (as on a real node) while its name stays. Other ordinals on
// the host share the range: an address is only handed out once claimed
// host-wide (ipclaims.ts) and while no socket on the host is bound to it.
import { readFileSync } from 'node:fs';
import { intToIp } from '../api/ipv4.js';
import { readFile } from 'node:fs/promises';
import { FileIPClaims, type IPClaims } from './ipclaims.js';

export function parseCIDR(cidr: string): { base: number; size: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid podCIDR ${JSON.stringify(cidr)}: want an IPv4 CIDR like 127.0.1.0/24`);
  const bits = Number(m[5]);
  if (bits < 8 || bits > 30) throw new Error(`invalid podCIDR ${cidr}: prefix must be between /8 and /30`);
  const ip = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), size };
}


/** The addresses bound in /proc/net/{tcp,udp} text (little-endian hex, as the kernel prints them). */
export function parseProcNetAddresses(text: string, out = new Set<string>()): Set<string> {
  for (const line of text.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    if (!local) continue;
    const n = parseInt(local.split(':')[0], 16);
    out.add([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'));
  }
  return out;
}

const PROC_NET = ['/proc/net/tcp', '/proc/net/udp'];

/**
 * IPv4 addresses that sockets on this host are bound to (from /proc/net),
 * so a pod never gets an address some other process already serves on: a
 * container left behind by another ordinal, or any program bound to 127.0.1.x.
 */
export function hostAddressesInUse(): Set<string> {
  const out = new Set<string>();
  for (const f of PROC_NET) {
    try {
      parseProcNetAddresses(readFileSync(f, 'utf8'), out);
    } catch {
      // not Linux, or not readable
    }
  }
  return out;
}

export async function hostAddressesInUseAsync(): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of PROC_NET) {
    try {
      parseProcNetAddresses(await readFile(f, 'utf8'), out);
    } catch {
      // not Linux, or not readable
    }
  }
  return out;
}

/**
 * A snapshot of the host's bound addresses for the allocator: /proc/net on a
 * busy host takes milliseconds to generate, too slow for every pod start. The
 * snapshot is read synchronously only when older than `maxAgeMs`, and
 * refreshed in the background after each use, so the next pod finds it fresh.
 */
export function cachedHostAddresses(maxAgeMs = 2_000): () => Set<string> {
  let snap: { at: number; set: Set<string> } | undefined;
  let refreshing = false;
  return () => {
    const now = Date.now();
    if (!snap || now - snap.at > maxAgeMs) snap = { at: now, set: hostAddressesInUse() };
    else if (!refreshing) {
      refreshing = true;
      void hostAddressesInUseAsync().then((set) => (snap = { at: Date.now(), set })).finally(() => (refreshing = false));
    }
    return snap.set;
  };
}

export class PodIPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<string>();
  private next = 0;

  constructor(
    cidr: string,
    private readonly inUseOnHost: () => Set<string> = cachedHostAddresses(),
    private readonly claims: IPClaims = new FileIPClaims(),
  ) {
    ({ base: this.base, size: this.size } = parseCIDR(cidr));
  }

  /**
   * The first usable host of the range is skipped as well as the network and
   * broadcast addresses: 127.0.1.1 is the host's own name in Debian's /etc/hosts.
   */
  allocate(): string {
    const first = 2;
    const last = this.size - 2;
    const count = last - first + 1;
    const busy = this.inUseOnHost();
    for (let i = 0; i < count; i++) {
      const off = first + ((this.next + i) % count);
      const ip = intToIp(this.base + off);
      if (!this.used.has(ip) && !busy.has(ip) && this.claims.claim(ip)) {
        this.used.add(ip);
        this.next = (off - first + 1) % count;
        return ip;
      }
    }
    throw new Error(`no pod IP left in ${intToIp(this.base)}/${32 - Math.log2(this.size)}`);
  }

  /**
   * Takes the address a pod had before a restart. With `force` (its
   * containers still run on it) it is taken whoever claims it; otherwise
   * only when no other live process does, and false tells the pod to get a new one.
   */
  reserve(ip: string, force = true): boolean {
    if (force) this.claims.hold(ip);
    else if (!this.claims.claim(ip)) return false;
    this.used.add(ip);
    return true;
  }

  release(ip: string): void {
    this.used.delete(ip);
    this.claims.drop(ip);
  }

  /**
   * Gives up the host-wide claims (ordinal stops). The pods keep their
   * addresses in their records and claim them again on the next start,
   * unless another ordinal took one meanwhile; a claim left behind would
   * only be a dead process's, free for the taking anyway.
   */
  dropClaims(): void {
    for (const ip of this.used) this.claims.drop(ip);
  }

  contains(ip: string): boolean {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4) return false;
    const n = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
    return n >= this.base && n < this.base + this.size;
  }
}
