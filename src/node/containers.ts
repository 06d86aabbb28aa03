// A container of a pod as its worker tracks it, and what the worker does to
// containers that needs no more than the runtime: capture a command's output
// beside a container (probes, hooks), re-adopt a pod's containers after a
// restart of ordinal, small time helpers.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerLogWriter } from './logs.js';
import type { ProbeWorker } from './probes.js';
import { readRecordedExit } from './runtime/base.js';
import type { ContainerHandle, Runtime } from './runtime/types.js';
import type { ContainerPhase } from './status.js';
import { rfc3339 } from '../api/time.js';

export type Terminated = Extract<ContainerPhase, { kind: 'terminated' }>;

export interface ContainerRecord {
  spec: Container;
  init: boolean;
  handle?: ContainerHandle;
  log?: ContainerLogWriter;
  env?: Record<string, string>;
  restartCount: number;
  everStarted: boolean;
  state: ContainerPhase;
  last?: Terminated;
  ready: boolean;
  started?: boolean;
  probes: ProbeWorker[];
  /** Why the kubelet is killing it (liveness/startup failure), for the terminated message. */
  killing?: boolean;
  retry?: NodeJS.Timeout;
  /** A session has attached to this instance (stdinOnce: its stdin closes after the first). */
  attachedOnce?: boolean;
}

export function newRecord(spec: Container, init: boolean): ContainerRecord {
  return { spec, init, restartCount: 0, everStarted: false, state: { kind: 'waiting', reason: init ? 'PodInitializing' : 'ContainerCreating' }, ready: false, probes: [] };
}

/**
 * After an ordinal restart: each container's latest instance is re-adopted
 * when its process still runs (returned, for the worker to wire), else its
 * recorded end becomes the container's terminated state; restart counts come
 * from the instance numbers, the last termination from the pod's status.
 */
export function restoreContainers(
  podDir: string, records: Map<string, ContainerRecord>, pod: Pod, runtime: Runtime, containerID: (name: string, attempt: number) => string,
): { record: ContainerRecord; handle: ContainerHandle }[] {
  const adopted: { record: ContainerRecord; handle: ContainerHandle }[] = [];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const r of records.values()) {
    const base = join(podDir, 'containers', r.spec.name);
    let attempts: number[] = [];
    try {
      attempts = readdirSync(base).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
    } catch {
      continue;
    }
    if (!attempts.length) continue;
    const attempt = attempts[attempts.length - 1];
    r.restartCount = attempt;
    r.everStarted = true;
    const prev = statuses.find((s) => s.name === r.spec.name);
    if (prev?.lastState?.terminated) r.last = prev.lastState.terminated as unknown as Terminated;
    const dir = join(base, String(attempt));
    const h = runtime.adopt(dir);
    if (h) {
      r.env = h.launch.env;
      adopted.push({ record: r, handle: h });
    } else {
      const ended = readRecordedExit(dir);
      r.state = {
        kind: 'terminated', exitCode: ended?.exitCode ?? 137, reason: ended?.exitCode === 0 ? 'Completed' : 'Error',
        startedAt: rfc3339(ended?.startedAt ?? new Date()), finishedAt: rfc3339(new Date()), containerID: containerID(r.spec.name, attempt),
      };
    }
  }
  return adopted;
}

/** Runs a command beside the container and captures its output (probes, hooks). */
export function execCapture(runtime: Runtime, h: ContainerHandle, env: Record<string, string>, argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    let p;
    try {
      p = runtime.exec(h, argv, { env, stdin: false });
    } catch (e) {
      resolve({ exitCode: 126, output: (e as Error).message, timedOut: false });
      return;
    }
    let out = '';
    const take = (b: Buffer) => {
      if (out.length < 10240) out += b.toString('utf8');
    };
    p.stdout?.on('data', take);
    p.stderr?.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      runtime.killExec(p);
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, output: e.message, timedOut: false });
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 128 + (signal ? 9 : 0), output: out, timedOut });
    });
  });
}

/** Waits for `p`, at most `ms` (the timer does not outlive the wait). */
export async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise((res) => (t = setTimeout(res, ms)))]);
  } finally {
    clearTimeout(t);
  }
}


