// Making the cluster DNS address local to this host, the way kube-proxy's
// IPVS mode makes Service IPs local: a dummy interface carrying each address
// as a /32 (or /128). Pods share the host's network namespace, so a pod whose
// resolv.conf says `nameserver 10.96.0.10` reaches a socket bound there.
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The dummy interface that holds Service addresses. */
export const SERVICE_INTERFACE = 'ordinal0';

async function ip(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const r = await run('ip', args);
    return { ok: true, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

function prefix(addr: string): string {
  const f = isIP(addr);
  if (!f) throw new Error(`not an IP address: ${addr}`);
  return f === 6 ? `${addr}/128` : `${addr}/32`;
}

/** Whether `addr` is assigned to the service interface. */
export async function hasServiceAddress(addr: string, dev = SERVICE_INTERFACE): Promise<boolean> {
  const r = await ip(['-o', 'addr', 'show', 'dev', dev]);
  if (!r.ok) return false;
  return r.stdout.split('\n').some((l) => l.includes(` ${prefix(addr)} `) || l.includes(` ${addr}/`));
}

/**
 * Adds `addr` to the dummy interface `dev` (creating and raising it first).
 * Idempotent: an existing interface or address is left as it is. Needs root
 * (CAP_NET_ADMIN); throws with ip's message otherwise.
 */
export async function ensureServiceAddress(addr: string, dev = SERVICE_INTERFACE): Promise<void> {
  const p = prefix(addr);
  const link = await ip(['link', 'show', 'dev', dev]);
  if (!link.ok) {
    const add = await ip(['link', 'add', dev, 'type', 'dummy']);
    if (!add.ok && !/exists/i.test(add.stderr)) throw new Error(`ip link add ${dev}: ${add.stderr.trim()}`);
  }
  const up = await ip(['link', 'set', dev, 'up']);
  if (!up.ok) throw new Error(`ip link set ${dev} up: ${up.stderr.trim()}`);
  if (await hasServiceAddress(addr, dev)) return;
  const r = await ip(['addr', 'add', p, 'dev', dev]);
  if (!r.ok && !/exists/i.test(r.stderr)) throw new Error(`ip addr add ${p} dev ${dev}: ${r.stderr.trim()}`);
}

/**
 * Removes `addr` from `dev`, and the interface itself once it carries no
 * address. Missing address or interface is not an error.
 */
export async function releaseServiceAddress(addr: string, dev = SERVICE_INTERFACE): Promise<void> {
  const link = await ip(['link', 'show', 'dev', dev]);
  if (!link.ok) return;
  await ip(['addr', 'del', prefix(addr), 'dev', dev]);
  const left = await ip(['-o', 'addr', 'show', 'dev', dev]);
  if (left.ok && !/\binet6? /.test(left.stdout.split('\n').filter((l) => !/ fe80:/.test(l)).join('\n'))) {
    await ip(['link', 'del', dev]);
  }
}
