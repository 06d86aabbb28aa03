// The cluster's own CA and the API server's certificate, made on first start
// and kept in the data dir, so kubeconfigs stay valid across restarts.
// Node 20 can make keys but not certificates; node-forge signs them.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  caCert: string;
  cert: string;
  key: string;
}

function rsaKeys(): { forgePriv: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey; pem: string } {
  // Node's native RSA keygen is ~100x faster than forge's pure JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgePriv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePub = forge.pki.setRsaPublicKey(forgePriv.n, forgePriv.e);
  return { forgePriv, forgePub, pem };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

function makeCert(opts: {
  subjectCN: string;
  pub: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  issuer?: forge.pki.Certificate;
  ca: boolean;
  altNames?: { ips: string[]; dns: string[] };
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.pub;
  cert.serialNumber = serial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + (opts.ca ? 10 : 1) * 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: opts.subjectCN }]);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : [{ name: 'commonName', value: opts.subjectCN }]);
  const exts: object[] = [];
  if (opts.ca) {
    exts.push({ name: 'basicConstraints', cA: true, critical: true });
    exts.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    exts.push({ name: 'basicConstraints', cA: false });
    exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    exts.push({ name: 'extKeyUsage', serverAuth: true });
    exts.push({
      name: 'subjectAltName',
      altNames: [
        ...(opts.altNames?.dns ?? []).map((value) => ({ type: 2, value })),
        ...(opts.altNames?.ips ?? []).map((ip) => ({ type: 7, ip })),
      ],
    });
  }
  cert.setExtensions(exts);
  cert.sign(opts.signer, forge.md.sha256.create());
  return cert;
}

/**
 * Loads the CA and server certificate from `dir`, creating them when missing
 * or when the server certificate does not cover `ips`.
 */
export function ensureTls(dir: string, ips: string[]): TlsMaterial {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'apiserver.crt');
  const keyPath = join(dir, 'apiserver.key');
  const sansPath = join(dir, 'apiserver.sans');
  const wantSans = [...new Set(['127.0.0.1', ...ips])].sort().join(',');

  let caCertPem: string;
  let caKey: forge.pki.rsa.PrivateKey;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    caCertPem = readFileSync(caCertPath, 'utf8');
    caKey = forge.pki.privateKeyFromPem(readFileSync(caKeyPath, 'utf8')) as forge.pki.rsa.PrivateKey;
  } else {
    const k = rsaKeys();
    const ca = makeCert({ subjectCN: 'ordinal-ca', pub: k.forgePub, signer: k.forgePriv, ca: true });
    caCertPem = forge.pki.certificateToPem(ca);
    caKey = k.forgePriv;
    writeFileSync(caKeyPath, k.pem, { mode: 0o600 });
    writeFileSync(caCertPath, caCertPem, { mode: 0o644 });
  }
  const haveSans = existsSync(sansPath) ? readFileSync(sansPath, 'utf8') : '';
  if (!existsSync(certPath) || !existsSync(keyPath) || haveSans !== wantSans) {
    const k = rsaKeys();
    const cert = makeCert({
      subjectCN: 'kube-apiserver',
      pub: k.forgePub,
      signer: caKey,
      issuer: forge.pki.certificateFromPem(caCertPem),
      ca: false,
      altNames: { ips: wantSans.split(','), dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'] },
    });
    writeFileSync(keyPath, k.pem, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(cert), { mode: 0o644 });
    writeFileSync(sansPath, wantSans);
  }
  return { caCert: caCertPem, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** The admin bearer token, made once per data dir. */
export function ensureToken(dir: string): string {
  const p = join(dir, 'token');
  if (existsSync(p)) return readFileSync(p, 'utf8').trim();
  const t = randomBytes(24).toString('base64url');
  writeFileSync(p, t + '\n', { mode: 0o600 });
  return t;
}
