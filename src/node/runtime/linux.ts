// The `linux` runtime (root on Linux): the process runtime plus a mount, UTS,
// IPC and PID namespace per container. The container init
// (native/init.c and native/setup.c, a small C program built with the DNS
// addon) makes the namespaces and mounts, becomes PID 1 of the container,
// and runs the command; `nsenter` enters a running container for kubectl
// exec, probes and hooks, with the init's exec mode inside.
//
// Why our own init and not runc or bubblewrap: runc needs an OCI bundle and
// is not on a plain Debian system; bubblewrap 0.8 (Debian 12) has no overlay
// support; util-linux's unshare plus a setup script did the job before, but
// every container then cost three more programs started (unshare, sh,
// mount), which is most of a container's start time on a small machine, and
// the script needed a /bin/sh inside the image.
//
// The container's root is an overlay: lower = the host's / (or, for an image
// in the node's image store, the image's layers), upper = the container
// instance's own directory. So the container sees the host's
// programs, its volumes at their mountPath, a generated /etc/hosts (with the
// pod's FQDN), /etc/resolv.conf (cluster DNS) and /etc/hostname, and its
// writes outside volumes stay in its own layer, dropped when the instance is
// removed, as a container's writable layer is. Networking stays the host's
// (the pod IP is a loopback address, as in the process runtime).
//
// Inside, PID 1 is the init: it changes root, takes the container's
// credentials and capabilities, starts the command, forwards signals, reaps
// orphans and records the exit status, all without anything from the image.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, hostRoot, LayeredRoot, resolveCredentials, resolveIn, type Credentials, type LowerRoot } from '../imagestore/rootfs.js';
import { hasIdentity } from '../security.js';
import { containerFstab, initOptions, lowerDirsOf, type ContainerMounts } from './initArgs.js';
import {
  DEFAULT_PATH, adoptInstance, killGroup, killPid, liveInstance, podInstanceDirs, prepareInstance, removeInstance, resolveExecutable, spawnShim,
} from './base.js';
import { ContainerStartError, hostPathIn } from './process.js';
import { isSameProcess, readCredentials, readStat } from './procfs.js';
import type { ContainerHandle, ContainerLaunch, ExecOptions, Runtime } from './types.js';

/** The container init (native/init.c); src/node/runtime/ and dist/node/runtime/ are both three levels below the package root. */
const INIT = fileURLToPath(new URL('../../../build/Release/ordinal_init', import.meta.url));

/**
 * The image layer directories running containers of a data dir sit on (the
 * lower layers of their overlay root), so that removing an image never pulls
 * the ground from under one.
 */
export function imageLayersInUse(dataDir: string): Set<string> {
  const out = new Set<string>();
  const pods = join(dataDir, 'pods');
  for (const uid of existsSync(pods) ? readdirSync(pods) : []) {
    for (const { dir } of podInstanceDirs(join(pods, uid))) {
      if (!liveInstance('linux', dir)) continue;
      try {
        for (const d of lowerDirsOf(readFileSync(join(dir, 'ctl', 'fstab'), 'utf8'))) out.add(d);
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/** Whether this process can use the linux runtime (root on Linux, nsenter, the built init). */
export function linuxRuntimeAvailable(): { ok: boolean; why?: string } {
  if (process.platform !== 'linux') return { ok: false, why: `the linux runtime needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, why: 'the linux runtime needs root (namespaces and mounts)' };
  if (!resolveExecutable('nsenter', DEFAULT_PATH, '/')) return { ok: false, why: 'the linux runtime needs nsenter (util-linux)' };
  if (!existsSync(INIT)) return { ok: false, why: `the linux runtime needs its container init, ${INIT} (npm run build builds it)` };
  return { ok: true };
}

/** Outermost host mount points besides /, /proc, /dev and /sys (which the container gets its own way). */
export function hostMountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const points = mountinfo.split('\n').filter(Boolean).map((l) => unescapeMount(l.split(' ')[4]));
  const skip = (p: string) => p === '/' || ['/proc', '/dev', '/sys'].some((s) => p === s || p.startsWith(s + '/'));
  const candidates = [...new Set(points.filter((p) => !skip(p)))].sort();
  return candidates.filter((p) => !candidates.some((q) => q !== p && p.startsWith(q + '/')));
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export class LinuxRuntime implements Runtime {
  readonly name = 'linux' as const;
  private readonly hostMounts: string[];
  /** Named absolutely: the launch's PATH may be an image's. */
  private readonly nsenter: string;

  constructor() {
    this.hostMounts = hostMountPoints();
    this.nsenter = resolveExecutable('nsenter', DEFAULT_PATH, '/') ?? '/usr/bin/nsenter';
  }

  async start(l: ContainerLaunch): Promise<ContainerHandle> {
    const env = { PATH: DEFAULT_PATH, ...l.env };
    const cwd = l.workingDir || '/';
    const cmd = l.argv[0];
    const lower: LowerRoot = l.rootfs ? new LayeredRoot(l.rootfs.layers) : hostRoot;
    const hostCmd = cmd.startsWith('/') ? (hostPathIn(l.mounts, cmd) ?? cmd) : cmd;
    const found = l.rootfs && hostCmd === cmd ? findExecutable(lower, cmd, env.PATH, cwd) : resolveExecutable(hostCmd, env.PATH, hostPathIn(l.mounts, cwd) ?? cwd);
    if (!found) {
      throw new ContainerStartError('StartError', `exec: "${cmd}": executable file not found in $PATH`);
    }
    // Root with the node agent's groups unless the image or the securityContext say otherwise.
    let user: Credentials | undefined;
    const identity = l.identity ?? { supplementalGroups: [] };
    if (hasIdentity(identity, l.rootfs?.user)) {
      try {
        user = resolveCredentials(lower, l.rootfs?.user, identity);
      } catch (e) {
        throw new ContainerStartError('StartError', (e as Error).message);
      }
    }
    const dir = await prepareInstance(l);
    const upper = join(dir, 'upper');
    const root = join(dir, 'root');
    mkdirSync(upper);
    mkdirSync(join(dir, 'work'));
    mkdirSync(root);
    const layer = new UpperLayer(upper, lower);
    // An image may lack the directories the container's own /proc, /dev and /sys are mounted on.
    if (l.rootfs) for (const d of ['/proc', '/dev', '/sys']) layer.ensureMountPoint(d, true);
    layer.writeFile('/etc/hosts', l.etc.hosts);
    layer.writeFile('/etc/resolv.conf', l.etc.resolvConf);
    layer.writeFile('/etc/hostname', l.etc.hostname);
    const ctl = join(dir, 'ctl');
    const binds: ContainerMounts['binds'] = [];
    // Outer mounts first; a mount point inside another volume is made in that volume, as the kubelet does.
    const mounts = [...l.mounts].sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
    for (const m of mounts) {
      const target = layer.resolve(m.containerPath);
      const isDir = statSync(m.hostPath).isDirectory();
      const inVolume = hostPathIn(mounts.filter((o) => o !== m && depth(o.containerPath) < depth(m.containerPath)), m.containerPath);
      if (inVolume) {
        if (!existsSync(inVolume)) {
          if (isDir) mkdirSync(inVolume, { recursive: true });
          else writeFileSync(inVolume, '', { flag: 'a' });
        }
      } else layer.ensureMountPoint(target, isDir);
      binds.push({ source: m.hostPath, target, readOnly: m.readOnly });
    }
    if (!hostPathIn(l.mounts, cwd)) layer.ensureMountPoint(layer.resolve(cwd), true);
    const setup = {
      rootDir: root, upperDir: upper, workDir: join(dir, 'work'), binds, readOnlyRoot: identity.readOnlyRoot,
      // An image's filesystem is the container's whole world: no host mounts in it.
      lowerDirs: l.rootfs?.layers.map((x) => x.dir), hostMounts: l.rootfs ? [] : this.hostMounts,
    };
    const fstab = join(ctl, 'fstab');
    writeFileSync(fstab, containerFstab(setup));
    const pidFile = join(ctl, 'init.pid');
    const h = spawnShim('linux', l, dir, {
      command: INIT,
      args: ['start', fstab, l.hostname, pidFile, ...initOptions(user, identity.capabilities, identity.noNewPrivs), root, join(ctl, 'exit'), cwd, ...l.argv],
      env,
      cwd: '/',
    });
    await this.waitForSetup(h);
    return h;
  }

  /**
   * The container has started once its setup recorded the PID of its init
   * (all mounts and the hostname in place). A setup that fails ends the
   * process first; its error output becomes the start error.
   */
  private async waitForSetup(h: ContainerHandle): Promise<void> {
    let errText = '';
    const onErr = (b: Buffer) => {
      if (errText.length < 4096) errText += b.toString('utf8');
    };
    const pidFile = join(h.dir, 'ctl', 'init.pid');
    for (let i = 0; ; i++) {
      if (existsSync(pidFile) && this.initPid(h) !== undefined) return;
      if (h.exit) break;
      await new Promise((r) => setTimeout(r, i < 100 ? 2 : 20));
    }
    // Nothing read the error pipe so far (the log must get all of a started container's output).
    h.stderr.on('data', onErr);
    await new Promise((r) => setTimeout(r, 50));
    h.stderr.removeListener('data', onErr);
    this.kill(h);
    throw new ContainerStartError('StartError', `failed to set up the container's namespaces: ${errText.trim() || `exit code ${h.exit?.exitCode}`}`);
  }

  adopt(dir: string): ContainerHandle | undefined {
    return adoptInstance('linux', dir);
  }

  /** The host pid of the container's PID 1 (the init inside the namespaces), once it has recorded it. */
  initPid(h: ContainerHandle): number | undefined {
    try {
      const pid = Number(readFileSync(join(h.dir, 'ctl', 'init.pid'), 'utf8').trim());
      const st = readStat(pid);
      return st && st.ppid === h.pid ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  signal(h: ContainerHandle, sig: NodeJS.Signals): void {
    const pid = this.initPid(h);
    if (pid !== undefined) killPid(pid, sig);
  }

  kill(h: ContainerHandle): void {
    // unshare, the namespace's PID 1 and the command share the shim's process
    // group; PID 1 dying takes every other process of the namespace with it.
    killGroup(h.pid, 'SIGKILL');
  }

  exec(h: ContainerHandle, argv: string[], o: ExecOptions): ChildProcess {
    const pid = this.initPid(h);
    if (pid === undefined || !isSameProcess(h.pid, h.startTime)) throw new Error('container is not running');
    // A command run in the container takes the credentials, capabilities and
    // no_new_privs of its PID 1, as runc exec gives it the process spec's:
    // the init's exec mode, entered into the container's namespaces, changes
    // to its root (in its mount namespace, the host's / is the namespace root).
    const cred = readCredentials(pid);
    if (!cred) throw new Error('container is not running');
    const root = cred.uid === 0 && cred.gid === 0;
    const args = [
      '--target', String(pid), '--mount', '--uts', '--ipc', '--pid', '--',
      INIT, 'exec', ...initOptions(root ? undefined : cred, cred.capabilities, cred.noNewPrivs), join(h.dir, 'root'), h.launch.workingDir || '/', ...argv,
    ];
    // nsenter is the host's: the environment given here is the container's, whose PATH may not lead to it.
    return spawn(this.nsenter, args, {
      env: { PATH: DEFAULT_PATH, ...o.env },
      detached: true,
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  }

  /** Whether argv[0] resolves inside the running container. */
  canExec(h: ContainerHandle, argv0: string, env: Record<string, string>): boolean {
    const pid = this.initPid(h);
    if (pid === undefined) return false;
    return !!resolveExecutable(argv0, env.PATH ?? DEFAULT_PATH, h.launch.workingDir || '/', `/proc/${pid}/root`);
  }

  killExec(p: ChildProcess): void {
    // nsenter forks into the PID namespace and does not forward signals; both share a process group.
    if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) killGroup(p.pid, 'SIGKILL');
  }

  remove(h: ContainerHandle): Promise<void> {
    return removeInstance(h);
  }
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/**
 * The container's upper layer, prepared before the overlay is mounted:
 * directories created here copy the mode and owner of the lower directory
 * they shadow (an upper directory's attributes are what the container sees),
 * and paths resolve through the lower layer's symlinks as the container would
 * (absolute links relative to the container's root). The lower layer is the
 * host's / or an image's layers.
 */
export class UpperLayer {
  constructor(private readonly upper: string, private readonly lower: LowerRoot = hostRoot) {}

  /** Resolves symlinks in `p` as seen from inside the container. */
  resolve(p: string): string {
    return resolveIn(this.lower, p);
  }

  /** Makes `p` exist in the merged view (in the upper layer when the lower lacks it). */
  ensureMountPoint(p: string, directory: boolean): void {
    if (this.lower.lstat(p) || existsSync(join(this.upper, p))) return;
    this.mkdirs(dirname(p));
    if (directory) mkdirSync(join(this.upper, p), { recursive: true });
    else if (!existsSync(join(this.upper, p))) writeFileSync(join(this.upper, p), '');
  }

  writeFile(p: string, content: string): void {
    this.mkdirs(dirname(p));
    writeFileSync(join(this.upper, p), content, { mode: 0o644 });
  }

  private mkdirs(p: string): void {
    const parts = p.split('/').filter(Boolean);
    let cur = '';
    for (const part of parts) {
      cur += '/' + part;
      const at = join(this.upper, cur);
      if (existsSync(at)) continue;
      mkdirSync(at);
      const st = this.lower.lstat(cur);
      if (st?.isDirectory()) {
        chmodSync(at, st.mode & 0o7777);
        chownSync(at, st.uid, st.gid);
      } else chmodSync(at, 0o755);
    }
  }
}
