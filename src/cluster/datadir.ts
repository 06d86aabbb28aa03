// The data dir: one ordinal owns it at a time (a pid lock), and it holds the
// state database, the CA, the token and the kubeconfig users point kubectl at.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Where `ordinal serve` and `ordinal image` keep their state without --data-dir. */
export function defaultDataDir(): string {
  return join(homedir(), '.ordinal');
}

export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock, or throws DataDirLockedError naming the owner. Stale locks (dead pid) are taken over. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'ordinal.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new DataDirLockedError(`data dir ${dir} is in use by another ordinal (pid ${pid}); stop it first or use --data-dir`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirLockedError(`could not lock data dir ${dir}`);
}

export interface KubeconfigInput {
  server: string;
  caCert: string;
  token: string;
  namespace?: string;
}

export function kubeconfigYaml(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ordinal', cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCert).toString('base64') } }],
    users: [{ name: 'ordinal-admin', user: { token: k.token } }],
    contexts: [{ name: 'ordinal', context: { cluster: 'ordinal', user: 'ordinal-admin', namespace: k.namespace ?? 'default' } }],
    'current-context': 'ordinal',
    preferences: {},
  });
}

/** Writes a file atomically (temp file, then rename) with the given mode. */
export function writeAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

export function ensureDir(path: string): string {
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}
