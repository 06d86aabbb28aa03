// busybox 1.28's `nslookup` applet, for containers of busybox images up to
// 1.28 (the seeds run `busybox:1.28.4 ... nslookup web-0.nginx`).
//
// Containers of busybox images run on the host's busybox (see ../images.ts),
// but Debian's busybox is 1.35, whose nslookup was rewritten in 1.29 to send
// its own queries: it ignores the resolv.conf search list, so the short name
// `web-0.nginx` fails there (the reason Kubernetes' DNS guide pins 1.28).
// 1.28's applet resolved through the C library instead (getaddrinfo, which
// applies search and ndots; getnameinfo for the names of addresses) and
// printed what this prints:
//
//   Server:    10.96.0.10
//   Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local
//
//   Name:      web-0.nginx
//   Address 1: 10.244.5.20 web-0.nginx.default.svc.cluster.local
//
// Node's dns.lookup and dns.lookupService are those same libc calls.
import { lookup, lookupService } from 'node:dns/promises';
import { readFileSync } from 'node:fs';

function firstNameserver(): string {
  try {
    for (const line of readFileSync('/etc/resolv.conf', 'utf8').split('\n')) {
      const m = line.match(/^\s*nameserver\s+(\S+)/);
      if (m) return m[1];
    }
  } catch {
    // no resolv.conf: the C library's default
  }
  return '127.0.0.1';
}

/** getnameinfo with NI_NAMEREQD: a name, or nothing. */
async function nameOf(ip: string): Promise<string | undefined> {
  try {
    const { hostname } = await lookupService(ip, 0);
    return hostname && hostname !== ip ? hostname : undefined;
  } catch {
    return undefined;
  }
}

const pad = (header: string) => header.padEnd(10, ' ');

async function printHost(host: string, header: string, out: string[]): Promise<boolean> {
  let addrs: { address: string }[];
  try {
    addrs = await lookup(host, { all: true, verbatim: true });
  } catch {
    process.stderr.write(`nslookup: can't resolve '${host}'\n`);
    return false;
  }
  out.push(`${pad(header)} ${host}`);
  let n = 0;
  for (const a of addrs) {
    const name = await nameOf(a.address);
    out.push(`Address ${++n}: ${a.address}${name ? ` ${name}` : ''}`);
  }
  return true;
}

async function main(argv: string[]): Promise<number> {
  const host = argv[0];
  if (!host || argv.length > 2 || host.startsWith('-')) {
    process.stderr.write('BusyBox v1.28.4 multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n');
    return 1;
  }
  if (argv[1]) {
    process.stderr.write(`nslookup: querying a given SERVER is not supported here; leave it out to use the pod's nameserver\n`);
    return 1;
  }
  const out: string[] = [];
  await printHost(firstNameserver(), 'Server:', out);
  out.push('');
  const ok = await printHost(host, 'Name:', out);
  process.stdout.write(out.join('\n') + '\n');
  return ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
