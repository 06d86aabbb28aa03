// Shared pieces of the StatefulSet-through-kubectl tests: manifests, JSON
// reads, `kubectl get -w --output-watch-events` parsing and `rollout status`.
import assert from 'node:assert/strict';
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { eventually, type TestCluster } from '../helpers/cluster.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SetOptions {
  replicas: number;
  /** The `app` label of selector and template (default: the set's name). */
  app?: string;
  image?: string;
  /** Give each pod a `www` claim (1Gi, ReadWriteOnce), mounted at nginx's document root. */
  claims?: boolean;
  /** More spec fields (updateStrategy, podManagementPolicy, retention policy...). */
  spec?: Partial<StatefulSetSpec>;
  nodeSelector?: Record<string, string>;
}

/** A StatefulSet in the shape of the seeds' `web`, as JSON kubectl accepts on stdin. */
export function statefulSetManifest(name: string, o: SetOptions): string {
  const app = o.app ?? name;
  const set: StatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: 'nginx',
      replicas: o.replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: {
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          containers: [{
            name: 'nginx',
            image: o.image ?? 'nginx:1.9.1',
            // Containers run on the host's filesystem (no image support): name what to run.
            command: ['sleep', '86400'],
            ports: [{ containerPort: 80, name: 'web' }],
            ...(o.claims ? { volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] } : {}),
          }],
        },
      },
      ...(o.claims ? {
        volumeClaimTemplates: [{
          metadata: { name: 'www' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        }],
      } : {}),
      ...o.spec,
    },
  };
  return JSON.stringify(set);
}

/** kubectl that must succeed; returns stdout. */
export function ok(c: TestCluster, args: string[], input?: string): string {
  return c.ok(args, input);
}

export function createSet(c: TestCluster, name: string, o: SetOptions): void {
  assert.equal(ok(c, ['apply', '-f', '-'], statefulSetManifest(name, o)).trim(), `statefulset.apps/${name} created`);
}

export function getSet(c: TestCluster, name: string): StatefulSet {
  return JSON.parse(ok(c, ['get', 'statefulset', name, '-o', 'json'])) as StatefulSet;
}

/** The pods with label app=<app>, by name. */
export function podsOf(c: TestCluster, app: string): Record<string, Pod> {
  const list = JSON.parse(ok(c, ['get', 'pods', '-l', `app=${app}`, '-o', 'json'])) as { items: Pod[] };
  return Object.fromEntries(list.items.map((p) => [p.metadata!.name!, p]));
}

export function claimsOf(c: TestCluster, app: string): Record<string, PersistentVolumeClaim> {
  const list = JSON.parse(ok(c, ['get', 'pvc', '-l', `app=${app}`, '-o', 'json'])) as { items: PersistentVolumeClaim[] };
  return Object.fromEntries(list.items.map((p) => [p.metadata!.name!, p]));
}

export const imageOf = (p: Pod) => p.spec!.containers[0].image;
export const revisionOf = (p: Pod) => p.metadata!.labels!['controller-revision-hash'];
export const isRunningReady = (p: Pod | undefined) =>
  !!p && !p.metadata!.deletionTimestamp && p.status?.phase === 'Running'
  && !!p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

/** `kubectl get sts <name>`'s READY cell. */
export function readyColumn(c: TestCluster, name: string): string {
  const row = ok(c, ['get', 'statefulset', name]).trim().split('\n');
  assert.match(row[0], /^NAME\s+READY\s+AGE$/);
  // AGE is any duration kubectl prints (45s, 2m5s, 3m...).
  const m = new RegExp(`^${name}\\s+(\\d+/\\d+)\\s+\\S+$`).exec(row[1]);
  assert.ok(m, `get sts row: ${row[1]}`);
  return m[1];
}

const ROLLOUT_LINE = [
  /^Waiting for statefulset spec update to be observed\.\.\.$/,
  /^Waiting for \d+ pods to be ready\.\.\.$/,
  /^Waiting for partitioned roll out to finish: \d+ out of \d+ new pods have been updated\.\.\.$/,
  /^partitioned roll out complete: \d+ new pods have been updated\.\.\.$/,
];

/**
 * `kubectl rollout status statefulset/<name>`: exit 0, every line one of
 * kubectl's StatefulSet messages, the last `partitioned roll out complete:
 * <updated> new pods have been updated...`.
 */
export async function rolledOut(c: TestCluster, name: string, updated: number): Promise<string[]> {
  const r = await c.kubectlAsync(['rollout', 'status', `statefulset/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, `rollout status ${name}:\n${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  for (const l of lines) assert.ok(ROLLOUT_LINE.some((re) => re.test(l)), `unexpected rollout status line: ${JSON.stringify(l)}`);
  assert.equal(lines[lines.length - 1], `partitioned roll out complete: ${updated} new pods have been updated...`);
  return lines;
}

/** `kubectl rollout history statefulset/<name>`'s revision numbers. */
export function historyOf(c: TestCluster, name: string): string[] {
  const lines = ok(c, ['rollout', 'history', `statefulset/${name}`]).split('\n').map((l) => l.trimEnd()).filter(Boolean);
  assert.equal(lines[0], `statefulset.apps/${name}`);
  assert.equal(lines[1], 'REVISION  CHANGE-CAUSE');
  return lines.slice(2).map((l) => {
    const m = /^(\d+)\s+<none>$/.exec(l);
    assert.ok(m, `history row: ${l}`);
    return m[1];
  });
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  ready: string;
  status: string;
  /** The last column (a `-L` label) when asked for. */
  label?: string;
}

/**
 * The rows of `kubectl get pods -w --output-watch-events [-L label]` for the
 * pods of one set (kubectl's -v log lines, which start with I/W/E and a date,
 * are skipped).
 */
export function parseWatch(out: string, setName: string, withLabel = false): WatchEvent[] {
  const member = new RegExp(`^${setName}-\\d+$`);
  return out.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => (f[0] === 'ADDED' || f[0] === 'MODIFIED' || f[0] === 'DELETED') && member.test(f[1]))
    .map((f) => ({
      type: f[0] as WatchEvent['type'], name: f[1], ready: f[2], status: f[3],
      ...(withLabel ? { label: f[f.length - 1] } : {}),
    }));
}

/**
 * Starts `kubectl get pods -w --output-watch-events` for app=<app> and waits
 * until it has listed the `existing` pods (or, for none, until its watch is
 * open, which its -v=6 request log says: kubectl prints nothing for an empty
 * list).
 */
export async function watchPods(
  c: TestCluster, app: string, existing: number, label?: string,
): Promise<ReturnType<TestCluster['kubectlBackground']>> {
  const w = c.kubectlBackground(['get', 'pods', '-w', '-l', `app=${app}`, '--output-watch-events', '-v=6', ...(label ? ['-L', label] : [])]);
  if (existing === 0) await eventually(() => /watch=true.* 200 OK/.test(w.output()), 20_000, `watch on app=${app} open`);
  else await eventually(() => w.output().split('\n').filter((l) => l.startsWith('ADDED')).length >= existing, 20_000, `watch on app=${app}`);
  return w;
}

/** Consecutive duplicates removed: a pod's visible status sequence. */
export function statusSequence(events: WatchEvent[], pod: string): string[] {
  const seq: string[] = [];
  for (const e of events) if (e.name === pod && seq[seq.length - 1] !== e.status) seq.push(e.status);
  return seq;
}
