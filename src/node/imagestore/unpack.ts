// Unpacking an image layer into a directory that overlayfs can stack.
// The host's GNU tar extracts (it keeps owners, modes, hard links, sparse
// files, and refuses member names with `..`); this module feeds it the
// decompressed stream while hashing it (the layer's diff ID), then turns the
// OCI whiteouts the layer carries into overlayfs's own:
//   `.wh.NAME`      -> a 0/0 character device NAME (the entry is deleted)
//   `.wh..wh..opq`  -> xattr trusted.overlay.opaque=y on its directory
//                      (nothing of the lower layers shows through)
// Both are written by a second, generated tar extracted with --xattrs, so no
// mknod/setfattr tools are needed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export class ImageFormatError extends Error {}

/** Whether the file starts with the gzip magic number. */
async function isGzip(file: string): Promise<boolean> {
  const s = createReadStream(file, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  const b = Buffer.concat(chunks);
  return b.length === 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function runTar(args: string[], input: Readable | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      if (err.length < 2000) err += d.toString();
    });
    p.stdin.on('error', () => {});
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new ImageFormatError(err.trim().split('\n')[0] || `tar exited with ${code}`))));
    if (Buffer.isBuffer(input)) p.stdin.end(input);
    else input.pipe(p.stdin);
  });
}

/**
 * Extracts the layer `file` (tar, or gzip-compressed tar) into the existing
 * empty directory `dir`; returns the digest of the uncompressed tar
 * ("sha256:..."), which the caller checks against the image's diff ID.
 */
export async function unpackLayer(file: string, dir: string): Promise<{ diffID: string; size: number; opaque: string[] }> {
  const gz = await isGzip(file);
  const hash = createHash('sha256');
  let size = 0;
  const tee = new PassThrough();
  tee.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  const extracting = runTar(['-x', '-f', '-', '-C', dir, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '--xattrs-exclude=trusted.overlay.*'], tee);
  const feeding = (gz ? pipeline(createReadStream(file), createGunzip(), tee) : pipeline(createReadStream(file), tee)).catch((e: Error) => {
    throw new ImageFormatError(`layer is not valid gzip: ${e.message}`);
  });
  await Promise.all([extracting, feeding]);
  const opaque = await applyWhiteouts(dir);
  return { diffID: `sha256:${hash.digest('hex')}`, size, opaque };
}

/**
 * Finds the OCI whiteout files under `dir` and replaces them with overlayfs
 * whiteouts; returns the opaque directories (as /paths: Node cannot read
 * xattrs, so the store records them for lookups before mounting).
 */
export async function applyWhiteouts(dir: string): Promise<string[]> {
  const entries: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.name === OPAQUE_WHITEOUT) {
        rmSync(join(dir, p));
        const st = lstatSync(join(dir, rel || '.'));
        entries.push({ path: rel || '.', type: 'dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000, xattrs: { 'trusted.overlay.opaque': 'y' } });
      } else if (d.name.startsWith(WHITEOUT_PREFIX)) {
        rmSync(join(dir, p), { recursive: true, force: true });
        entries.push({ path: posix.join(rel, d.name.slice(WHITEOUT_PREFIX.length)), type: 'char', mode: 0, uid: 0, gid: 0, mtime: 0 });
      } else if (d.isDirectory()) walk(p);
    }
  };
  walk('');
  const opaque = entries.filter((e) => e.type === 'dir').map((e) => (e.path === '.' ? '/' : `/${e.path}`));
  if (!entries.length) return opaque;
  await runTar(['-x', '-f', '-', '-C', dir, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=trusted.overlay.*'], tarArchive(entries));
  return opaque;
}

interface TarEntry {
  path: string;
  type: 'dir' | 'char';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  xattrs?: Record<string, string>;
}

function octal(n: number, width: number): string {
  return Math.floor(n).toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, type: string, e: { mode: number; uid: number; gid: number; mtime: number }, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 99), 0, 'utf8');
  b.write(octal(e.mode, 8), 100);
  b.write(octal(e.uid, 8), 108);
  b.write(octal(e.gid, 8), 116);
  b.write(octal(size, 12), 124);
  b.write(octal(e.mtime, 12), 136);
  b.write('        ', 148);
  b.write(type, 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  b.write(octal(0, 8), 329);
  b.write(octal(0, 8), 337);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(octal(sum, 7) + ' ', 148);
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A pax record: "<len> key=value\n", where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(body);
  let len = n + 1;
  while (n + String(len).length !== len) len = n + String(len).length;
  return `${len}${body}`;
}

/** A POSIX (pax) tar of directories and character devices 0/0, with xattrs. */
export function tarArchive(entries: TarEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const path = e.type === 'dir' ? `./${e.path === '.' ? '' : e.path + '/'}` : `./${e.path}`;
    let pax = paxRecord('path', path);
    for (const [k, v] of Object.entries(e.xattrs ?? {})) pax += paxRecord(`SCHILY.xattr.${k}`, v);
    const data = Buffer.from(pax);
    out.push(header('PaxHeader', 'x', { mode: 0o644, uid: 0, gid: 0, mtime: e.mtime }, data.length), padded(data));
    out.push(header(path, e.type === 'dir' ? '5' : '3', e, 0));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}
