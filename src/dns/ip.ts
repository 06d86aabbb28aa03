// IP address helpers for DNS: wire bytes, reverse (PTR) names and the dashed
// form that names an endpoint without a hostname or a pod (`10-0-0-1`).
import { isIPv4, isIPv6 } from 'node:net';

/** 4 or 16 bytes for a textual IPv4/IPv6 address, undefined when it is not one. */
export function ipBytes(ip: string): Uint8Array | undefined {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = tail.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i] ?? '0', 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  return out;
}

/** `4.3.2.1.in-addr.arpa` / 32 nibbles under `ip6.arpa`. */
export function reverseName(ip: string): string | undefined {
  const b = ipBytes(ip);
  if (!b) return undefined;
  if (b.length === 4) return `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) nibbles.push((b[i] & 0xf).toString(16), (b[i] >> 4).toString(16));
  return `${nibbles.join('.')}.ip6.arpa`;
}

/**
 * The address as one DNS label, as CoreDNS writes it: dots or colons become
 * dashes, and an IPv6 label ending in a dash gets a trailing 0.
 */
export function dashedIp(ip: string): string {
  if (ip.includes('.') && !ip.includes(':')) return ip.replaceAll('.', '-');
  const d = ip.toLowerCase().replaceAll(':', '-');
  return d.endsWith('-') ? `${d}0` : d;
}

export function ipFamily(ip: string): 4 | 6 | 0 {
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
}
