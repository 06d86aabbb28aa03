// The `process` runtime: a container is a process tree on the host, with no
// namespaces, so it works without root and anywhere Node runs a POSIX shell.
// What a container gets:
//  - its pod's IP (a loopback address) as POD_IP and the pod's hostname as
//    HOSTNAME in its environment (the hostname itself is the host's);
//  - a directory of its own, <pod>/rootfs/<container>, as its working
//    directory unless workingDir says otherwise; its volume mounts appear
//    inside that directory as symlinks at their mountPath (for example
//    rootfs/web/usr/share/nginx/html -> the claim's directory), because
//    without a mount namespace the real mountPath can't differ per pod.
//    A workingDir inside a volume mount resolves to the volume's directory.
//    readOnly can't be enforced here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, existsSync, lstatSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SHIM_BODY } from './shim.js';
import {
  DEFAULT_PATH, adoptInstance, killGroup, killPid, prepareInstance, removeInstance, resolveExecutable, spawnShim,
} from './base.js';
import type { ContainerHandle, ContainerLaunch, ExecOptions, Runtime, VolumeMount } from './types.js';

export class ContainerStartError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The host path of a container path: inside a volume mount it is the volume's, else the path itself. */
export function hostPathIn(mounts: VolumeMount[], containerPath: string): string | undefined {
  let best: VolumeMount | undefined;
  for (const m of mounts) {
    const p = m.containerPath.replace(/\/+$/, '');
    if ((containerPath === p || containerPath.startsWith(p + '/')) && (!best || p.length > best.containerPath.length)) best = m;
  }
  if (!best) return undefined;
  return best.hostPath + containerPath.slice(best.containerPath.replace(/\/+$/, '').length);
}

export function containerRoot(podDir: string, container: string): string {
  return join(podDir, 'rootfs', container);
}

export class ProcessRuntime implements Runtime {
  readonly name = 'process' as const;

  async start(l: ContainerLaunch): Promise<ContainerHandle> {
    const root = containerRoot(l.podDir, l.containerName);
    mkdirSync(root, { recursive: true });
    for (const m of l.mounts) linkMount(root, m);
    const cwd = this.workingDir(l, root);
    const env = { PATH: DEFAULT_PATH, ...l.env };
    if (!resolveExecutable(l.argv[0], env.PATH, cwd)) {
      throw new ContainerStartError('StartError', `exec: "${l.argv[0]}": executable file not found in $PATH`);
    }
    const dir = await prepareInstance(l);
    return spawnShim('process', l, dir, {
      command: '/bin/sh',
      args: ['-c', SHIM_BODY, 'ordinal-shim', join(dir, 'ctl', 'exit'), cwd, ...l.argv],
      env,
      cwd,
    });
  }

  private workingDir(l: ContainerLaunch, root: string): string {
    if (!l.workingDir) return root;
    const viaMount = hostPathIn(l.mounts, l.workingDir);
    if (viaMount) return viaMount;
    if (existsSync(l.workingDir)) return l.workingDir;
    const inRoot = join(root, l.workingDir);
    mkdirSync(inRoot, { recursive: true });
    return inRoot;
  }

  adopt(dir: string): ContainerHandle | undefined {
    return adoptInstance('process', dir);
  }

  signal(h: ContainerHandle, sig: NodeJS.Signals): void {
    killPid(h.pid, sig);
  }

  kill(h: ContainerHandle): void {
    killGroup(h.pid, 'SIGKILL');
  }

  exec(h: ContainerHandle, argv: string[], o: ExecOptions): ChildProcess {
    const root = join(dirname(dirname(dirname(h.dir))), 'rootfs', h.launch.containerName);
    let cwd = root;
    if (h.launch.workingDir) cwd = hostPathIn(h.launch.mounts, h.launch.workingDir) ?? (existsSync(h.launch.workingDir) ? h.launch.workingDir : join(root, h.launch.workingDir));
    return spawn(argv[0], argv.slice(1), {
      cwd: existsSync(cwd) ? cwd : '/',
      env: { PATH: DEFAULT_PATH, ...o.env },
      detached: true,
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  }

  killExec(p: ChildProcess): void {
    if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) killGroup(p.pid, 'SIGKILL');
  }

  remove(h: ContainerHandle): Promise<void> {
    return removeInstance(h);
  }
}

function linkMount(root: string, m: VolumeMount): void {
  const at = join(root, m.containerPath);
  mkdirSync(dirname(at), { recursive: true });
  try {
    const st = lstatSync(at);
    if (st.isSymbolicLink()) unlinkSync(at);
    else return; // a real directory there (an earlier workingDir): leave it
  } catch {
    // nothing there yet
  }
  symlinkSync(m.hostPath, at);
}
