// Real image archives built from Debian's busybox-static (/bin/busybox), in
// the two formats `ordinal image load` reads: `docker save` (manifest.json,
// uncompressed layer tars) and an OCI image layout (oci-layout, index.json,
// blobs/sha256; a gzip layer and a plain one). Two layers: the second deletes
// /doomed.txt of the first (a whiteout) and makes /opq opaque.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const APPLETS = ['sh', 'ls', 'cat', 'echo', 'hostname', 'pwd', 'env', 'id', 'sleep', 'test', 'touch', 'mkdir', 'printf'];

export interface ImageSpec {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
}

export const DEFAULT_SPEC: ImageSpec = {
  entrypoint: ['/bin/sh', '-c'],
  cmd: ['echo "greeting=$GREETING only=$ONLY_IMAGE pwd=$(pwd) host=$(hostname)"; sleep 3600'],
  env: ['PATH=/usr/local/bin:/bin', 'GREETING=image', 'ONLY_IMAGE=yes'],
  workingDir: '/app',
};

function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function tarDir(dir: string): Buffer {
  return execFileSync('tar', ['-C', dir, '--sort=name', '--mtime=@0', '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], { maxBuffer: 64 << 20 });
}

/** One layer as an uncompressed tar, of what `fill` puts in an empty directory (reproducible: same content, same digest). */
export function layerTar(fill: (dir: string) => void): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-img-'));
  try {
    chmodSync(dir, 0o755); // the layer's own entry: the image's / as everyone may enter it
    fill(dir);
    return tarDir(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Debian's busybox-static at `path` inside a layer directory. */
function addBusybox(dir: string, path: string): void {
  mkdirSync(join(dir, dirname(path)), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, path));
  chmodSync(join(dir, path), 0o755);
}

/** The two layers as uncompressed tars. */
export function buildLayers(): Buffer[] {
  const l1 = layerTar((l) => {
    addBusybox(l, 'bin/busybox');
    for (const a of APPLETS) symlinkSync('busybox', join(l, 'bin', a));
    mkdirSync(join(l, 'etc'));
    writeFileSync(join(l, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/app:/bin/sh\n');
    writeFileSync(join(l, 'etc', 'group'), 'root:x:0:\napp:x:1001:\n');
    writeFileSync(join(l, 'doomed.txt'), 'deleted by the second layer\n');
    mkdirSync(join(l, 'opq'));
    writeFileSync(join(l, 'opq', 'old.txt'), 'hidden by the opaque directory\n');
    mkdirSync(join(l, 'app'));
    writeFileSync(join(l, 'app', 'base.txt'), 'from layer 1\n');
  });
  const l2 = layerTar((l) => {
    mkdirSync(join(l, 'opq'));
    mkdirSync(join(l, 'app'));
    writeFileSync(join(l, '.wh.doomed.txt'), '');
    writeFileSync(join(l, 'opq', '.wh..wh..opq'), '');
    writeFileSync(join(l, 'opq', 'new.txt'), 'from layer 2\n');
    writeFileSync(join(l, 'app', 'hello.txt'), 'hello from the image\n');
  });
  return [l1, l2];
}

/**
 * One layer as a distroless image has it: a static program and /etc/passwd
 * with the nonroot user (65532), no /bin/sh and no /bin at all. The program
 * is busybox-static at /app/busybox (its name picks its applets).
 */
export function shellLessLayers(): Buffer[] {
  return [layerTar((l) => {
    addBusybox(l, 'app/busybox');
    mkdirSync(join(l, 'etc'));
    writeFileSync(join(l, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
    writeFileSync(join(l, 'etc', 'group'), 'root:x:0:\nnonroot:x:65532:\n');
    mkdirSync(join(l, 'home', 'nonroot'), { recursive: true });
  })];
}

function config(spec: ImageSpec, layers: Buffer[]): string {
  return JSON.stringify({
    architecture: 'amd64', os: 'linux',
    config: { Entrypoint: spec.entrypoint, Cmd: spec.cmd, Env: spec.env, WorkingDir: spec.workingDir, User: spec.user },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
  });
}

/** Writes the directory `dir` as a tar to `file`. */
function archive(dir: string, file: string): string {
  execFileSync('tar', ['-C', dir, '-cf', file, '.']);
  execFileSync('rm', ['-rf', dir]);
  return file;
}

/** A `docker save` tarball of one image named `tags`. */
export function dockerArchive(file: string, tags: string[], spec: ImageSpec = DEFAULT_SPEC, layers = buildLayers()): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-docker-'));
  const cfg = config(spec, layers);
  const cfgName = `${sha(cfg)}.json`;
  writeFileSync(join(dir, cfgName), cfg);
  const names = layers.map((l) => {
    const d = sha(l);
    mkdirSync(join(dir, d));
    writeFileSync(join(dir, d, 'layer.tar'), l);
    return `${d}/layer.tar`;
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: cfgName, RepoTags: tags, Layers: names }]));
  return archive(dir, file);
}

export interface OciOptions {
  refName?: string;
  layerMediaType?: string;
  /** Corrupt the first layer blob after its digest is computed. */
  corruptLayer?: boolean;
}

/** An OCI image-layout archive (oci-archive); the first layer gzip-compressed, the second plain. */
export function ociArchive(file: string, o: OciOptions = {}, spec: ImageSpec = DEFAULT_SPEC, layers = buildLayers()): { file: string; manifestDigest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-oci-'));
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer | string) => {
    const d = sha(b);
    writeFileSync(join(dir, 'blobs', 'sha256', d), b);
    return { digest: `sha256:${d}`, size: Buffer.byteLength(b) };
  };
  const blobs = layers.map((l, i) => (i === 0 ? gzipSync(l) : l));
  const layerDescs = blobs.map((b, i) => ({ mediaType: o.layerMediaType ?? (i === 0 ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar'), ...put(b) }));
  if (o.corruptLayer) {
    const p = join(dir, 'blobs', 'sha256', layerDescs[0].digest.slice(7));
    const b = readFileSync(p);
    b[b.length - 1] ^= 0xff;
    writeFileSync(p, b);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config(spec, layers)) },
    layers: layerDescs,
  });
  const md = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...md, annotations: o.refName ? { 'org.opencontainers.image.ref.name': o.refName } : undefined }],
  }));
  return { file: archive(dir, file), manifestDigest: md.digest };
}
