// Lifecycle hooks. postStart runs right after the container starts; until it
// returns the container is not reported running, and when it fails the
// container is killed (FailedPostStartHook). preStop runs before the container
// gets SIGTERM, within the grace period; a failure is reported as a
// FailedPreStopHook event and the kill goes on, as the kubelet does. Both
// support exec, httpGet and sleep.
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { runProbe, type ProbeTarget } from './probes.js';

/** Longest a postStart hook may run (the kubelet has no limit; a hung hook should not hold a worker forever). */
export const POST_START_LIMIT_MS = 120_000;

/** Runs a postStart hook; resolves with an error message, or undefined when it succeeded (or the container ended first). */
export function runPostStart(h: LifecycleHandler, target: ProbeTarget, exited: Promise<unknown>): Promise<string | undefined> {
  return runPreStop(h, target, POST_START_LIMIT_MS, exited, 'PostStartHook');
}

/** Runs the hook; resolves with an error message, or undefined when it succeeded. Never waits past `budgetMs` or the container's end. */
export async function runPreStop(h: LifecycleHandler, target: ProbeTarget, budgetMs: number, exited: Promise<unknown>, name = 'PreStopHook'): Promise<string | undefined> {
  const budgetS = Math.max(1, Math.ceil(budgetMs / 1000));
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number) => new Promise<undefined>((res) => timers.push(setTimeout(() => res(undefined), ms)));
  let work: Promise<string | undefined>;
  if (h.sleep) work = after(Math.min(h.sleep.seconds * 1000, budgetMs));
  else if (h.exec) {
    work = runProbe({ exec: h.exec, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `${name} failed: ${r.output}`));
  } else if (h.httpGet) {
    work = runProbe({ httpGet: h.httpGet, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `${name} failed: ${r.output}`));
  } else return undefined; // tcpSocket is deprecated and never run by the kubelet
  try {
    return await Promise.race([work, after(budgetMs), exited.then(() => undefined)]);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
