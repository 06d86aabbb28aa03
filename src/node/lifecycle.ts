// Lifecycle hooks. preStop runs before the container gets SIGTERM, within the
// grace period (exec or httpGet; sleep as in 1.30+). A failure is reported as
// a FailedPreStopHook event and the kill goes on, as the kubelet does.
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { runProbe, type ProbeTarget } from './probes.js';

/** Runs the hook; resolves with an error message, or undefined when it succeeded. Never waits past `budgetMs` or the container's end. */
export async function runPreStop(h: LifecycleHandler, target: ProbeTarget, budgetMs: number, exited: Promise<unknown>): Promise<string | undefined> {
  const budgetS = Math.max(1, Math.ceil(budgetMs / 1000));
  let work: Promise<string | undefined>;
  if (h.sleep) {
    work = new Promise((res) => setTimeout(() => res(undefined), Math.min(h.sleep!.seconds * 1000, budgetMs)).unref());
  } else if (h.exec) {
    work = runProbe({ exec: h.exec, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `PreStopHook failed: ${r.output}`));
  } else if (h.httpGet) {
    work = runProbe({ httpGet: h.httpGet, timeoutSeconds: budgetS }, target).then((r) => (r.ok ? undefined : `PreStopHook failed: ${r.output}`));
  } else if (h.tcpSocket) {
    return undefined; // deprecated and never run by the kubelet
  } else return undefined;
  const timeout = new Promise<string | undefined>((res) => setTimeout(() => res(undefined), budgetMs).unref());
  return Promise.race([work, timeout, exited.then(() => undefined)]);
}
