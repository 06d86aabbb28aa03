// Builders for StatefulSet unit tests: the seed scenario's set (web, nginx,
// claim template www) and pods in the states the kubelet would put them in.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { planSync, type SyncInput } from '../../src/controllers/statefulset/control.js';
import type { Action, SyncPlan } from '../../src/controllers/statefulset/actions.js';

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export function webSet(over: Partial<NonNullable<StatefulSet['spec']>> = {}, replicas = 3): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{
            name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8', ports: [{ containerPort: 80, name: 'web' }],
            volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }],
      ...over,
    },
  };
}

export function withImage(set: StatefulSet, image: string): StatefulSet {
  const s = structuredClone(set);
  s.spec!.template.spec!.containers[0].image = image;
  s.metadata = { ...s.metadata, generation: (s.metadata?.generation ?? 1) + 1 };
  return s;
}

let uid = 0;

/** The pod as the API stores it after a create: a UID and phase Pending. */
export function created(pod: Pod): Pod {
  return { ...pod, metadata: { ...pod.metadata, uid: `pod-uid-${++uid}` }, status: { phase: 'Pending' } };
}

export function running(pod: Pod, readySince?: number): Pod {
  const conditions = readySince === undefined
    ? [{ type: 'Ready', status: 'False' }]
    : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(readySince).toISOString().replace('.000Z', 'Z') }];
  return { ...pod, status: { phase: 'Running', conditions } };
}

export function ready(pod: Pod, since = T0 - 60_000): Pod {
  return running(pod, since);
}

export function terminating(pod: Pod): Pod {
  return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(T0).toISOString() } };
}

export function failed(pod: Pod): Pod {
  return { ...pod, status: { phase: 'Failed' } };
}

export function claimFrom(c: PersistentVolumeClaim): PersistentVolumeClaim {
  return { ...c, metadata: { ...c.metadata, uid: `claim-uid-${++uid}`, resourceVersion: '1' }, status: { phase: 'Bound' } };
}

export interface Snapshot {
  set: StatefulSet;
  pods: Pod[];
  claims: PersistentVolumeClaim[];
  revisions: ControllerRevision[];
  now?: number;
  gate?: boolean;
}

export function plan(s: Snapshot): SyncPlan {
  const claims = new Map(s.claims.map((c) => [c.metadata!.name!, c]));
  const input: SyncInput = {
    set: s.set, pods: s.pods, claim: (n) => claims.get(n), revisions: s.revisions, now: s.now ?? T0,
    maxUnavailableStatefulSet: s.gate,
  };
  return planSync(input);
}

export function actions(p: SyncPlan): Action[] {
  return [...p.revision, ...p.steps.flat(2)];
}

/** A compact description of the pod work: `+web-0`, `-web-2(update)`, `claims web-1`. */
export function summary(p: SyncPlan): string[] {
  return p.steps.flat(2).map((a) => {
    switch (a.kind) {
      case 'createPod': return `+${a.pod.metadata!.name}`;
      case 'deletePod': return `-${a.pod.metadata!.name}(${a.why})`;
      default: return `${a.kind} ${'pod' in a ? a.pod.metadata!.name : ''}`;
    }
  });
}

/**
 * Applies a plan to a snapshot as a successful execution would: revisions
 * stored, pods created (Pending) or deleted (gone at once), claims created
 * or updated, status written.
 */
export function apply(s: Snapshot, p: SyncPlan): Snapshot {
  let revisions = [...s.revisions];
  let pods = [...s.pods];
  let claims = [...s.claims];
  const putClaim = (c: PersistentVolumeClaim) => {
    claims = claims.filter((x) => x.metadata!.name !== c.metadata!.name).concat(c.metadata?.uid ? c : claimFrom(c));
  };
  for (const a of [...p.revision, ...p.steps.flat(2), ...p.truncate]) {
    switch (a.kind) {
      case 'createRevision': revisions.push(a.revision); break;
      case 'bumpRevision':
        revisions = revisions.map((r) => (r.metadata!.name === a.revision.metadata!.name ? { ...r, revision: a.to } : r));
        break;
      case 'deleteRevision': revisions = revisions.filter((r) => r.metadata!.name !== a.revision.metadata!.name); break;
      case 'createPod':
        a.createClaims.forEach(putClaim);
        pods.push(created(a.pod));
        a.claimUpdates.forEach(putClaim);
        break;
      case 'ensureClaims': case 'updateClaims':
        if ('createClaims' in a) a.createClaims.forEach(putClaim);
        a.claimUpdates.forEach(putClaim);
        break;
      case 'updatePod':
        a.createClaims.forEach(putClaim);
        a.claimUpdates.forEach(putClaim);
        if (a.desired) pods = pods.map((x) => (x.metadata!.name === a.pod.metadata!.name ? a.desired! : x));
        break;
      case 'deletePod': pods = pods.filter((x) => x.metadata!.name !== a.pod.metadata!.name); break;
    }
  }
  const set = p.status ? { ...s.set, status: p.status } : s.set;
  return { ...s, set, pods, claims, revisions };
}

/** Marks every pod Running and Ready (since a minute before T0). */
export function allReady(s: Snapshot): Snapshot {
  return { ...s, pods: s.pods.map((p) => ready(p)) };
}

export function podNames(s: Snapshot): string[] {
  return s.pods.map((p) => p.metadata!.name!).sort();
}
