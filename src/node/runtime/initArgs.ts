// What the container init (native/init.c, native/setup.c) is given for a
// container of the linux runtime: its mounts as an fstab and its credentials,
// capabilities and no_new_privs as options.

export interface ContainerMounts {
  /** The directory where the container's root is assembled (an empty dir). */
  rootDir: string;
  /** The overlay's lower layers, top first: an image's layers, or (default) the host's /. */
  lowerDirs?: string[];
  /** Mount the container's root read-only (readOnlyRootFilesystem); volumes stay as they are. */
  readOnlyRoot?: boolean;
  /** Overlay upper and work directories (same filesystem, empty or prepared). */
  upperDir: string;
  workDir: string;
  /** Host mounts besides / that the container should see (rbind), outermost first. */
  hostMounts: string[];
  /** Bind mounts, applied in order after the host mounts. */
  binds: { source: string; target: string; readOnly: boolean }[];
}

/** A path as fstab(5) writes it: space, tab, newline and backslash octal-escaped. */
function fstabPath(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function overlayPath(p: string): string {
  return p.replace(/[,:]/g, '\\$&');
}

/**
 * The container's mounts as an fstab(5), which the init mounts in order
 * inside the container's fresh mount namespace. The root is an overlay whose lower layer is the host's / and whose upper
 * layer is the container's own directory: the container sees the host's
 * programs, and what it writes outside its volumes lands in its own layer
 * (dropped with the container, as a container's writable layer is), so mount
 * points for volumes are made without touching the host.
 */
export function containerFstab(s: ContainerMounts): string {
  const n = s.rootDir;
  const line = (src: string, target: string, type: string, opts: string) => `${fstabPath(src)} ${fstabPath(target)} ${type} ${fstabPath(opts)} 0 0`;
  return [
    line('overlay', n, 'overlay', `${s.readOnlyRoot ? 'ro,' : ''}lowerdir=${(s.lowerDirs ?? ['/']).map(overlayPath).join(':')},upperdir=${overlayPath(s.upperDir)},workdir=${overlayPath(s.workDir)}`),
    line('proc', `${n}/proc`, 'proc', 'nosuid,nodev,noexec'),
    line('/dev', `${n}/dev`, 'none', 'rbind'),
    line('shm', `${n}/dev/shm`, 'tmpfs', 'nosuid,nodev,mode=1777'),
    line('/sys', `${n}/sys`, 'none', 'rbind'),
    ...s.hostMounts.map((m) => line(m, n + m, 'none', 'rbind')),
    ...s.binds.map((b) => line(b.source, n + b.target, 'none', b.readOnly ? 'bind,ro' : 'bind')),
  ].join('\n') + '\n';
}

function groupList(u: { gid: number; groups?: number[] }): number[] {
  return u.groups?.length ? u.groups : [u.gid];
}

/** The container init's options: credentials (`-u UID -g GID -G G1,G2`), capabilities (`-c MASK`), no_new_privs (`-n`). */
export function initOptions(u: { uid: number; gid: number; groups?: number[] } | undefined, capabilities?: string, noNewPrivs?: boolean): string[] {
  return [
    ...(u ? ['-u', String(u.uid), '-g', String(u.gid), '-G', groupList(u).join(',')] : []),
    ...(capabilities !== undefined ? ['-c', capabilities] : []),
    ...(noNewPrivs ? ['-n'] : []),
  ];
}

/** The overlay lower directories of a container's fstab (containerFstab's first line), unescaped. */
export function lowerDirsOf(fstab: string): string[] {
  const options = fstab.split('\n')[0]?.split(' ')[3] ?? '';
  const unescaped = options.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const lower = /(?:^|,)lowerdir=((?:\\.|[^,\\])*)/.exec(unescaped)?.[1];
  if (!lower) return [];
  return lower.split(/(?<!\\):/).map((d) => d.replace(/\\(.)/g, '$1'));
}
