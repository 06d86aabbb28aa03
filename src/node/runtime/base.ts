// What both runtimes share: the instance directory, the output FIFOs, the
// identity record, spawning a detached shim, re-adoption and exit detection.
//
// Output goes through named pipes in the instance directory that the
// container holds open read-write: the pipe never loses its last reader, so
// the command gets no SIGPIPE while ordinal is down; it only blocks once the
// pipe's buffer (64 KiB) is full, and the node agent drains it again after a
// restart. The node agent reads the pipes and writes the container's log.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { constants as osConstants } from 'node:os';
import { isSameProcess, readStat } from './procfs.js';
import type { ContainerExit, ContainerHandle, ContainerLaunch, RuntimeName } from './types.js';

const execFileP = promisify(execFile);

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How often a re-adopted process (not our child) is checked for having ended. */
const ADOPTED_POLL_MS = 250;

export function instanceDir(podDir: string, container: string, attempt: number): string {
  return join(podDir, 'containers', container, String(attempt));
}

/** Every instance directory of a pod: each start of each of its containers. */
export function podInstanceDirs(podDir: string): { container: string; dir: string }[] {
  const out: { container: string; dir: string }[] = [];
  const containers = join(podDir, 'containers');
  for (const container of readdirQuietly(containers)) {
    for (const attempt of readdirQuietly(join(containers, container))) out.push({ container, dir: join(containers, container, attempt) });
  }
  return out;
}

function readdirQuietly(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface IdentityRecord {
  runtime: RuntimeName;
  pid: number;
  startTime: number;
  startedAt: string;
  launch: ContainerHandle['launch'];
}

export function signalNumber(sig: string | null | undefined): number {
  if (!sig) return 0;
  return (osConstants.signals as Record<string, number>)[sig] ?? 0;
}

class Handle implements ContainerHandle {
  exit?: ContainerExit;
  readonly exited: Promise<ContainerExit>;
  private resolveExit!: (e: ContainerExit) => void;

  constructor(
    readonly launch: ContainerHandle['launch'],
    readonly dir: string,
    readonly pid: number,
    readonly startTime: number,
    readonly startedAt: Date,
    readonly stdout: Readable,
    readonly stderr: Readable,
    readonly stdin?: Writable,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  /** Records the end once: the status the shim wrote wins over what the parent saw. */
  finish(fallback: { code: number | null; signal: string | null } | undefined): void {
    if (this.exit) return;
    let exitCode: number | undefined;
    try {
      const t = readFileSync(join(this.dir, 'ctl', 'exit'), 'utf8').trim();
      if (/^\d+$/.test(t)) exitCode = Number(t);
    } catch {
      // no status: the shim itself was killed
    }
    let signal: string | undefined;
    if (exitCode === undefined) {
      if (fallback?.code !== null && fallback?.code !== undefined) exitCode = fallback.code;
      else if (fallback?.signal) {
        signal = fallback.signal;
        exitCode = 128 + signalNumber(fallback.signal);
      } else exitCode = 137;
    } else if (exitCode > 128) {
      const name = Object.entries(osConstants.signals).find(([, n]) => n === exitCode! - 128)?.[0];
      if (name) signal = name;
    }
    this.exit = { exitCode, signal, finishedAt: new Date() };
    // A container ends with its main process: whatever it left running in its
    // process group (a `sh -c '...; sleep 3600'` killed by TERM leaves its
    // sleep behind) is killed, as a runtime tears down a container's cgroup.
    killGroup(this.pid, 'SIGKILL');
    this.resolveExit(this.exit);
  }
}

function openReader(path: string): Readable {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: false });
}

export interface SpawnPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Named pipes made ahead of time: Node has no mkfifo(2), and running mkfifo(1)
 * costs a few milliseconds, so a few pairs wait in <dataDir>/fifo-pool and a
 * container start only renames one pair into its directory.
 */
class FifoPool {
  private seq = 0;
  private ready: string[] = [];
  private filling?: Promise<void>;

  constructor(private readonly dir: string, private readonly size = 8) {
    // Leftovers of an earlier ordinal process are unused: start afresh.
    rmSync(dir, { recursive: true, force: true });
  }

  async take(): Promise<string> {
    if (!this.ready.length) await this.fill();
    const base = this.ready.shift()!;
    // Refill a little later: spawning mkfifo blocks the event loop for a moment,
    // which must not fall on the container start that is under way.
    if (this.ready.length < this.size / 2) setTimeout(() => void this.fill().catch(() => undefined), 50).unref();
    return base;
  }

  fill(): Promise<void> {
    if (!this.filling) {
      this.filling = (async () => {
        mkdirSync(this.dir, { recursive: true });
        const bases = Array.from({ length: this.size }, () => join(this.dir, `${process.pid}-${this.seq++}`));
        await execFileP('mkfifo', ['-m', '0600', ...bases.flatMap((b) => [`${b}.out`, `${b}.err`])]);
        this.ready.push(...bases);
      })().finally(() => (this.filling = undefined));
    }
    return this.filling;
  }
}

const pools = new Map<string, FifoPool>();

function fifoPool(dataDir: string): FifoPool {
  const poolDir = join(dataDir, 'fifo-pool');
  let pool = pools.get(poolDir);
  if (!pool) pools.set(poolDir, (pool = new FifoPool(poolDir)));
  return pool;
}

/** Makes the first FIFO pairs of a data directory ahead of the first container start. */
export function warmFifoPool(dataDir: string): Promise<void> {
  return fifoPool(dataDir).fill();
}

/** Creates the instance directory with its two output FIFOs. */
export async function prepareInstance(l: ContainerLaunch): Promise<string> {
  const dir = instanceDir(l.podDir, l.containerName, l.attempt);
  if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'ctl'), { recursive: true });
  const base = await fifoPool(dirname(dirname(l.podDir))).take();
  renameSync(`${base}.out`, join(dir, 'out'));
  renameSync(`${base}.err`, join(dir, 'err'));
  return dir;
}

/** Spawns the shim detached (its own session and process group) and records its identity. */
export function spawnShim(runtime: RuntimeName, l: ContainerLaunch, dir: string, plan: SpawnPlan): ContainerHandle {
  // Our readers are open before the container starts and our own write ends
  // are closed only after: a pipe's content dies with its last open end, and a
  // command that prints and exits at once must not take its output along.
  const out = openSync(join(dir, 'out'), constants.O_RDWR);
  const err = openSync(join(dir, 'err'), constants.O_RDWR);
  const stdout = openReader(join(dir, 'out'));
  const stderr = openReader(join(dir, 'err'));
  let child: ChildProcess;
  try {
    child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      detached: true,
      stdio: [l.stdin ? 'pipe' : 'ignore', out, err],
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // spawn failures surface as an 'error' event; the shim is /bin/sh or the container init, both checked before.
    stdout.destroy();
    stderr.destroy();
    throw new Error(`failed to start the container's shim (${plan.command})`);
  }
  const st = readStat(pid);
  const startedAt = new Date();
  const launch = { podUid: l.podUid, containerName: l.containerName, attempt: l.attempt, env: l.env, workingDir: l.workingDir, mounts: l.mounts };
  const rec: IdentityRecord = { runtime, pid, startTime: st?.startTime ?? 0, startedAt: startedAt.toISOString(), launch };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(rec));
  const h = new Handle(launch, dir, pid, rec.startTime, startedAt, stdout, stderr, child.stdin ?? undefined);
  child.stdin?.on('error', () => {});
  child.on('error', () => h.finish({ code: 128, signal: null }));
  child.on('exit', (code, signal) => h.finish({ code, signal }));
  // The shim must not keep ordinal's event loop alive, nor die with it.
  child.unref();
  return h;
}

/** The identity record of the instance in `dir` when its process, started by `runtime`, still runs. */
export function liveInstance(runtime: RuntimeName, dir: string): IdentityRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as IdentityRecord;
    return rec.runtime === runtime && isSameProcess(rec.pid, rec.startTime) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** Re-adopts the instance in `dir` when the process recorded there still runs. */
export function adoptInstance(runtime: RuntimeName, dir: string): ContainerHandle | undefined {
  const rec = liveInstance(runtime, dir);
  if (!rec || !existsSync(join(dir, 'out'))) return undefined;
  const h = new Handle(rec.launch, dir, rec.pid, rec.startTime, new Date(rec.startedAt), openReader(join(dir, 'out')), openReader(join(dir, 'err')));
  const timer = setInterval(() => {
    if (!isSameProcess(rec.pid, rec.startTime)) {
      clearInterval(timer);
      h.finish(undefined);
    }
  }, ADOPTED_POLL_MS);
  timer.unref();
  return h;
}

/** The recorded end of an instance whose process is gone (for status after a restart). */
export function readRecordedExit(dir: string): { exitCode: number; startedAt?: Date } | undefined {
  try {
    const rec = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as IdentityRecord;
    let exitCode = 137;
    try {
      const t = readFileSync(join(dir, 'ctl', 'exit'), 'utf8').trim();
      if (/^\d+$/.test(t)) exitCode = Number(t);
    } catch {
      // killed without a status
    }
    return { exitCode, startedAt: new Date(rec.startedAt) };
  } catch {
    return undefined;
  }
}

export function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

export function killPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function removeInstance(h: ContainerHandle): Promise<void> {
  h.stdout.destroy();
  h.stderr.destroy();
  await rm(h.dir, { recursive: true, force: true });
}

/** Finds an executable the way execvp does: in PATH unless the name has a slash. `root` prefixes host paths. */
export function resolveExecutable(name: string, path: string, cwd: string, root = ''): string | undefined {
  const isExecutable = (p: string): boolean => {
    try {
      if (!statSync(root + p).isFile()) return false;
      accessSync(root + p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) {
    const p = name.startsWith('/') ? name : join(cwd, name);
    return isExecutable(p) ? p : undefined;
  }
  for (const d of path.split(':')) {
    if (d && isExecutable(join(d, name))) return join(d, name);
  }
  return undefined;
}
