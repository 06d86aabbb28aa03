// The image store: loading both archive formats, reference normalization,
// bad input refused with one readable line and nothing visible, the layered
// lookup (whiteouts, opaque directories) and the image's defaults.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageFormatError, ImageInUseError, ImageNotFoundError, ImageStore } from '../../src/node/imagestore/store.js';
import { normalizeReference } from '../../src/node/imagestore/reference.js';
import { findExecutable, LayeredRoot, resolveUser } from '../../src/node/imagestore/rootfs.js';
import { imageEntrypoint, imageEnv, imageWorkingDir } from '../../src/node/images.js';
import { buildLayers, DEFAULT_SPEC, dockerArchive, layerTar, ociArchive } from './fixtures.js';

const isRoot = process.getuid?.() === 0;

describe('image references', () => {
  it('normalizes as Kubernetes and containerd do', () => {
    assert.equal(normalizeReference('app:1'), 'docker.io/library/app:1');
    assert.equal(normalizeReference('app'), 'docker.io/library/app:latest');
    assert.equal(normalizeReference('me/app'), 'docker.io/me/app:latest');
    assert.equal(normalizeReference('index.docker.io/library/app:2'), 'docker.io/library/app:2');
    assert.equal(normalizeReference('localhost/app:1'), 'localhost/app:1');
    assert.equal(normalizeReference('registry.example.com:5000/team/app:v1.2'), 'registry.example.com:5000/team/app:v1.2');
    const d = 'sha256:' + 'a'.repeat(64);
    assert.equal(normalizeReference(`app@${d}`), `docker.io/library/app@${d}`);
    assert.throws(() => normalizeReference('App:1'), /must be lowercase/);
    assert.throws(() => normalizeReference('app:'), /malformed tag/);
  });
});

describe('the image store', { skip: isRoot ? false : 'unpacking layers keeps owners and makes whiteout devices: needs root' }, () => {
  let base: string;
  let store: ImageStore;
  const layers = buildLayers();
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'ordinal-store-'));
    store = new ImageStore(join(base, 'images'));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const visible = () => ({ refs: readdirSync(join(base, 'images', 'refs')).sort(), images: readdirSync(join(base, 'images', 'images')).length, tmp: readdirSync(join(base, 'images', 'tmp')) });

  it('loads a docker-save archive under its normalized tags', async () => {
    const loaded = await store.load(dockerArchive(join(base, 'd.tar'), ['app:1', 'me/app'], DEFAULT_SPEC, layers));
    assert.deepEqual(loaded.map((l) => l.reference), ['docker.io/library/app:1', 'docker.io/me/app:latest']);
    const r = store.find('docker.io/library/app:1')!;
    assert.ok(r, 'found by normalized name');
    assert.equal(store.find('app:1')?.image.id, r.image.id);
    assert.match(r.imageID, /^docker\.io\/library\/app@sha256:[a-f0-9]{64}$/);
    assert.equal(r.layers.length, 2);
    assert.equal(store.find('app:2'), undefined);
    assert.deepEqual(visible().tmp, []);
  });

  it('loads an OCI layout archive (gzip and plain layers), sharing the unpacked layers', async () => {
    const { file, manifestDigest } = ociArchive(join(base, 'o.tar'), { refName: 'app:2' }, DEFAULT_SPEC, layers);
    assert.deepEqual((await store.load(file)).map((l) => l.reference), ['docker.io/library/app:2']);
    const r = store.find('app:2')!;
    assert.equal(r.imageID, `docker.io/library/app@${manifestDigest}`);
    assert.equal(store.find(`app@${manifestDigest}`)?.image.id, r.image.id, 'found by digest');
    assert.deepEqual(r.layers.map((l) => l.dir), store.find('app:1')!.layers.map((l) => l.dir));
    assert.equal(readdirSync(join(base, 'images', 'layers')).filter((n) => !n.endsWith('.json')).length, 2);
  });

  it('unpacks whiteouts as overlayfs does, and looks paths up through the layers', () => {
    const r = store.find('app:1')!;
    const top = r.layers[0];
    assert.deepEqual(top.opaque, ['/opq']);
    assert.ok(!existsSync(join(top.dir, '.wh.doomed.txt')) && !existsSync(join(top.dir, 'opq', '.wh..wh..opq')));
    const dev = execFileSync('stat', ['-c', '%F %t:%T', join(top.dir, 'doomed.txt')], { encoding: 'utf8' }).trim();
    assert.equal(dev, 'character special file 0:0');
    const root = new LayeredRoot(r.layers);
    assert.equal(root.lstat('/doomed.txt'), undefined, 'whited out');
    assert.equal(root.lstat('/opq/old.txt'), undefined, 'hidden by the opaque directory');
    assert.ok(root.lstat('/opq/new.txt'));
    assert.ok(root.lstat('/app/base.txt') && root.lstat('/app/hello.txt'), 'directories merge');
    assert.equal(findExecutable(root, 'sh', '/usr/bin:/bin', '/'), '/bin/sh');
    assert.equal(findExecutable(root, 'node', '/usr/bin:/bin', '/'), undefined);
    assert.deepEqual(resolveUser(root, 'app'), { uid: 1000, gid: 1001 });
    assert.deepEqual(resolveUser(root, '1000'), { uid: 1000, gid: 1001 });
    assert.deepEqual(resolveUser(root, '42:7'), { uid: 42, gid: 7 });
    assert.throws(() => resolveUser(root, 'nobody'), /unable to find user nobody/);
  });

  it('lists references with tag, short ID and size', () => {
    const names = store.list().map((e) => e.reference);
    assert.deepEqual(names, ['docker.io/library/app:1', 'docker.io/library/app:2', 'docker.io/me/app:latest']);
    assert.ok(store.list()[0].image.size > 1_000_000, 'busybox is in the size');
  });

  const refuses = async (file: string, pattern: RegExp) => {
    const before = visible();
    await assert.rejects(store.load(file), (e: Error) => e instanceof ImageFormatError && pattern.test(e.message) && !e.message.includes('\n'));
    assert.deepEqual(visible(), before, 'nothing visible, nothing left behind');
  };

  it('refuses bad input with one line, leaving nothing visible', async () => {
    writeFileSync(join(base, 'junk.tar'), 'this is not a tar archive, not at all'.repeat(40));
    await refuses(join(base, 'junk.tar'), /is not a tar archive/);
    await refuses(join(base, 'missing.tar'), /no such file/);
    const empty = mkdtempSync(join(base, 'empty-'));
    writeFileSync(join(empty, 'hello'), 'x');
    execFileSync('tar', ['-C', empty, '-cf', join(base, 'nomanifest.tar'), '.']);
    await refuses(join(base, 'nomanifest.tar'), /neither manifest\.json/);
    await refuses(ociArchive(join(base, 'zstd.tar'), { refName: 'bad:zstd', layerMediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }, DEFAULT_SPEC, layers).file, /unknown layer media type/);
    await refuses(ociArchive(join(base, 'corrupt.tar'), { refName: 'bad:corrupt', corruptLayer: true }, DEFAULT_SPEC, layers).file, /digest mismatch/);
    assert.equal(store.find('bad:corrupt'), undefined);
  });

  it('refuses a layer whose content does not match the config diff ID, without keeping the layer', async () => {
    const other = buildLayers();
    // A docker archive whose config names the diff IDs of different layers.
    const wrong = [Buffer.concat([other[0], Buffer.alloc(1024)]), other[1]];
    const file = dockerArchive(join(base, 'wrong.tar'), ['bad:wrong'], DEFAULT_SPEC, wrong);
    // Swap the first layer's content for one with another digest.
    const dir = mkdtempSync(join(base, 'wrong-'));
    execFileSync('tar', ['-C', dir, '-xf', file]);
    const first = readdirSync(dir).find((n) => existsSync(join(dir, n, 'layer.tar')) && n !== '')!;
    const manifest = JSON.parse(execFileSync('cat', [join(dir, 'manifest.json')], { encoding: 'utf8' })) as { Layers: string[] }[];
    writeFileSync(join(dir, manifest[0].Layers[0]), other[0]);
    assert.ok(first);
    execFileSync('tar', ['-C', dir, '-cf', join(base, 'wrong2.tar'), '.']);
    const layersBefore = readdirSync(join(base, 'images', 'layers')).length;
    await refuses(join(base, 'wrong2.tar'), /digest mismatch: its content is sha256:/);
    assert.equal(readdirSync(join(base, 'images', 'layers')).length, layersBefore);
  });
});

describe('removing images', { skip: isRoot ? false : 'unpacking layers keeps owners and makes whiteout devices: needs root' }, () => {
  let base: string;
  let store: ImageStore;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'ordinal-store-rm-'));
    store = new ImageStore(join(base, 'images'));
  });
  after(() => rmSync(base, { recursive: true, force: true }));
  const layerDirs = () => readdirSync(join(base, 'images', 'layers')).filter((n) => !n.endsWith('.json')).sort();

  it('untags a name, removes an image with its last name, and deletes only the layers no image uses', async () => {
    const layers = buildLayers();
    // Two images sharing their bottom layer: app:1 and app:extra (a different top layer and config).
    await store.load(dockerArchive(join(base, 'a.tar'), ['app:1', 'app:also'], DEFAULT_SPEC, layers));
    const extra = [layers[0], layerTar((d) => writeFileSync(join(d, 'extra.txt'), 'only in app:extra\n'))];
    await store.load(dockerArchive(join(base, 'b.tar'), ['app:extra'], { ...DEFAULT_SPEC, workingDir: '/other' }, extra));
    const all = layerDirs();
    assert.equal(all.length, 3, 'the shared bottom layer is stored once');
    const id = store.find('app:1')!.image.id;

    assert.deepEqual(store.remove(['app:also']), { untagged: ['docker.io/library/app:also'], deleted: [] });
    assert.ok(store.find('app:1'), 'the other name keeps the image');
    assert.throws(() => store.remove(['app:also']), (e: unknown) => e instanceof ImageNotFoundError && e.message === 'no such image: app:also');

    // A running container on one of its layers keeps the image, and nothing is removed.
    const lower = store.find('app:1')!.layers.map((l) => l.dir);
    assert.throws(() => store.remove(['app:1'], new Set([lower[0]])), (e: unknown) => e instanceof ImageInUseError && e.message === `image ${id} is in use by a running container`);
    assert.ok(store.find('app:1'));

    assert.deepEqual(store.remove([id.slice('sha256:'.length, 'sha256:'.length + 12)]), { untagged: ['docker.io/library/app:1'], deleted: [id] });
    assert.equal(store.find('app:1'), undefined);
    assert.ok(store.find('app:extra'), 'app:extra still runs: its layers stayed');
    assert.deepEqual(layerDirs(), all.filter((d) => store.find('app:extra')!.layers.some((l) => l.dir.endsWith(d))));
    store.remove(['app:extra']);
    assert.deepEqual(layerDirs(), []);
    assert.deepEqual(store.list(), []);
  });
});

describe("a container's command, env and working directory against its image", () => {
  const image = { config: { Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'], Env: ['PATH=/bin', 'A=image', 'B=image'], WorkingDir: '/app' } };
  it('follows the Kubernetes rules', () => {
    assert.deepEqual(imageEntrypoint({ name: 'c' }, image).command.concat(imageEntrypoint({ name: 'c' }, image).args), ['/bin/sh', '-c', 'echo hi']);
    const argsOnly = imageEntrypoint({ name: 'c', args: ['echo args'] }, image);
    assert.deepEqual([argsOnly.command, argsOnly.args], [['/bin/sh', '-c'], ['echo args']]);
    const cmdOnly = imageEntrypoint({ name: 'c', command: ['/bin/echo'] }, image);
    assert.deepEqual([cmdOnly.command, cmdOnly.args], [['/bin/echo'], []], 'command drops the image Cmd');
    const both = imageEntrypoint({ name: 'c', command: ['/bin/echo'], args: ['x'] }, image);
    assert.deepEqual([both.command, both.args], [['/bin/echo'], ['x']]);
    assert.throws(() => imageEntrypoint({ name: 'c' }, { config: {} }), /no command specified/);
    assert.deepEqual(imageEntrypoint({ name: 'c' }, { config: { Entrypoint: [''], Cmd: ['x'] } }).command, []);
    assert.deepEqual(imageEnv(image, { B: 'pod', C: 'pod' }), { PATH: '/bin', A: 'image', B: 'pod', C: 'pod' });
    assert.equal(imageWorkingDir({ name: 'c' }, image), '/app');
    assert.equal(imageWorkingDir({ name: 'c', workingDir: '/w' }, image), '/w');
    assert.equal(imageWorkingDir({ name: 'c' }, {}), '/');
  });
});
