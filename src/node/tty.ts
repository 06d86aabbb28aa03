// A terminal for containers and exec sessions that ask for one (tty: true,
// kubectl -t): the command runs under util-linux `script`, which gives it a
// pseudo-terminal and relays our pipes to it, so shells prompt and the pty
// echoes what the user types, as with a real container runtime's TTY.
// Limits: the window size stays the pty's default (resize messages on
// channel 4 are not applied), and stderr is merged into stdout (as with
// any TTY).
import { shQuote } from './runtime/shim.js';

/** argv run under a pseudo-terminal; `script -e` exits with the command's status. */
export function underTerminal(argv: string[]): string[] {
  return ['script', '-qfec', argv.map(shQuote).join(' '), '/dev/null'];
}

/** The environment a TTY session gets (TERM as container runtimes set it). */
export function terminalEnv(env: Record<string, string>): Record<string, string> {
  return { TERM: 'xterm', ...env };
}
