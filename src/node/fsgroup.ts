// The pod's fsGroup on its volumes, as the kubelet's SetVolumeOwnership does:
// every file and directory gets the group fsGroup and group read (and write,
// unless the volume is read-only) permission, directories also the setgid bit
// so that what the containers create there belongs to the group too. With
// fsGroupChangePolicy OnRootMismatch the walk is skipped when the volume's
// root already looks right. Changing ownership needs root; without it,
// volumes stay as they are.
import { chmodSync, lchownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

export function setVolumeOwnership(dir: string, fsGroup: number, readOnly: boolean, policy?: string): void {
  if (process.getuid?.() !== 0) return;
  if (policy === 'OnRootMismatch' && !requiresChange(dir, fsGroup, readOnly)) return;
  walk(dir, (path, st) => {
    lchownSync(path, st.uid, fsGroup);
    if (st.isSymbolicLink()) return;
    let mask = readOnly ? RO : RW;
    if (st.isDirectory()) mask |= SETGID | EXEC;
    chmodSync(path, (st.mode & 0o7777) | mask);
  });
}

function requiresChange(dir: string, fsGroup: number, readOnly: boolean): boolean {
  const st = statSync(dir);
  if (st.gid !== fsGroup || !st.isDirectory()) return true;
  const want = (readOnly ? RO : RW) | EXEC;
  return (st.mode & want) !== want || (st.mode & SETGID) === 0;
}

function walk(path: string, fn: (path: string, st: Stats) => void): void {
  const st = lstatSync(path);
  if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name), fn);
  fn(path, st);
}
