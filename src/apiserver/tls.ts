// The cluster's own CA and the API server's certificate, made on first start
// and kept in the data dir, so kubeconfigs stay valid across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsMaterial {
  caCert: string;
  cert: string;
  key: string;
}

const SERVER_NAMES = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/**
 * Loads the CA and server certificate from `dir`, creating them when missing
 * or when the server certificate does not cover `ips`.
 */
export async function ensureTls(dir: string, ips: string[]): Promise<TlsMaterial> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'apiserver.crt');
  const keyPath = join(dir, 'apiserver.key');
  const sansPath = join(dir, 'apiserver.sans');
  const wantSans = [...new Set(['127.0.0.1', ...ips])].sort().join(',');
  const haveCA = existsSync(caCertPath) && existsSync(caKeyPath);
  const haveSans = existsSync(sansPath) ? readFileSync(sansPath, 'utf8') : '';
  const haveServer = existsSync(certPath) && existsSync(keyPath) && haveSans === wantSans;
  if (!haveCA || !haveServer) {
    const { makeCA, makeServerCert } = await import('./certs.js');
    let ca;
    if (haveCA) {
      ca = { cert: readFileSync(caCertPath, 'utf8'), key: readFileSync(caKeyPath, 'utf8') };
    } else {
      ca = makeCA();
      writeFileSync(caKeyPath, ca.key, { mode: 0o600 });
      writeFileSync(caCertPath, ca.cert, { mode: 0o644 });
    }
    const server = makeServerCert(ca, wantSans.split(','), SERVER_NAMES);
    writeFileSync(keyPath, server.key, { mode: 0o600 });
    writeFileSync(certPath, server.cert, { mode: 0o644 });
    writeFileSync(sansPath, wantSans);
  }
  return { caCert: readFileSync(caCertPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** The admin bearer token, made once per data dir. */
export function ensureToken(dir: string): string {
  const p = join(dir, 'token');
  if (existsSync(p)) return readFileSync(p, 'utf8').trim();
  const t = randomBytes(24).toString('base64url');
  writeFileSync(p, t + '\n', { mode: 0o600 });
  return t;
}
