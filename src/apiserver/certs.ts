// Making the cluster's CA and the API server's certificate. Node 20 can make
// keys but not certificates; node-forge signs them. Loaded only when a data
// dir has no certificates yet (node-forge costs ~10 MB of memory).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

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

export interface Pem {
  cert: string;
  key: string;
}

export function makeCA(): Pem {
  const k = rsaKeys();
  const ca = makeCert({ subjectCN: 'ordinal-ca', pub: k.forgePub, signer: k.forgePriv, ca: true });
  return { cert: forge.pki.certificateToPem(ca), key: k.pem };
}

export function makeServerCert(ca: Pem, ips: string[], dns: string[]): Pem {
  const k = rsaKeys();
  const cert = makeCert({
    subjectCN: 'kube-apiserver',
    pub: k.forgePub,
    signer: forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey,
    issuer: forge.pki.certificateFromPem(ca.cert),
    ca: false,
    altNames: { ips, dns },
  });
  return { cert: forge.pki.certificateToPem(cert), key: k.pem };
}
