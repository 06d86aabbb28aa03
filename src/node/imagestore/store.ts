// The node's local image store, in <dataDir>/images:
//   layers/<hex>/        one unpacked layer per diff ID (uncompressed digest),
//                        shared by every image that has it
//   layers/<hex>.json    its size and opaque directories
//   images/<hex>.json    an image: its config (hex = the config's digest, the
//                        image ID), its layers bottom first, its size
//   refs/<ref>.json      a normalized reference (docker.io/library/app:1) ->
//                        image ID and the manifest digest (for the repo digest)
//   tmp/                 work in progress
// Everything becomes visible by a rename, in the order layers, image, refs,
// so a reader (a running `ordinal serve`) never sees a reference to an image
// that is not complete, and a load that fails leaves no reference behind.
// Images come from archives that users made elsewhere (`docker save`,
// `podman save --format oci-archive`, `skopeo copy ... oci-archive:`), as
// `kind load image-archive` and `ctr images import` take them; there are no
// registry pulls.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatReference, InvalidReferenceError, normalizeReference, parseReference } from './reference.js';
import { ImageFormatError, unpackLayer } from './unpack.js';
import type { ImageLayer } from './rootfs.js';

export { ImageFormatError } from './unpack.js';

/** `ordinal image rm` named an image the store does not have. */
export class ImageNotFoundError extends Error {}

/** `ordinal image rm` would remove an image a running container uses. */
export class ImageInUseError extends Error {}

const execFileP = promisify(execFile);

/** The parts of an image config (OCI image-spec config.md) that decide how a container runs. */
export interface ImageConfigFile {
  architecture?: string;
  os?: string;
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  rootfs?: { type?: string; diff_ids?: string[] };
}

export interface StoredImage {
  /** sha256:<digest of the config>, as `crictl images` and `docker images` show it. */
  id: string;
  /** Diff IDs, bottom layer first. */
  layers: string[];
  config: ImageConfigFile;
  /** Uncompressed size of the layers in bytes. */
  size: number;
}

/** An image found by reference, for a container. */
export interface ResolvedImage {
  image: StoredImage;
  /** The reference as normalized (docker.io/library/app:1). */
  reference: string;
  /** What status.containerStatuses[].imageID says: docker.io/library/app@sha256:<manifest digest>. */
  imageID: string;
  /** The unpacked layers, top first (overlayfs lowerdir order). */
  layers: ImageLayer[];
}

export interface LoadedImage {
  /** Normalized reference, absent for an image without a name. */
  reference?: string;
  id: string;
}

interface RefRecord {
  id: string;
  manifestDigest: string;
}

const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  configs: ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'],
  layers: [
    'application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.nondistributable.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
    'application/vnd.docker.image.rootfs.diff.tar', 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ],
};

const DIGEST = /^sha256:([a-f0-9]{64})$/;

/** What one image of an archive is, before anything is unpacked. */
interface PlannedImage {
  refs: string[];
  config: ImageConfigFile;
  configDigest: string;
  manifestDigest: string;
  /** Layer files in the staging directory, bottom first, with the diff ID each must have. */
  layers: { file: string; diffID: string; blobDigest?: string }[];
}

export class ImageStore {
  constructor(readonly dir: string) {}

  static forDataDir(dataDir: string): ImageStore {
    return new ImageStore(join(dataDir, 'images'));
  }

  /** Imports every image of a docker-save or OCI-layout archive; all of them or none become visible. */
  async load(archive: string): Promise<LoadedImage[]> {
    for (const d of ['layers', 'images', 'refs', 'tmp']) mkdirSync(join(this.dir, d), { recursive: true });
    if (!existsSync(archive) || !statSync(archive).isFile()) throw new ImageFormatError(`${archive}: no such file`);
    const staging = mkdtempSync(join(this.dir, 'tmp', 'load-'));
    const unpacking: string[] = [];
    try {
      try {
        await execFileP('tar', ['-x', '-f', archive, '-C', staging, '--no-same-owner', '--no-same-permissions'], { maxBuffer: 1 << 20 });
      } catch (e) {
        const msg = String((e as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
        throw new ImageFormatError(`${archive} is not a tar archive${msg ? ` (${msg})` : ''}`);
      }
      const plans = existsSync(join(staging, 'oci-layout')) && existsSync(join(staging, 'index.json'))
        ? planOci(staging)
        : existsSync(join(staging, 'manifest.json'))
          ? planDocker(staging)
          : (() => {
            throw new ImageFormatError(`${archive} has neither manifest.json (docker save) nor oci-layout and index.json (OCI image layout)`);
          })();
      if (!plans.length) throw new ImageFormatError(`${archive} holds no image`);
      for (const p of plans) {
        for (const [i, l] of p.layers.entries()) {
          if (!l.blobDigest) continue;
          const got = await sha256File(l.file);
          if (got !== l.blobDigest) throw new ImageFormatError(`layer ${i + 1} of ${p.refs[0] ?? p.configDigest}: digest mismatch: blob ${l.blobDigest} has digest ${got}`);
        }
      }
      const sizes = new Map<string, number>();
      for (const p of plans) {
        for (const [i, l] of p.layers.entries()) {
          const hex = l.diffID.slice('sha256:'.length);
          const final = join(this.dir, 'layers', hex);
          if (existsSync(final)) {
            sizes.set(l.diffID, sizes.get(l.diffID) ?? layerMeta(final).size);
            continue;
          }
          const work = mkdtempSync(join(this.dir, 'tmp', 'layer-'));
          unpacking.push(work);
          let got;
          try {
            got = await unpackLayer(l.file, work);
          } catch (e) {
            throw new ImageFormatError(`layer ${i + 1} of ${p.refs[0] ?? p.configDigest}: ${(e as Error).message}`);
          }
          if (got.diffID !== l.diffID) {
            throw new ImageFormatError(`layer ${i + 1} of ${p.refs[0] ?? p.configDigest}: digest mismatch: its content is ${got.diffID}, the image config says ${l.diffID}`);
          }
          sizes.set(l.diffID, got.size);
          this.writeAtomically(join('layers', `${hex}.json`), JSON.stringify({ size: got.size, opaque: got.opaque }));
          try {
            renameSync(work, final);
          } catch {
            // another load unpacked the same layer meanwhile: keep theirs
          }
        }
      }
      const loaded: LoadedImage[] = [];
      for (const p of plans) {
        const image: StoredImage = { id: p.configDigest, layers: p.layers.map((l) => l.diffID), config: p.config, size: p.layers.reduce((n, l) => n + (sizes.get(l.diffID) ?? 0), 0) };
        this.writeAtomically(join('images', `${hexOf(p.configDigest)}.json`), JSON.stringify(image));
      }
      for (const p of plans) {
        for (const ref of p.refs) {
          const rec: RefRecord = { id: p.configDigest, manifestDigest: p.manifestDigest };
          this.writeAtomically(join('refs', `${encodeURIComponent(ref)}.json`), JSON.stringify(rec));
          loaded.push({ reference: ref, id: p.configDigest });
        }
        if (!p.refs.length) loaded.push({ id: p.configDigest });
      }
      return loaded;
    } finally {
      rmSync(staging, { recursive: true, force: true });
      for (const w of unpacking) rmSync(w, { recursive: true, force: true });
    }
  }

  private writeAtomically(rel: string, content: string): void {
    const tmp = join(this.dir, 'tmp', `${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(this.dir, rel));
  }

  private readImage(id: string): StoredImage | undefined {
    const hex = hexOf(id);
    if (!hex) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, 'images', `${hex}.json`), 'utf8')) as StoredImage;
    } catch {
      return undefined;
    }
  }

  /** Every reference with its image, sorted by reference. */
  list(): { reference: string; record: RefRecord; image: StoredImage }[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, 'refs')).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out = [];
    for (const n of names.sort()) {
      const reference = decodeURIComponent(n.slice(0, -'.json'.length));
      try {
        const record = JSON.parse(readFileSync(join(this.dir, 'refs', n), 'utf8')) as RefRecord;
        const image = this.readImage(record.id);
        if (image) out.push({ reference, record, image });
      } catch {
        // being replaced: the rename is atomic, so only an unreadable leftover lands here
      }
    }
    return out;
  }

  /**
   * Removes images, as `crictl rmi` and `docker rmi` do: a reference
   * (app:1) untags that name, and the image goes once no name is left; an
   * image ID (sha256:..., or 12 or more of its hex digits) removes the image
   * with every name it has. Layers no remaining image uses are deleted.
   * `inUse` gives the layer directories running containers sit on: an image
   * among them is refused (ImageInUseError) and nothing is removed.
   */
  remove(targets: string[], inUse: Set<string> = new Set()): { untagged: string[]; deleted: string[] } {
    const entries = this.list();
    const refsToDrop = new Set<string>();
    for (const t of targets) {
      const hex = /^(sha256:)?([a-f0-9]{12,64})$/.exec(t)?.[2];
      const byId = hex ? entries.filter((e) => hexOf(e.image.id).startsWith(hex)) : [];
      const ids = new Set(byId.map((e) => e.image.id));
      if (ids.size > 1) throw new ImageNotFoundError(`image ID ${t} is ambiguous: it matches ${[...ids].join(', ')}`);
      if (byId.length) {
        for (const e of byId) refsToDrop.add(e.reference);
        continue;
      }
      let reference;
      try {
        reference = normalizeReference(t);
      } catch (e) {
        if (e instanceof InvalidReferenceError) throw new ImageNotFoundError(`no such image: ${t} (${e.message})`);
        throw e;
      }
      if (!entries.some((e) => e.reference === reference)) throw new ImageNotFoundError(`no such image: ${t}`);
      refsToDrop.add(reference);
    }
    const remaining = entries.filter((e) => !refsToDrop.has(e.reference));
    const keptIds = new Set(remaining.map((e) => e.image.id));
    const goneImages = [...new Map(entries.filter((e) => refsToDrop.has(e.reference) && !keptIds.has(e.image.id)).map((e) => [e.image.id, e.image])).values()];
    for (const img of goneImages) {
      const used = img.layers.find((d) => inUse.has(join(this.dir, 'layers', hexOf(d))));
      if (used) throw new ImageInUseError(`image ${img.id} is in use by a running container`);
    }
    // Names first, then images, then layers: a reader never finds a name without its image.
    for (const ref of refsToDrop) rmSync(join(this.dir, 'refs', `${encodeURIComponent(ref)}.json`), { force: true });
    for (const img of goneImages) rmSync(join(this.dir, 'images', `${hexOf(img.id)}.json`), { force: true });
    const keptLayers = new Set(this.allImages().flatMap((i) => i.layers));
    for (const img of goneImages) {
      for (const d of img.layers) {
        if (keptLayers.has(d)) continue;
        const dir = join(this.dir, 'layers', hexOf(d));
        rmSync(`${dir}.json`, { force: true });
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return { untagged: [...refsToDrop], deleted: goneImages.map((i) => i.id) };
  }

  /** Every stored image, named or not. */
  private allImages(): StoredImage[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, 'images')).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.map((n) => this.readImage(`sha256:${n.slice(0, -'.json'.length)}`)).filter((i): i is StoredImage => !!i);
  }

  /** The image a container's `image` names, when this store has it (whole). */
  find(image: string | undefined): ResolvedImage | undefined {
    if (!image) return undefined;
    let ref;
    try {
      ref = parseReference(image);
    } catch (e) {
      if (e instanceof InvalidReferenceError) return undefined;
      throw e;
    }
    let found: { reference: string; record: RefRecord } | undefined;
    if (ref.digest) {
      found = this.list().find((e) => e.reference.startsWith(ref.name + ':') && (e.record.manifestDigest === ref.digest || e.record.id === ref.digest));
    } else {
      const reference = formatReference(ref);
      try {
        found = { reference, record: JSON.parse(readFileSync(join(this.dir, 'refs', `${encodeURIComponent(reference)}.json`), 'utf8')) as RefRecord };
      } catch {
        return undefined;
      }
    }
    if (!found) return undefined;
    const img = this.readImage(found.record.id);
    if (!img) return undefined;
    const dirs = img.layers.map((d) => join(this.dir, 'layers', hexOf(d))).reverse();
    if (!dirs.every((d) => existsSync(d))) return undefined;
    const layers = dirs.map((dir) => ({ dir, opaque: layerMeta(dir).opaque }));
    return { image: img, reference: found.reference, imageID: `${ref.name}@${found.record.manifestDigest}`, layers };
  }
}

function hexOf(digest: string): string {
  return DIGEST.exec(digest)?.[1] ?? '';
}

function layerMeta(dir: string): { size: number; opaque: string[] } {
  try {
    const m = JSON.parse(readFileSync(`${dir}.json`, 'utf8')) as { size?: number; opaque?: string[] };
    return { size: m.size ?? 0, opaque: m.opaque ?? [] };
  } catch {
    return { size: 0, opaque: [] };
  }
}

function readJSON<T>(file: string, what: string): T {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ImageFormatError(`missing ${what}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ImageFormatError(`${what} is not valid JSON`);
  }
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(`sha256:${h.digest('hex')}`));
  });
}

function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Normalized references; a name that is not a reference is an error naming it. */
function normalizeAll(names: (string | undefined)[], where: string): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (!n) continue;
    try {
      out.push(formatReference(parseReference(n)));
    } catch (e) {
      if (e instanceof InvalidReferenceError) throw new ImageFormatError(`${where}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

function checkConfig(config: ImageConfigFile, layerCount: number, where: string): string[] {
  const ids = config.rootfs?.diff_ids;
  if (!Array.isArray(ids)) throw new ImageFormatError(`${where}: image config has no rootfs.diff_ids`);
  if (ids.length !== layerCount) throw new ImageFormatError(`${where}: image config lists ${ids.length} layers, the manifest ${layerCount}`);
  for (const d of ids) if (!DIGEST.test(d)) throw new ImageFormatError(`${where}: unsupported layer digest "${d}" (sha256 only)`);
  return ids;
}

/** `docker save`: manifest.json = [{Config, RepoTags, Layers}], layers uncompressed (or gzip). */
function planDocker(root: string): PlannedImage[] {
  const manifest = readJSON<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }[]>(join(root, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(manifest)) throw new ImageFormatError('manifest.json is not a list of images');
  return manifest.map((m, i) => {
    const where = `manifest.json image ${i + 1}`;
    if (typeof m.Config !== 'string' || !Array.isArray(m.Layers)) throw new ImageFormatError(`${where}: no Config or Layers`);
    const configPath = inside(root, m.Config, where);
    const configText = readBlobText(configPath, `${where} config ${m.Config}`);
    const configDigest = sha256(configText);
    const named = /([a-f0-9]{64})(\.json)?$/.exec(m.Config)?.[1];
    if (named && `sha256:${named}` !== configDigest) throw new ImageFormatError(`${where}: digest mismatch: config ${m.Config} has digest ${configDigest}`);
    const config = parseConfig(configText, where);
    const ids = checkConfig(config, m.Layers.length, where);
    const layers = m.Layers.map((l, j) => ({ file: inside(root, l, where), diffID: ids[j] }));
    for (const l of layers) if (!existsSync(l.file)) throw new ImageFormatError(`${where}: missing layer ${l.file.slice(root.length + 1)}`);
    // A docker-save archive carries no manifest: the digest is that of the
    // schema 2 manifest describing it, as containerd's import computes one.
    const dockerManifest = {
      schemaVersion: 2, mediaType: MEDIA.dockerManifest,
      config: { mediaType: MEDIA.configs[1], size: Buffer.byteLength(configText), digest: configDigest },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: statSync(l.file).size, digest: l.diffID })),
    };
    return { refs: normalizeAll(m.RepoTags ?? [], where), config, configDigest, manifestDigest: sha256(JSON.stringify(dockerManifest)), layers };
  });
}

function readBlobText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ImageFormatError(`missing ${what}`);
  }
}

function parseConfig(text: string, where: string): ImageConfigFile {
  try {
    const c = JSON.parse(text) as ImageConfigFile;
    if (!c || typeof c !== 'object') throw new Error();
    return c;
  } catch {
    throw new ImageFormatError(`${where}: image config is not valid JSON`);
  }
}

/** A path of the archive, refused when it leaves the archive. */
function inside(root: string, rel: string, where: string): string {
  const p = join(root, rel);
  if (!p.startsWith(root + '/')) throw new ImageFormatError(`${where}: path "${rel}" leaves the archive`);
  return p;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

/** Architecture names of the OCI image spec (GOARCH) for this machine. */
function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** OCI image layout: oci-layout, index.json, blobs/<alg>/<hex>, every blob checked against its digest. */
function planOci(root: string): PlannedImage[] {
  const layout = readJSON<{ imageLayoutVersion?: string }>(join(root, 'oci-layout'), 'oci-layout');
  if (typeof layout.imageLayoutVersion !== 'string') throw new ImageFormatError('oci-layout has no imageLayoutVersion');
  const index = readJSON<{ manifests?: Descriptor[] }>(join(root, 'index.json'), 'index.json');
  if (!Array.isArray(index.manifests)) throw new ImageFormatError('index.json has no manifests');
  const blob = (d: Descriptor, what: string): string => {
    const hex = hexOf(d.digest ?? '');
    if (!hex) throw new ImageFormatError(`${what}: unsupported digest "${d.digest ?? ''}" (sha256 only)`);
    const file = join(root, 'blobs', 'sha256', hex);
    if (!existsSync(file)) throw new ImageFormatError(`${what}: missing blob ${d.digest}`);
    return file;
  };
  const blobJSON = <T>(d: Descriptor, what: string): { value: T; text: string } => {
    const text = readFileSync(blob(d, what));
    if (sha256(text) !== d.digest) throw new ImageFormatError(`${what}: digest mismatch: blob ${d.digest} has digest ${sha256(text)}`);
    try {
      return { value: JSON.parse(text.toString('utf8')) as T, text: text.toString('utf8') };
    } catch {
      throw new ImageFormatError(`${what}: ${d.digest} is not valid JSON`);
    }
  };
  const plans: PlannedImage[] = [];
  const manifestOf = (d: Descriptor, what: string, depth = 0): Descriptor => {
    if (d.mediaType === MEDIA.ociManifest || d.mediaType === MEDIA.dockerManifest) return d;
    if ((d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerList) && depth < 4) {
      const nested = blobJSON<{ manifests?: Descriptor[] }>(d, what).value.manifests ?? [];
      const fits = nested.filter((m) => (m.mediaType === MEDIA.ociManifest || m.mediaType === MEDIA.dockerManifest || m.mediaType === MEDIA.ociIndex)
        && (!m.platform || (m.platform.os === 'linux' && m.platform.architecture === hostArch())));
      if (!fits.length) throw new ImageFormatError(`${what}: no manifest for linux/${hostArch()}`);
      return manifestOf(fits[0], what, depth + 1);
    }
    throw new ImageFormatError(`${what}: unknown media type "${d.mediaType ?? ''}"`);
  };
  for (const [i, top] of index.manifests.entries()) {
    const where = `index.json manifest ${i + 1}`;
    const md = manifestOf(top, where);
    const manifest = blobJSON<{ config?: Descriptor; layers?: Descriptor[]; mediaType?: string }>(md, where).value;
    if (!manifest.config || !Array.isArray(manifest.layers)) throw new ImageFormatError(`${where}: manifest has no config or layers`);
    if (!MEDIA.configs.includes(manifest.config.mediaType ?? '')) throw new ImageFormatError(`${where}: unknown config media type "${manifest.config.mediaType ?? ''}"`);
    for (const l of manifest.layers) {
      if (!MEDIA.layers.includes(l.mediaType ?? '')) throw new ImageFormatError(`${where}: unknown layer media type "${l.mediaType ?? ''}"`);
    }
    const { text: configText } = blobJSON<ImageConfigFile>(manifest.config, where);
    const config = parseConfig(configText, where);
    const ids = checkConfig(config, manifest.layers.length, where);
    const a = top.annotations ?? {};
    // containerd names an image by io.containerd.image.name; podman and skopeo
    // write the reference to org.opencontainers.image.ref.name, which by the
    // image-layout spec may also be a bare tag (then the image has no name).
    const refName = a['org.opencontainers.image.ref.name'];
    const name = a['io.containerd.image.name'] ?? (refName && /[:/]/.test(refName) ? refName : undefined);
    const plan: PlannedImage = {
      refs: normalizeAll([name], where), config, configDigest: manifest.config.digest!, manifestDigest: md.digest!,
      layers: manifest.layers.map((l, j) => ({ file: blob(l, `${where} layer ${j + 1}`), diffID: ids[j], blobDigest: l.digest })),
    };
    plans.push(plan);
  }
  return plans;
}
