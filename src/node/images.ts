// What a container runs. With the linux runtime, an image in the node's image
// store (imagestore/, `ordinal image load`) is the container's filesystem and
// its config gives the defaults (imageEntrypoint below). Any other image: the
// container runs on the host's filesystem, so it must name its `command`. One
// exception, kept deliberately narrow: busybox images. Their whole content is
// the busybox binary with its applets linked under /bin, and Debian's
// busybox-static package is that same binary (a different version), so
// `kubectl run --image=busybox:1.28.4 dns-test -- nslookup web-0.nginx` can
// run faithfully: the image's default command is `sh`, args name an applet
// (by name or as /bin/<applet>), and we run `<host busybox> <applet> args...`.
// Anything else without a command is refused with a waiting reason and an
// event that says why, never run as something it is not.
import type { Container } from 'kubernetes-types/core/v1.js';
import { fileURLToPath } from 'node:url';
import { resolveExecutable, DEFAULT_PATH } from './runtime/base.js';
import type { ImageConfigFile } from './imagestore/store.js';

export class NoCommandError extends Error {
  readonly reason = 'CreateContainerError';
}

/** busybox, busybox:1.28.4, docker.io/library/busybox@sha256:..., but not busybox-like names. */
export function isBusyboxImage(image: string | undefined): boolean {
  if (!image) return false;
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return /^((docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(library\/)?busybox$/.test(name);
}

let busyboxPath: string | null | undefined;
export function hostBusybox(): string | undefined {
  if (busyboxPath === undefined) busyboxPath = resolveExecutable('busybox', DEFAULT_PATH, '/') ?? null;
  return busyboxPath ?? undefined;
}

/**
 * Applets whose behaviour changed between the image's busybox version and the
 * host's, run from our own faithful copy: nslookup up to 1.28 resolved through
 * the C library (search list, ndots), 1.29+ does not (see applets/nslookup.ts).
 */
function appletOfVersion(image: string, applet: string): string[] | undefined {
  if (applet !== 'nslookup') return undefined;
  const tag = image.replace(/@.*$/, '').match(/:(\d+)\.(\d+)/);
  if (!tag || Number(tag[1]) > 1 || (Number(tag[1]) === 1 && Number(tag[2]) > 28)) return undefined;
  const here = import.meta.url;
  if (here.endsWith('.js')) return [process.execPath, fileURLToPath(new URL('./applets/nslookup.js', here))];
  // Running from sources (tests, development): through tsx, named absolutely.
  return [process.execPath, '--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./applets/nslookup.ts', here))];
}

/**
 * command + args for the runtime (before $(VAR) expansion), or NoCommandError.
 * `busybox` is the host's busybox binary (injectable for tests).
 */
export function entrypoint(c: Container, busybox: string | null | undefined = hostBusybox()): { command: string[]; args: string[] } {
  if (c.command?.length) return { command: c.command, args: c.args ?? [] };
  if (isBusyboxImage(c.image)) {
    if (!busybox) {
      throw new NoCommandError(`image "${c.image}" runs on this host's busybox, which is missing: install busybox-static, or set command`);
    }
    const args = c.args?.length ? c.args : ['sh'];
    const applet = args[0].replace(/^\/(usr\/)?s?bin\//, '');
    if (applet.includes('/')) throw new NoCommandError(`image "${c.image}": "${args[0]}" is not a busybox applet; set command to run it`);
    const replacement = appletOfVersion(c.image!, applet);
    if (replacement) return { command: replacement, args: args.slice(1) };
    return { command: [busybox, applet], args: args.slice(1) };
  }
  throw new NoCommandError(
    `no command specified: image "${c.image ?? ''}" is not in this node's image store (see \`ordinal image load\`), so container "${c.name}" runs on this host's filesystem and must set command`,
  );
}

/**
 * command + args against an image's config, as the container runtime
 * computes them (containerd's CRI, after moby's daemon/commit.go):
 * `command` replaces the image's Entrypoint and drops its Cmd; `args` alone
 * replaces Cmd; neither: Entrypoint + Cmd. $(VAR) references are expanded by
 * the caller in the pod's command and args only, never in the image's.
 */
export function imageEntrypoint(c: Container, image: ImageConfigFile): { command: string[]; args: string[]; fromImage: { command: boolean; args: boolean } } {
  const cfg = image.config ?? {};
  const fromImage = { command: false, args: false };
  let command = c.command ?? [];
  let args = c.args ?? [];
  if (!command.length) {
    if (!args.length) {
      args = cfg.Cmd ?? [];
      fromImage.args = true;
    }
    const ep = cfg.Entrypoint ?? [];
    if (!(ep.length === 1 && ep[0] === '')) command = ep;
    fromImage.command = true;
  }
  if (!command.length && !args.length) throw new NoCommandError('no command specified');
  return { command, args, fromImage };
}

/** The image's Env first; the container's own variables override it (by name). */
export function imageEnv(image: ImageConfigFile, containerEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of image.config?.Env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { ...env, ...containerEnv };
}

/** The container's workingDir, else the image's WorkingDir, else /. */
export function imageWorkingDir(c: Container, image: ImageConfigFile): string {
  return c.workingDir || image.config?.WorkingDir || '/';
}

/** The kubelet image manager's message (reason ErrImageNeverPull) for pull policy Never without the image. */
export function neverPullMessage(image: string): string {
  return `Container image "${image}" is not present with pull policy of Never`;
}
