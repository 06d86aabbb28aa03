// A container's lower filesystem as the overlay will show it, read before the
// overlay is mounted (to place mount points, copy directory attributes, find
// the command, read /etc/passwd): either the host's / or an image's layers,
// looked up with overlayfs's rules (the topmost layer that has a name wins; a
// 0/0 character device is a whiteout that hides the name below; an opaque
// directory hides everything below it; a non-directory hides the lower layers).
import { lstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';

export interface LowerRoot {
  /** lstat of a container path (no symlink in its parents is followed). */
  lstat(p: string): Stats | undefined;
  readlink(p: string): string;
  readFile(p: string): Buffer;
}

export const hostRoot: LowerRoot = {
  lstat(p) {
    try {
      return lstatSync(p);
    } catch {
      return undefined;
    }
  },
  readlink: (p) => readlinkSync(p),
  readFile: (p) => readFileSync(p),
};

export interface ImageLayer {
  dir: string;
  /** Opaque directories of the layer (container paths). */
  opaque: string[];
}

export class LayeredRoot implements LowerRoot {
  private readonly opaque: Set<string>[];

  /** `layers`: top first, as overlayfs's lowerdir lists them. */
  constructor(private readonly layers: ImageLayer[]) {
    this.opaque = layers.map((l) => new Set(l.opaque.map((p) => posix.normalize('/' + p))));
  }

  /** The layer that shows `p`, and its lstat. */
  private lookup(p: string): { dir: string; st: Stats } | undefined {
    const parts = posix.normalize('/' + p).split('/').filter(Boolean);
    let candidates = this.layers.map((_, i) => i);
    for (let depth = 0; depth <= parts.length; depth++) {
      const rel = '/' + parts.slice(0, depth).join('/');
      const next: number[] = [];
      let found: { dir: string; st: Stats } | undefined;
      for (const i of candidates) {
        let st: Stats;
        try {
          st = lstatSync(join(this.layers[i].dir, rel));
        } catch {
          continue;
        }
        if (st.isCharacterDevice() && st.rdev === 0) break;
        if (!st.isDirectory()) {
          if (!found) found = { dir: this.layers[i].dir, st };
          break;
        }
        found ??= { dir: this.layers[i].dir, st };
        next.push(i);
        if (this.opaque[i].has(rel)) break;
      }
      if (!found) return undefined;
      if (depth === parts.length) return found;
      if (!found.st.isDirectory()) return undefined;
      candidates = next;
    }
    return undefined;
  }

  lstat(p: string): Stats | undefined {
    return this.lookup(p)?.st;
  }

  readlink(p: string): string {
    const f = this.lookup(p);
    if (!f) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return readlinkSync(join(f.dir, p));
  }

  readFile(p: string): Buffer {
    const f = this.lookup(p);
    if (!f) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return readFileSync(join(f.dir, p));
  }
}

/** Resolves symlinks in `p` as seen inside the container (absolute links relative to its root). */
export function resolveIn(root: LowerRoot, p: string): string {
  const parts = posix.normalize('/' + p).split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0, hops = 0; i < parts.length; i++) {
    const next = posix.join(cur, parts[i]);
    let link: string | undefined;
    if (root.lstat(next)?.isSymbolicLink()) link = root.readlink(next);
    if (link !== undefined && hops++ < 40) {
      const rest = parts.slice(i + 1);
      const target = link.startsWith('/') ? link : posix.join(cur, link);
      parts.splice(0, parts.length, ...target.split('/').filter(Boolean), ...rest);
      cur = '/';
      i = -1;
      continue;
    }
    cur = next;
  }
  return cur;
}

/** stat of a container path, following symlinks. */
export function statIn(root: LowerRoot, p: string): Stats | undefined {
  return root.lstat(resolveIn(root, p));
}

/** execvp's search for `name`, inside the container: the path found, or undefined. */
export function findExecutable(root: LowerRoot, name: string, path: string, cwd: string): string | undefined {
  const ok = (p: string) => {
    const st = statIn(root, p);
    return !!st && st.isFile() && (st.mode & 0o111) !== 0;
  };
  if (name.includes('/')) {
    const p = name.startsWith('/') ? name : posix.join(cwd, name);
    return ok(p) ? p : undefined;
  }
  for (const d of path.split(':')) if (d && ok(posix.join(d, name))) return posix.join(d, name);
  return undefined;
}

/**
 * uid:gid for an image's USER (user[:group], names or numbers), as runc
 * resolves it from the container's /etc/passwd and /etc/group. A numeric user
 * missing from passwd is fine (gid 0 then); a name that is missing is an error.
 */
export function resolveUser(root: LowerRoot, spec: string): { uid: number; gid: number } {
  const [user, group] = spec.split(':', 2);
  const passwd = etcTable(root, '/etc/passwd');
  let uid: number;
  let gid = 0;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    const e = passwd.find((f) => f[2] === user);
    if (e && /^\d+$/.test(e[3] ?? '')) gid = Number(e[3]);
  } else {
    const e = passwd.find((f) => f[0] === user);
    if (!e) throw new Error(`unable to find user ${user}: no matching entries in passwd file`);
    uid = Number(e[2]);
    gid = Number(e[3]);
  }
  if (group !== undefined && group !== '') {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const e = etcTable(root, '/etc/group').find((f) => f[0] === group);
      if (!e) throw new Error(`unable to find group ${group}: no matching entries in group file`);
      gid = Number(e[2]);
    }
  }
  return { uid, gid };
}

/** The lines of /etc/passwd or /etc/group in a container's root, split into fields. */
function etcTable(root: LowerRoot, file: string): string[][] {
  try {
    return root.readFile(resolveIn(root, file)).toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** The credentials a container's processes run with. */
export interface Credentials {
  uid: number;
  gid: number;
  /** Supplementary groups, the primary group among them. */
  groups: number[];
}

/**
 * A container's credentials as containerd and runc set them for Kubernetes:
 * runAsUser, else the image's USER, else root; the primary group is
 * runAsGroup, else the USER's group, else the user's group in the
 * container's /etc/passwd, else 0; the supplementary groups are the primary
 * one, the user's memberships in the container's /etc/group, and the pod's
 * fsGroup and supplementalGroups.
 */
export function resolveCredentials(
  root: LowerRoot,
  imageUser: string | undefined,
  id: { runAsUser?: number; runAsGroup?: number; supplementalGroups: number[] },
): Credentials {
  const passwd = etcTable(root, '/etc/passwd');
  let uid = 0;
  let gid = 0;
  if (id.runAsUser !== undefined) {
    uid = id.runAsUser;
    const e = passwd.find((f) => f[2] === String(uid));
    if (e && /^\d+$/.test(e[3] ?? '')) gid = Number(e[3]);
  } else if (imageUser) {
    ({ uid, gid } = resolveUser(root, imageUser));
  }
  if (id.runAsGroup !== undefined) gid = id.runAsGroup;
  const name = passwd.find((f) => f[2] === String(uid))?.[0];
  const member = name ? etcTable(root, '/etc/group').filter((f) => (f[3] ?? '').split(',').includes(name) && /^\d+$/.test(f[2] ?? '')).map((f) => Number(f[2])) : [];
  return { uid, gid, groups: [...new Set([gid, ...member, ...id.supplementalGroups])] };
}
