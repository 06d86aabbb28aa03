// The container shim: a few lines of POSIX sh that stand between the node agent
// and a container's command, as containerd's shim does for a real runtime. It
//  - runs the command as its child, so the command is never PID 1 of a PID
//    namespace (PID 1 ignores SIGTERM without a handler, and graceful
//    deletion would always wait out the whole grace period);
//  - forwards TERM, INT, HUP, QUIT, USR1 and USR2 to the command;
//  - writes the command's exit status to a file when it ends (128 + signal
//    when a signal ended it, as container runtimes report), so the status is
//    known even when the node agent was not the shim's parent (after a
//    restart of ordinal the shim lives on and is re-adopted);
//  - keeps stdin for the command (`exec 3<&0`): a non-interactive shell
//    would otherwise give a background job /dev/null as stdin.
// A non-interactive shell starts background jobs with SIGINT and SIGQUIT
// ignored (POSIX); the command therefore ignores those two, which the node
// agent never sends (it uses TERM, then KILL).

import { DEFAULT_PATH } from './base.js';

/** sh-quotes one word. */
export function shQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The body that runs the command. Positional parameters: $1 the exit-status
 * file, $2 the working directory, the rest the command's argv.
 */
export const SHIM_BODY = [
  'e=$1; w=$2; shift 2',
  'cd "$w" || exit 128',
  'exec 3<&0',
  't=',
  'c=',
  "trap 't=TERM; [ -n \"$c\" ] && kill -TERM $c 2>/dev/null' TERM",
  ...['INT', 'HUP', 'QUIT', 'USR1', 'USR2'].map((s) => `trap '[ -n "$c" ] && kill -${s} $c 2>/dev/null' ${s}`),
  '"$@" <&3 3<&- &',
  'c=$!',
  'exec 3<&-',
  '[ -n "$t" ] && kill -TERM $c 2>/dev/null',
  'while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done',
  'echo $s > "$e"',
  'exit $s',
].join('\n');

export interface NamespaceSetup {
  /** The directory where the container's root is assembled (an empty dir). */
  rootDir: string;
  /** The overlay's lower layers, top first: an image's layers, or (default) the host's /. */
  lowerDirs?: string[];
  /** Run the shim and command as uid:gid with these supplementary groups; root by default. */
  user?: { uid: number; gid: number; groups?: number[] };
  /**
   * The container init (native/init.c, built with the addon): the command's
   * parent inside the container, needing nothing in its filesystem. Without
   * it, the shim body above runs under the container's own /bin/sh.
   */
  init?: string;
  /** Capabilities (hex mask; undefined: all) and no_new_privs, applied by the init. */
  capabilities?: string;
  noNewPrivs?: boolean;
  /** Mount the container's root read-only (readOnlyRootFilesystem); volumes stay as they are. */
  readOnlyRoot?: boolean;
  /** Overlay upper and work directories (same filesystem, empty or prepared). */
  upperDir: string;
  workDir: string;
  hostname: string;
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
 * The container's mounts as an fstab, mounted in order by one `mount --all`
 * (one process instead of one per mount: each exec of mount costs ~2 ms).
 * The root is an overlay whose lower layer is the host's / and whose upper
 * layer is the container's own directory: the container sees the host's
 * programs, and what it writes outside its volumes lands in its own layer
 * (dropped with the container, as a container's writable layer is), so mount
 * points for volumes are made without touching the host.
 */
export function containerFstab(s: NamespaceSetup): string {
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

/**
 * The setup that runs first inside fresh mount, UTS, IPC and PID namespaces
 * (util-linux `unshare --fork`), as PID 1 of the PID namespace: it mounts the
 * container's fstab, sets the hostname, and execs chroot + the shim body.
 * Once everything is in place, the host PID of this shell is recorded (read
 * through the host's /proc, still mounted at /proc here) for signalling and
 * for nsenter (kubectl exec); its appearance is what tells the node agent that
 * the container has started.
 */
export function namespaceScript(s: NamespaceSetup, fstabFile: string, pidFile: string): string {
  const q = shQuote;
  return [
    // mount and chroot are the host's, found on the node's PATH; the command gets the container's.
    `o=$PATH; PATH=${q(DEFAULT_PATH)}; r=$(command -v chroot)`,
    'set -e',
    `mount --all --fstab ${q(fstabFile)}`,
    `echo ${q(s.hostname)} > /proc/sys/kernel/hostname`,
    `read -r p _ < /proc/self/stat; echo $p > ${q(pidFile)}`,
    'set +e',
    'PATH=$o',
    s.init
      ? `exec ${q(s.init)} run ${initOptions(s.user, s.capabilities, s.noNewPrivs).map(q).join(' ')} ${q(s.rootDir)} "$@"`
      : `exec "$r" ${s.user ? `--userspec=${s.user.uid}:${s.user.gid} --groups=${groupList(s.user).join(',')} ` : ''}${q(s.rootDir)} /bin/sh -c ${q(SHIM_BODY)} ordinal-shim "$@"`,
  ].join('\n');
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
