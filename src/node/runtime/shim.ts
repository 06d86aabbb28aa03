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
  /** Overlay upper and work directories (same filesystem, empty or prepared). */
  upperDir: string;
  workDir: string;
  hostname: string;
  /** Host mounts besides / that the container should see (rbind), outermost first. */
  hostMounts: string[];
  /** Bind mounts, applied in order after the host mounts. */
  binds: { source: string; target: string; readOnly: boolean }[];
}

/**
 * The setup that runs first inside fresh mount, UTS, IPC and PID namespaces
 * (util-linux `unshare --fork`), as PID 1 of the PID namespace, before it
 * execs chroot + the shim body. The container's root is an overlay whose lower
 * layer is the host's / and whose upper layer is the container's own
 * directory: the container sees the host's files, and what it writes outside
 * its volumes lands in its own layer (discarded with the container, as a
 * container's writable layer is), so mount points for volumes can be created
 * without touching the host. Once everything is in place, the host PID of
 * this shell is recorded (read through the host's /proc, still mounted at
 * /proc here) for signalling and for nsenter (kubectl exec); its appearance
 * is what tells the node agent that the container has started.
 */
export function namespaceScript(s: NamespaceSetup, pidFile: string): string {
  const q = shQuote;
  const n = s.rootDir;
  const lines = [
    'set -e',
    `mount -t overlay overlay -o ${q(`lowerdir=/,upperdir=${s.upperDir},workdir=${s.workDir}`)} ${q(n)}`,
    `mount -t proc proc ${q(n + '/proc')}`,
    `mount --rbind /dev ${q(n + '/dev')}`,
    `mount -t tmpfs -o nosuid,nodev,mode=1777 shm ${q(n + '/dev/shm')}`,
    `mount --rbind /sys ${q(n + '/sys')}`,
    ...s.hostMounts.map((m) => `mount --rbind ${q(m)} ${q(n + m)}`),
    ...s.binds.map((b) => `mount --bind${b.readOnly ? ' -o ro' : ''} ${q(b.source)} ${q(n + b.target)}`),
    `echo ${q(s.hostname)} > /proc/sys/kernel/hostname`,
    `read -r p _ < /proc/self/stat; echo $p > ${q(pidFile)}`,
    'set +e',
    `exec chroot ${q(n)} /bin/sh -c ${q(SHIM_BODY)} ordinal-shim "$@"`,
  ];
  return lines.join('\n');
}
