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
