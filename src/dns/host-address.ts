// Making the cluster DNS address local to this host, the way kube-proxy's
// IPVS mode makes Service IPs local: a dummy interface carrying each address
// as a /32 (or /128). Pods share the host's network namespace, so a pod whose
// resolv.conf says `nameserver 10.96.0.10` reaches a socket bound there.
// Kernels built without the dummy driver get the address on `lo` instead,
// which makes it just as local.
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The dummy interface that holds Service addresses. */
export const SERVICE_INTERFACE = 'ordinal0';
const FALLBACK_INTERFACE = 'lo';

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

/** The interface that carries `addr`, if any. */
export function interfaceWithAddress(addr: string): string | undefined {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (list?.some((i) => i.address === addr)) return name;
  }
  return undefined;
}

async function hasPrefix(addr: string, dev: string): Promise<boolean> {
  const r = await ip(['-o', 'addr', 'show', 'dev', dev]);
  return r.ok && r.stdout.split('\n').some((l) => l.includes(` ${prefix(addr)} `));
}

/**
 * Makes `addr` a local address: adds it as a /32 (/128) to the dummy
 * interface `dev`, created and raised first, or to `lo` where the kernel has
 * no dummy driver. Idempotent: an address that is already local anywhere is
 * left alone. Returns the interface that carries it. Needs CAP_NET_ADMIN.
 */
export async function ensureServiceAddress(addr: string, dev = SERVICE_INTERFACE): Promise<string> {
  const p = prefix(addr);
  const existing = interfaceWithAddress(addr);
  if (existing) return existing;
  let target = dev;
  if (!(await ip(['link', 'show', 'dev', dev])).ok) {
    const add = await ip(['link', 'add', dev, 'type', 'dummy']);
    if (!add.ok && !/exists/i.test(add.stderr)) {
      if (!/unknown device type|not supported/i.test(add.stderr)) throw new Error(`ip link add ${dev}: ${add.stderr.trim()}`);
      target = FALLBACK_INTERFACE;
    }
  }
  if (target === dev) {
    const up = await ip(['link', 'set', dev, 'up']);
    if (!up.ok) throw new Error(`ip link set ${dev} up: ${up.stderr.trim()}`);
  }
  const r = await ip(['addr', 'add', p, 'dev', target]);
  if (!r.ok && !/exists/i.test(r.stderr)) throw new Error(`ip addr add ${p} dev ${target}: ${r.stderr.trim()}`);
  return target;
}

/**
 * Undoes ensureServiceAddress: removes the /32 (/128) from `dev` (deleting
 * the interface once it carries nothing else) or from `lo`. Nothing to remove
 * is not an error.
 */
export async function releaseServiceAddress(addr: string, dev = SERVICE_INTERFACE): Promise<void> {
  const p = prefix(addr);
  if ((await ip(['link', 'show', 'dev', dev])).ok) {
    await ip(['addr', 'del', p, 'dev', dev]);
    const left = await ip(['-o', 'addr', 'show', 'dev', dev]);
    const global = left.stdout.split('\n').filter((l) => /\binet6? /.test(l) && !/ fe80:/.test(l));
    if (left.ok && global.length === 0) await ip(['link', 'del', dev]);
  }
  if (await hasPrefix(addr, FALLBACK_INTERFACE)) await ip(['addr', 'del', p, 'dev', FALLBACK_INTERFACE]);
}
