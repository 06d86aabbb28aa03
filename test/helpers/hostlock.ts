// A lock held across test processes on this host, for what only one cluster
// can have at a time: with the linux runtime, the cluster DNS address
// 10.96.0.10:53 that pods' resolv.conf names. node --test runs test files in
// parallel processes; a second linux-runtime cluster waits here instead of
// starting without DNS for its pods. A lock whose holder died is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function holderAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (!pid) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // ENOENT: released meanwhile; ESRCH: holder gone; EPERM: alive, not ours
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireHostLock(name: string, timeoutMs = 15 * 60_000): Promise<() => void> {
  const path = join(tmpdir(), `ordinal-test-${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(path)) {
      try {
        unlinkSync(path);
      } catch {
        // another waiter removed it first
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${path} still held by pid ${readFileSync(path, 'utf8')} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
