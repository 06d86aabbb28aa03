// Pod addresses for the simulated node, from loopback (127.0.1.1 upwards,
// 127.0.0.0/24 left to the host): every simulated pod gets an address the
// machine really answers on, so DNS answers for it are usable locally.
// Addresses ending in .0 or .255 are skipped; freed addresses are reused only
// after the rest of the range, so a stale DNS answer rarely points at a new pod.

import { intToIp, ipToInt } from '../../api/ipv4.js';

const FIRST = (127 << 24) + (0 << 16) + (1 << 8) + 1; // 127.0.1.1
const LAST = (127 << 24) + (255 << 16) + (255 << 8) + 254; // 127.255.255.254

export class LoopbackPool {
  private readonly used = new Set<number>();
  private next = FIRST;

  /** Marks an address as taken (pods found running after a restart). */
  reserve(ip: string): void {
    const n = ipToInt(ip);
    if (n >= FIRST && n <= LAST) this.used.add(n);
  }

  release(ip: string | undefined): void {
    if (ip) this.used.delete(ipToInt(ip));
  }

  inUse(): number {
    return this.used.size;
  }

  allocate(): string {
    const span = LAST - FIRST + 1;
    for (let i = 0; i < span; i++) {
      const n = FIRST + ((this.next - FIRST + i) % span);
      const last = n & 255;
      if (last === 0 || last === 255 || this.used.has(n)) continue;
      this.used.add(n);
      this.next = n + 1 > LAST ? FIRST : n + 1;
      return intToIp(n);
    }
    throw new Error('simulated node: pod address range exhausted');
  }
}
