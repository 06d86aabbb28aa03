// `ordinal image load FILE`, `ordinal image ls` and `ordinal image rm`: the
// node's local image store (src/node/imagestore), filled from archives saved
// elsewhere, as `kind load image-archive` or `k3s ctr images import` do.
import { parseArgs } from 'node:util';
import { ImageFormatError, ImageInUseError, ImageNotFoundError, ImageStore } from '../node/imagestore/store.js';
import { imageLayersInUse } from '../node/runtime/linux.js';
import { parseReference } from '../node/imagestore/reference.js';
import { defaultDataDir } from '../cluster/datadir.js';
import { fail } from './fail.js';

export const IMAGE_USAGE = `Usage: ordinal image load FILE [--data-dir DIR]
       ordinal image ls [--data-dir DIR]
       ordinal image rm IMAGE... [--data-dir DIR]

load: imports the images of a \`docker save\` tarball or an OCI image-layout archive
      (\`podman save --format oci-archive\`, \`skopeo copy ... oci-archive:FILE\`), layers plain
      or gzip, into the data dir's image store, where pods of the linux runtime find them.
ls:   lists the stored images.
rm:   removes images by name (app:1 untags it; the image goes with its last name) or by
      image ID (with all its names), and the layers no other image uses; an image a
      running container uses is kept.`;

/** 1.2MB, as `docker images` and `crictl images` print sizes (powers of 1000). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(3))}${units[i]}`;
}

/** The table of `ordinal image ls`. */
export function imageTable(store: ImageStore): string {
  const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const e of store.list()) {
    const ref = parseReference(e.reference);
    rows.push([ref.name, ref.tag ?? '<none>', e.image.id.replace(/^sha256:/, '').slice(0, 12), humanSize(e.image.size)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ')).join('\n') + '\n';
}

export async function image(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(`${IMAGE_USAGE}\n`);
    return;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (e) {
    fail(`${(e as Error).message}\n${IMAGE_USAGE}`);
  }
  const dataDir = parsed.values['data-dir'] ?? defaultDataDir();
  const store = ImageStore.forDataDir(dataDir);
  switch (sub) {
    case 'load': {
      if (parsed.positionals.length !== 1) fail(`image load takes one archive file\n${IMAGE_USAGE}`);
      try {
        for (const l of await store.load(parsed.positionals[0])) {
          process.stdout.write(l.reference ? `Loaded image: ${l.reference}\n` : `Loaded image ID: ${l.id}\n`);
        }
      } catch (e) {
        if (e instanceof ImageFormatError) fail(`image load: ${e.message}`);
        throw e;
      }
      break;
    }
    case 'ls':
    case 'list':
      if (parsed.positionals.length) fail(`image ls takes no arguments\n${IMAGE_USAGE}`);
      process.stdout.write(imageTable(store));
      break;
    case 'rm':
    case 'rmi': {
      if (!parsed.positionals.length) fail(`image rm takes one or more images\n${IMAGE_USAGE}`);
      try {
        const r = store.remove(parsed.positionals, imageLayersInUse(dataDir));
        for (const ref of r.untagged) process.stdout.write(`Untagged: ${ref}\n`);
        for (const id of r.deleted) process.stdout.write(`Deleted: ${id}\n`);
      } catch (e) {
        if (e instanceof ImageNotFoundError || e instanceof ImageInUseError) fail(`image rm: ${e.message}`);
        throw e;
      }
      break;
    }
    default:
      fail(`unknown image command "${sub}"\n${IMAGE_USAGE}`);
  }
}
