// Lifecycle hooks. preStop runs before the container gets SIGTERM, within the
// grace period (exec or httpGet; sleep as in 1.30+). A failure is reported as
// a FailedPreStopHook event and the kill goes on, as the kubelet does.
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { runProbe, type ProbeTarget } from './probes.js';

/** Runs the hook; resolves with an error message, or undefined when it succeeded. Never waits past `budgetMs` or the container's end. */
export async function runPreStop(h: LifecycleHandler, target: ProbeTarget, budgetMs: number, exited: Promise<unknown>): Promise<string | undefined> {
  const budgetS = Math.max(1, Math.ceil(budgetMs / 1000));
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number) => new Promise<undefined>((res) => timers.push(setTimeout(() => res(undefined), ms)));
  let work: Promise<string | undefined>;
  if (h.sleep) work = after(Math.min(h.sleep.seconds * 1000, budgetMs));
  else if (h.exec) {
    work = runProbe({ exec: h.exec, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `PreStopHook failed: ${r.output}`));
  } else if (h.httpGet) {
    work = runProbe({ httpGet: h.httpGet, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `PreStopHook failed: ${r.output}`));
  } else return undefined; // tcpSocket is deprecated and never run by the kubelet
  try {
    return await Promise.race([work, after(budgetMs), exited.then(() => undefined)]);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
