// Pod IPs claimed host-wide. Every ordinal on a host hands out addresses from
// the same loopback range (127.0.1.0/24 by default) in the host's network
// namespace, so two clusters running side by side (a laptop with two data
// dirs, a CI job running test suites in parallel) must never give two pods
// the same address. Checking which addresses are bound is not enough: a pod
// binds its address some milliseconds after it got it. So each address is
// also claimed by a file named after it in a directory all ordinals share,
// created exclusively (O_EXCL); the file names the claiming process (pid and
// start time, which the kernel never reuses together). A claim whose process
// is gone may be taken over: its pods either ended with it or, still running
// on the address, are seen by the bound-address check.
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSameProcess, readStat } from './runtime/procfs.js';

export interface IPClaims {
  /** Claims `ip` for this process; false when another live process holds it. */
  claim(ip: string): boolean;
  /** Takes `ip` over for this process whoever held it (a pod re-adopted after a restart keeps its address). */
  hold(ip: string): void;
  /** Gives up this process's claim on `ip`. */
  drop(ip: string): void;
}

/** No claims beyond this process: for a single allocator (tests, tools). */
export const noClaims: IPClaims = { claim: () => true, hold: () => {}, drop: () => {} };

/** The directory all ordinals on this host share. */
export const defaultClaimsDir = () => join(tmpdir(), 'ordinal-pod-ips');

interface Owner {
  pid: number;
  startTime: number;
}

export class FileIPClaims implements IPClaims {
  private readonly me: Owner;
  private ready = false;

  constructor(private readonly dir = defaultClaimsDir(), pid = process.pid) {
    this.me = { pid, startTime: readStat(pid)?.startTime ?? 0 };
  }

  claim(ip: string): boolean {
    if (!this.ensureDir()) return true;
    const path = join(this.dir, ip);
    // At most: the file is gone when read, then a dead claimer's file is removed, then the create.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o644);
        try {
          writeSync(fd, this.record());
        } finally {
          closeSync(fd);
        }
        return true;
      } catch (e) {
        // A directory this process cannot write to: no host-wide claims.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return true;
      }
      const seen = readQuietly(path);
      if (seen === undefined) continue; // removed meanwhile: try again
      const owner = parseOwner(seen);
      if (owner && this.isMe(owner)) return true;
      if (owner && isSameProcess(owner.pid, owner.startTime)) return false;
      // The claiming process is gone (or the record is unreadable): remove its claim and create ours.
      if (!this.removeStale(path, seen)) return false;
    }
    return false;
  }

  hold(ip: string): void {
    if (!this.ensureDir()) return;
    const path = join(this.dir, ip);
    const tmp = `${path}.${this.me.pid}.tmp`;
    try {
      writeFileSync(tmp, this.record(), { mode: 0o644 });
      renameSync(tmp, path);
    } catch {
      unlinkQuietly(tmp);
    }
  }

  drop(ip: string): void {
    const path = join(this.dir, ip);
    const text = readQuietly(path);
    const owner = text === undefined ? undefined : parseOwner(text);
    if (owner && this.isMe(owner)) unlinkQuietly(path);
  }

  private isMe(o: Owner): boolean {
    return o.pid === this.me.pid && o.startTime === this.me.startTime;
  }

  private record(): string {
    return `${this.me.pid} ${this.me.startTime}\n`;
  }

  /**
   * Removes a dead process's claim. The stale file is renamed away first, so
   * of several takers only one moves it; a taker that finds it moved a fresh
   * claim instead (another taker won meanwhile) puts it back and gives up.
   */
  private removeStale(path: string, seen: string): boolean {
    const stale = `${path}.${this.me.pid}.stale`;
    try {
      renameSync(path, stale);
    } catch {
      return false;
    }
    let moved = '';
    try {
      moved = readFileSync(stale, 'utf8');
    } catch {
      // unreadable: treated as the stale record
    }
    if (moved !== seen) {
      try {
        linkSync(stale, path);
      } catch {
        // a newer claim is in place already
      }
      unlinkQuietly(stale);
      return false;
    }
    unlinkQuietly(stale);
    return true;
  }

  /** False when the shared directory cannot be made: then there are no host-wide claims. */
  private ensureDir(): boolean {
    if (this.ready) return true;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch {
      return false;
    }
    // Shared by every user's ordinal; the sticky bit lets each remove only its own claims.
    try {
      chmodSync(this.dir, 0o1777);
    } catch {
      // another user's directory: it was made shared by its creator
    }
    this.ready = true;
    return true;
  }
}

/** The claim file's text; undefined when it does not exist (or cannot be read). */
function readQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): Owner | undefined {
  const m = /^(\d+) (\d+)\n$/.exec(text);
  return m ? { pid: Number(m[1]), startTime: Number(m[2]) } : undefined;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
