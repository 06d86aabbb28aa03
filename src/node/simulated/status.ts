// Pod and Node status as a kubelet writes them, for each stage a simulated
// pod goes through (kwok's stages): container creating, running (ready or
// not), a container that crashed or is backing off, and stopped. Pure
// functions of the pod and the time; the node agent decides when.
import { createHash } from 'node:crypto';
import type {
  Container, ContainerStatus, Node, Pod, PodCondition, PodStatus,
} from 'kubernetes-types/core/v1.js';

import { rfc3339 } from '../../api/time.js';

export { rfc3339 };

export type Stage =
  | 'unscheduled' // no node yet
  | 'foreign' // bound to another node
  | 'bound' // on our node, nothing reported yet
  | 'creating' // containers being created
  | 'running' // containers running (ready or not)
  | 'crashed' // a container exited and waits for a restart
  | 'finished' // Succeeded or Failed
  | 'terminating'; // deletionTimestamp set

export function stageOf(pod: Pod, nodeName: string): Stage {
  const node = pod.spec?.nodeName;
  if (!node) return 'unscheduled';
  if (node !== nodeName) return 'foreign';
  if (pod.metadata?.deletionTimestamp) return 'terminating';
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 'finished';
  const cs = pod.status?.containerStatuses ?? [];
  if (!cs.length) return 'bound';
  if (cs.some((c) => c.state?.waiting?.reason === 'ContainerCreating' || c.state?.waiting?.reason === 'PodInitializing')) return 'creating';
  if (cs.some((c) => c.state?.terminated || (c.state?.waiting && c.state.waiting.reason !== 'ContainerCreating'))) return 'crashed';
  return 'running';
}

/** A stable fake digest, so imageID and containerID look like a runtime's. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export function imageID(image: string | undefined): string {
  const repo = (image ?? '').replace(/[:@].*$/, '');
  return `${repo}@sha256:${digest('image', image ?? '')}`;
}

export function containerID(podUid: string, name: string, restartCount: number): string {
  return `containerd://${digest('container', podUid, name, String(restartCount))}`;
}

export function hasReadinessProbe(pod: Pod): boolean {
  return (pod.spec?.containers ?? []).some((c) => !!c.readinessProbe);
}

function cond(type: string, status: boolean, at: string, prev: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const s = status ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  // lastTransitionTime moves only when the status does.
  const c: PodCondition = { type, status: s, lastProbeTime: null as unknown as string, lastTransitionTime: old && old.status === s ? old.lastTransitionTime : at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function conditions(pod: Pod, at: string, o: { sandbox: boolean; initialized: boolean; ready: boolean; notReady: string[]; notInitialized: string[] }): PodCondition[] {
  const prev = pod.status?.conditions;
  const msg = `containers with unready status: [${o.notReady.join(' ')}]`;
  return [
    cond('PodReadyToStartContainers', o.sandbox, at, prev),
    o.initialized
      ? cond('Initialized', true, at, prev)
      : cond('Initialized', false, at, prev, 'ContainersNotInitialized', `containers with incomplete status: [${o.notInitialized.join(' ')}]`),
    o.ready ? cond('Ready', true, at, prev) : cond('Ready', false, at, prev, 'ContainersNotReady', msg),
    o.ready ? cond('ContainersReady', true, at, prev) : cond('ContainersReady', false, at, prev, 'ContainersNotReady', msg),
    cond('PodScheduled', true, at, prev),
  ];
}

function baseStatus(pod: Pod, hostIP: string, at: string): PodStatus {
  return {
    ...pod.status,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: pod.status?.startTime ?? at,
  };
}

function waitingStatus(c: Container, reason: string, prev?: ContainerStatus): ContainerStatus {
  return {
    image: c.image ?? '',
    imageID: prev?.imageID ?? '',
    lastState: prev?.lastState ?? {},
    name: c.name,
    ready: false,
    restartCount: prev?.restartCount ?? 0,
    started: false,
    state: { waiting: { reason } },
  };
}

/** Scheduled and accepted by the node: sandbox and containers being created. */
export function creatingStatus(pod: Pod, hostIP: string, now: number): PodStatus {
  const at = rfc3339(now);
  const inits = pod.spec?.initContainers ?? [];
  const containers = pod.spec?.containers ?? [];
  const st = baseStatus(pod, hostIP, at);
  st.phase = 'Pending';
  st.conditions = conditions(pod, at, {
    sandbox: false, initialized: inits.length === 0, ready: false,
    notReady: containers.map((c) => c.name), notInitialized: inits.map((c) => c.name),
  });
  if (inits.length) st.initContainerStatuses = inits.map((c) => waitingStatus(c, 'PodInitializing'));
  st.containerStatuses = containers.map((c) => waitingStatus(c, inits.length ? 'PodInitializing' : 'ContainerCreating'));
  return st;
}

/**
 * Every container running; init containers completed. `ready` says whether
 * the readiness checks pass. Restart counts and last states are kept.
 */
export function runningStatus(pod: Pod, hostIP: string, podIP: string, now: number, ready: boolean): PodStatus {
  const at = rfc3339(now);
  const uid = pod.metadata?.uid ?? '';
  const st = baseStatus(pod, hostIP, at);
  st.phase = 'Running';
  st.podIP = podIP;
  st.podIPs = [{ ip: podIP }];
  const prevInit = new Map((pod.status?.initContainerStatuses ?? []).map((c) => [c.name, c]));
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length) {
    st.initContainerStatuses = inits.map((c) => {
      const prev = prevInit.get(c.name);
      if (prev?.state?.terminated || prev?.state?.running) return prev;
      return {
        containerID: containerID(uid, c.name, 0),
        image: c.image ?? '',
        imageID: imageID(c.image),
        lastState: {},
        name: c.name,
        ready: true,
        restartCount: 0,
        started: false,
        state: { terminated: { containerID: containerID(uid, c.name, 0), exitCode: 0, finishedAt: at, reason: 'Completed', startedAt: at } },
      };
    });
  }
  const prev = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
  st.containerStatuses = (pod.spec?.containers ?? []).map((c) => {
    const p = prev.get(c.name);
    const restartCount = p?.restartCount ?? 0;
    const startedAt = p?.state?.running?.startedAt ?? at;
    return {
      containerID: containerID(uid, c.name, restartCount),
      image: c.image ?? '',
      imageID: imageID(c.image),
      lastState: p?.lastState ?? {},
      name: c.name,
      ready,
      restartCount,
      started: true,
      state: { running: { startedAt } },
    };
  });
  st.conditions = conditions(pod, at, {
    sandbox: true, initialized: true, ready,
    notReady: ready ? [] : (pod.spec?.containers ?? []).map((c) => c.name), notInitialized: [],
  });
  return st;
}

/**
 * A container exited: with `waitingReason` it waits to be restarted
 * (CrashLoopBackOff), else it shows as terminated. The pod keeps phase Running.
 */
export function crashedStatus(pod: Pod, container: string, exitCode: number, now: number, backOffMessage?: string): PodStatus {
  const at = rfc3339(now);
  const st: PodStatus = { ...pod.status };
  const uid = pod.metadata?.uid ?? '';
  st.containerStatuses = (pod.status?.containerStatuses ?? []).map((c) => {
    if (c.name !== container) return c;
    const startedAt = c.state?.running?.startedAt ?? c.state?.terminated?.startedAt ?? at;
    const terminated = {
      containerID: c.containerID ?? containerID(uid, c.name, c.restartCount ?? 0),
      exitCode,
      finishedAt: c.state?.terminated?.finishedAt ?? at,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
    };
    if (backOffMessage) {
      return {
        ...c, ready: false, started: false,
        lastState: c.state?.terminated || c.state?.running ? { terminated } : c.lastState,
        state: { waiting: { message: backOffMessage, reason: 'CrashLoopBackOff' } },
      };
    }
    return { ...c, ready: false, started: false, state: { terminated } };
  });
  const notReady = (st.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
  st.conditions = conditions(pod, at, { sandbox: true, initialized: true, ready: notReady.length === 0, notReady, notInitialized: [] });
  return st;
}

/** Restart a crashed or backing-off container: its last state is the exit, restartCount grows by one. */
export function restartedStatus(pod: Pod, hostIP: string, podIP: string, container: string, now: number, ready: boolean): PodStatus {
  const at = rfc3339(now);
  const uid = pod.metadata?.uid ?? '';
  const restarted: Pod = structuredClone(pod);
  restarted.status!.containerStatuses = (pod.status?.containerStatuses ?? []).map((c) => {
    if (c.name !== container) return c;
    const exited = c.state?.terminated;
    const restartCount = (c.restartCount ?? 0) + 1;
    return {
      ...c,
      containerID: containerID(uid, c.name, restartCount),
      lastState: exited ? { terminated: exited } : c.lastState,
      restartCount,
      state: { running: { startedAt: at } },
    };
  });
  return runningStatus(restarted, hostIP, podIP, now, ready);
}

/** All containers stopped: the pod reaches its terminal phase (Succeeded when every exit was 0). */
export function stoppedStatus(pod: Pod, now: number, exitCode = 0, reason?: string, message?: string): PodStatus {
  const at = rfc3339(now);
  const uid = pod.metadata?.uid ?? '';
  const st: PodStatus = { ...pod.status };
  const stop = (c: ContainerStatus): ContainerStatus => {
    if (c.state?.terminated) return { ...c, ready: false, started: false };
    const startedAt = c.state?.running?.startedAt;
    const ran = !!startedAt;
    return {
      ...c, ready: false, started: false,
      state: {
        terminated: ran
          ? { containerID: c.containerID ?? containerID(uid, c.name, c.restartCount ?? 0), exitCode, finishedAt: at, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt }
          : { exitCode: 137, finishedAt: at, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: at },
      },
    };
  };
  st.containerStatuses = (pod.status?.containerStatuses ?? []).map(stop);
  const allZero = (st.containerStatuses ?? []).every((c) => c.state?.terminated?.exitCode === 0);
  st.phase = allZero ? 'Succeeded' : 'Failed';
  if (reason) st.reason = reason;
  if (message) st.message = message;
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  st.conditions = conditions(pod, at, { sandbox: false, initialized: true, ready: false, notReady: names, notInitialized: [] });
  // A finished pod's Ready condition says PodCompleted, as the kubelet writes it.
  for (const c of st.conditions) {
    if (c.type === 'Ready' || c.type === 'ContainersReady') {
      c.reason = 'PodCompleted';
      delete c.message;
    }
  }
  return st;
}

export interface NodeSpecOptions {
  name: string;
  ip: string;
  capacity: Record<string, string>;
  labels?: Record<string, string>;
  now: number;
  kubeletVersion?: string;
}

export function nodeObject(o: NodeSpecOptions, prev?: Node): Node {
  const at = rfc3339(o.now);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const prevConds = prev?.status?.conditions ?? [];
  const c = (type: string, status: string, reason: string, message: string) => {
    const old = prevConds.find((x) => x.type === type);
    return { type, status, lastHeartbeatTime: at, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : at, reason, message };
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...(prev?.metadata ?? {}),
      name: o.name,
      labels: {
        'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch,
        'kubernetes.io/hostname': o.name, 'kubernetes.io/os': 'linux', 'node.ordinal.dev/runtime': 'simulated',
        ...(prev?.metadata?.labels ?? {}), ...(o.labels ?? {}),
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', ...(prev?.metadata?.annotations ?? {}) },
    },
    spec: prev?.spec ?? {},
    status: {
      capacity: o.capacity,
      allocatable: o.capacity,
      conditions: [
        c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: o.ip }, { type: 'Hostname', address: o.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: arch,
        bootID: digest('boot', o.name).slice(0, 32),
        containerRuntimeVersion: 'simulated://1.0.0',
        kernelVersion: 'simulated',
        kubeProxyVersion: '',
        kubeletVersion: o.kubeletVersion ?? 'v1.32.0',
        machineID: digest('machine', o.name).slice(0, 32),
        operatingSystem: 'linux',
        osImage: 'ordinal simulated node',
        systemUUID: digest('uuid', o.name).slice(0, 32),
      },
    },
  };
}
