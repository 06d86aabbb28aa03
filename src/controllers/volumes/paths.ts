// Where local-path volumes live: one directory per volume directly under
// <dataDir>/volumes. Every path is checked before it is created or removed:
// one plain name segment, inside the volumes directory once symlinks are
// resolved, and never itself a symlink, so no claim, volume or user-made PV
// can make the provisioner write or delete outside the data dir.
import { lstat, mkdir, chmod, realpath, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export class UnsafeVolumePath extends Error {}

const SEGMENT = /^[a-z0-9]([a-z0-9._-]{0,250}[a-z0-9])?$/;

export function volumesRoot(dataDir: string): string {
  return join(resolve(dataDir), 'volumes');
}

/** `pvc-<uid>_<namespace>_<claim>`, the layout of rancher's local-path provisioner. */
export function volumeDirName(pvName: string, namespace: string, claim: string): string {
  const name = `${pvName}_${namespace}_${claim}`;
  if (!SEGMENT.test(name) || name.includes('..')) throw new UnsafeVolumePath(`invalid volume directory name ${JSON.stringify(name)}`);
  return name;
}

/** Whether `path` names a direct child of the volumes directory (lexically). */
export function isInsideVolumes(dataDir: string, path: string): boolean {
  const root = volumesRoot(dataDir);
  const rel = relative(root, resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.includes(sep) && SEGMENT.test(rel) && !rel.includes('..');
}

async function checkedRoot(dataDir: string): Promise<string> {
  const root = volumesRoot(dataDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const st = await lstat(root);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new UnsafeVolumePath(`${root} is not a plain directory`);
  const realData = await realpath(resolve(dataDir));
  const realRoot = await realpath(root);
  if (relative(realData, realRoot) !== 'volumes') throw new UnsafeVolumePath(`${root} resolves outside the data directory`);
  return realRoot;
}

/** Creates the directory for a volume and returns its absolute path. */
export async function createVolumeDir(dataDir: string, dirName: string): Promise<string> {
  const root = await checkedRoot(dataDir);
  const path = join(root, dirName);
  if (!isInsideVolumes(dataDir, join(volumesRoot(dataDir), dirName))) throw new UnsafeVolumePath(`refusing volume path ${path}`);
  try {
    await mkdir(path, { mode: 0o777 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await lstat(path);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new UnsafeVolumePath(`${path} is not a plain directory`);
  // Containers run as any user: the volume is writable by all, as local-path's are.
  await chmod(path, 0o777);
  return path;
}

/**
 * Removes a volume's directory and everything in it. Refuses anything that
 * is not a plain directory directly under <dataDir>/volumes. A missing
 * directory is fine (already removed).
 */
export async function removeVolumeDir(dataDir: string, path: string): Promise<void> {
  if (!isInsideVolumes(dataDir, path)) throw new UnsafeVolumePath(`refusing to delete ${path}: not inside ${volumesRoot(dataDir)}`);
  const root = await checkedRoot(dataDir);
  const target = join(root, relative(volumesRoot(dataDir), resolve(path)));
  let st;
  try {
    st = await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.isSymbolicLink() || !st.isDirectory()) throw new UnsafeVolumePath(`refusing to delete ${target}: not a plain directory`);
  // rm does not follow symlinks found inside: links are removed, not their targets.
  await rm(target, { recursive: true, force: true });
}
