// Pod status as the kubelet computes it (kubelet_pods.go getPhase,
// generateAPIPodStatus; status/generate.go for the conditions): pure
// functions from what the pod worker knows about its containers.
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';

export type ContainerPhase =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | { kind: 'terminated'; exitCode: number; signal?: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string; /** finishedAt to the millisecond (back-off); not reported. */ finishedMs?: number };

/** What a pod worker knows about one container. */
export interface ContainerView {
  name: string;
  image: string;
  state: ContainerPhase;
  /** The state before the current one ended (lastState.terminated). */
  last?: Extract<ContainerPhase, { kind: 'terminated' }>;
  restartCount: number;
  ready: boolean;
  started?: boolean;
  containerID?: string;
  /** The image the container runs, by digest (docker.io/library/app@sha256:...), when known. */
  imageID?: string;
}

export interface PodView {
  init: ContainerView[];
  containers: ContainerView[];
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  /** The pod sandbox is ready (IP assigned, volumes being mounted). */
  sandboxReady: boolean;
  /** Set when the pod has finished for good (deleted pods included). */
  terminalPhase?: 'Succeeded' | 'Failed';
}

export function toContainerState(p: ContainerPhase): ContainerState {
  switch (p.kind) {
    case 'waiting':
      return { waiting: p.message ? { reason: p.reason, message: p.message } : { reason: p.reason } };
    case 'running':
      return { running: { startedAt: p.startedAt } };
    case 'terminated': {
      const t: Record<string, unknown> = { exitCode: p.exitCode, reason: p.reason };
      if (p.signal) t.signal = p.signal;
      if (p.message) t.message = p.message;
      t.startedAt = p.startedAt ?? null;
      t.finishedAt = p.finishedAt;
      if (p.containerID) t.containerID = p.containerID;
      return { terminated: t as unknown as ContainerState['terminated'] };
    }
  }
}

export function toContainerStatus(c: ContainerView): ContainerStatus {
  const s: Record<string, unknown> = {
    name: c.name,
    state: toContainerState(c.state),
    lastState: c.last ? toContainerState(c.last) : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID ?? '',
  };
  if (c.containerID) s.containerID = c.containerID;
  if (c.started !== undefined) s.started = c.started;
  return s as unknown as ContainerStatus;
}

/** kubelet getPhase for the regular containers, after the init containers. */
export function podPhase(pod: Pod, v: PodView): PodStatus['phase'] {
  if (v.terminalPhase) return v.terminalPhase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  for (const c of v.init) {
    if (c.state.kind === 'terminated' && c.state.exitCode === 0) continue;
    if (c.state.kind === 'terminated' || c.last) {
      if (policy === 'Never') return 'Failed';
    }
    pendingInit++;
  }
  if (pendingInit > 0) return 'Pending';
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of v.containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.exitCode === 0) succeeded++;
    } else if (c.last) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return stopped === succeeded ? 'Succeeded' : 'Running';
    return stopped === succeeded ? 'Succeeded' : 'Failed';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: Record<string, unknown> = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c as unknown as PodCondition;
}

/** The conditions the kubelet owns, in its order, keeping transition times that did not change. */
export function podConditions(pod: Pod, v: PodView, phase: string, now: string): PodCondition[] {
  const prev = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const out: PodCondition[] = [];
  out.push(condition('PodReadyToStartContainers', v.sandboxReady));
  const incompleteInit = v.init.filter((c) => !(c.state.kind === 'terminated' && c.state.exitCode === 0)).map((c) => c.name);
  if (phase === 'Succeeded' || (incompleteInit.length === 0)) out.push(condition('Initialized', true));
  else out.push(condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`));
  const unready = v.containers.filter((c) => !c.ready).map((c) => c.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  let ready: PodCondition;
  let containersReady: PodCondition;
  if (terminal) {
    ready = condition('Ready', false, 'PodCompleted', '');
    containersReady = condition('ContainersReady', false, 'PodCompleted', '');
  } else if (incompleteInit.length) {
    const msg = `containers with incomplete status: [${incompleteInit.join(' ')}]`;
    ready = condition('Ready', false, 'ContainersNotInitialized', msg);
    containersReady = condition('ContainersReady', false, 'ContainersNotInitialized', msg);
  } else if (unready.length) {
    const msg = `containers with unready status: [${unready.join(' ')}]`;
    ready = condition('Ready', false, 'ContainersNotReady', msg);
    containersReady = condition('ContainersReady', false, 'ContainersNotReady', msg);
  } else {
    ready = condition('Ready', true);
    containersReady = condition('ContainersReady', true);
  }
  out.push(ready, containersReady);
  const scheduled = prev.get('PodScheduled') ?? condition('PodScheduled', true);
  out.push(scheduled);
  for (const c of out) {
    const p = prev.get(c.type);
    (c as { lastTransitionTime?: string }).lastTransitionTime = p && p.status === c.status && p.lastTransitionTime ? p.lastTransitionTime : now;
  }
  // Conditions others own (readiness gates, DisruptionTarget) are kept.
  const mine = new Set(out.map((c) => c.type));
  for (const c of pod.status?.conditions ?? []) if (!mine.has(c.type)) out.push(c);
  return out;
}

/** The full status the kubelet reports for the pod. */
export function podStatus(pod: Pod, v: PodView, now: string): PodStatus {
  const phase = podPhase(pod, v)!;
  const s: Record<string, unknown> = {
    phase,
    conditions: podConditions(pod, v, phase, now),
  };
  if (v.hostIP) {
    s.hostIP = v.hostIP;
    s.hostIPs = [{ ip: v.hostIP }];
  }
  if (v.podIP) {
    s.podIP = v.podIP;
    s.podIPs = [{ ip: v.podIP }];
  }
  if (v.startTime) s.startTime = v.startTime;
  if (v.init.length) s.initContainerStatuses = v.init.map(toContainerStatus);
  s.containerStatuses = v.containers.map(toContainerStatus);
  if (pod.status?.qosClass) s.qosClass = pod.status.qosClass;
  return s as PodStatus;
}
