// Leases through the real kubectl and @kubernetes/client-node against
// `ordinal serve --runtime simulated`: the node's heartbeat lease as
// `kubectl get lease` and `kubectl describe node` show it, validation errors,
// compare-and-swap on resourceVersion, and leader election done the way
// client-go's leaderelection does it: two candidates, exactly one leader, and
// failover once the leader stops renewing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let kc: k8s.KubeConfig;
let node: string;

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  node = c.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
});

after(async () => {
  await c?.stop();
});

test('kubectl get lease -n kube-node-lease shows the node holding its own lease', async () => {
  const out = await eventually(() => {
    const r = c.kubectl(['get', 'lease', '-n', 'kube-node-lease']);
    return r.code === 0 && r.stdout.includes(node) ? r.stdout : '';
  }, 10_000, 'node lease');
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+HOLDER\s+AGE$/);
  assert.match(lines[1], new RegExp(`^${node.replace(/\./g, '\\.')}\\s+${node.replace(/\./g, '\\.')}\\s+\\d+s$`));
  const spec = JSON.parse(c.ok(['get', 'lease', node, '-n', 'kube-node-lease', '-o', 'jsonpath={.spec}']));
  assert.equal(spec.leaseDurationSeconds, 40);
  assert.match(spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('kubectl describe node shows the Lease section', () => {
  const out = c.ok(['describe', 'node', node]);
  assert.match(out, new RegExp(`Lease:\\n\\s+HolderIdentity:\\s+${node.replace(/\./g, '\\.')}\\n\\s+AcquireTime:\\s+<unset>\\n\\s+RenewTime:\\s+\\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\n`));
});

test('validation errors come back as Kubernetes\' Status', () => {
  const r = c.kubectl(['apply', '-f', '-'], {
    input: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: bad}\nspec: {holderIdentity: me, leaseDurationSeconds: 0}\n',
  });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'The Lease "bad" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
});

test('an update carrying a stale resourceVersion is a 409 Conflict: one of two racing writers wins', async () => {
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  const base = await api.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'cas' }, spec: { holderIdentity: 'nobody' } } });
  const write = (who: string) => api.replaceNamespacedLease({ name: 'cas', namespace: 'default', body: { ...base, spec: { holderIdentity: who } } });
  const results = await Promise.allSettled([write('a'), write('b')]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((lost.reason as { code?: number }).code, 409);
  assert.equal(JSON.parse((lost.reason as { body: string }).body).reason, 'Conflict');
});

const NS = 'default';
const LOCK = 'app-leader';
const LEASE_MS = 4000;
/** client-go's RenewDeadline: shorter than the lease, so a leader whose renewals stall steps down before another may take over. */
const RENEW_DEADLINE_MS = 3000;
const RETRY_MS = 200;

/** One candidate of client-go's LeaderElector with a LeaseLock (tryAcquireOrRenew). */
class Candidate {
  paused = false;
  /** When the last successful acquire or renew began (Date.now()). */
  private okAt = -Infinity;
  private stopped = false;
  private observedRaw = '';
  private observedAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly api: k8s.CoordinationV1Api, readonly identity: string) {}

  start(): void {
    const loop = async () => {
      if (!this.paused) {
        const began = Date.now();
        const ok = await this.tryAcquireOrRenew();
        // A renew that was in flight when the candidate hung must not revive it.
        if (ok && !this.paused) this.okAt = began;
      }
      // stop() may land while a request is in flight: no new round after it.
      if (!this.stopped) this.timer = setTimeout(() => void loop(), RETRY_MS);
    };
    void loop();
  }

  /** Leading while the last successful acquire or renew began less than the renew deadline ago. */
  get leading(): boolean {
    return !this.paused && Date.now() - this.okAt < RENEW_DEADLINE_MS;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Stops renewing without releasing, as a hung or killed leader does. */
  hang(): void {
    this.paused = true;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new k8s.V1MicroTime();
    const record = { holderIdentity: this.identity, leaseDurationSeconds: LEASE_MS / 1000, acquireTime: now, renewTime: now, leaseTransitions: 0 };
    let old: k8s.V1Lease;
    try {
      old = await this.api.readNamespacedLease({ name: LOCK, namespace: NS });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) return false;
      try {
        await this.api.createNamespacedLease({ namespace: NS, body: { metadata: { name: LOCK }, spec: record } });
        this.observe(JSON.stringify(record));
        return true;
      } catch {
        return false;
      }
    }
    const spec = old.spec ?? {};
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) this.observe(raw);
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.identity && this.observedAt + LEASE_MS > Date.now()) return false;
    if (holder === this.identity) {
      record.acquireTime = spec.acquireTime as k8s.V1MicroTime;
      record.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      record.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      // The read object carries its resourceVersion: the write is a compare-and-swap.
      const updated = await this.api.replaceNamespacedLease({ name: LOCK, namespace: NS, body: { ...old, spec: record } });
      this.observe(JSON.stringify(updated.spec));
      return true;
    } catch {
      return false;
    }
  }

  private observe(raw: string): void {
    this.observedRaw = raw;
    this.observedAt = Date.now();
  }
}

test('leader election: two candidates, exactly one leads; the other takes over once the leader stops renewing', async () => {
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  const a = new Candidate(api, 'candidate-a');
  const b = new Candidate(api, 'candidate-b');
  const both = [a, b];
  let violations = 0;
  const sampler = setInterval(() => { if (both.filter((x) => x.leading).length > 1) violations++; }, 20);
  try {
    a.start();
    b.start();
    const first = await eventually(() => both.find((x) => x.leading), 10_000, 'a leader');
    assert.ok(first, 'a leader');
    const other = first === a ? b : a;
    // Several lease durations: the leader keeps renewing, the other never leads.
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
    assert.ok(first.leading, 'the leader kept its lease');
    assert.ok(!other.leading);
    const held = await api.readNamespacedLease({ name: LOCK, namespace: NS });
    assert.equal(held.spec?.holderIdentity, first.identity);
    assert.equal(held.spec?.leaseTransitions, 0);
    // kubectl runs asynchronously while the candidates do: a synchronous spawn
    // would freeze both candidates' timers and the sampler for its duration.
    const renewTime = await c.kubectlAsync(['get', 'lease', LOCK, '-o', 'jsonpath={.spec.renewTime}']);
    assert.match(renewTime.stdout, /\.\d{6}Z$/);

    const hungAt = Date.now();
    first.hang();
    await eventually(() => other.leading, 20_000, 'failover');
    assert.ok(Date.now() - hungAt >= LEASE_MS - RETRY_MS, 'not before the lease expired');
    const taken = await api.readNamespacedLease({ name: LOCK, namespace: NS });
    assert.equal(taken.spec?.holderIdentity, other.identity);
    assert.equal(taken.spec?.leaseTransitions, 1);
    const shown = await c.kubectlAsync(['get', 'lease', LOCK]);
    assert.match(shown.stdout, new RegExp(`^${LOCK}\\s+${other.identity}\\s+`, 'm'));
    assert.equal(violations, 0, 'never two leaders at once');
  } finally {
    clearInterval(sampler);
    a.stop();
    b.stop();
  }
});

test('the 1.32 alpha coordinated-election fields are accepted and dropped (gate off), as a 1.32 cluster does; explain knows them', () => {
  c.ok(['apply', '-f', '-'], 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: coordinated}\nspec:\n  holderIdentity: a\n  strategy: OldestEmulationVersion\n  preferredHolder: b\n');
  const spec = JSON.parse(c.ok(['get', 'lease', 'coordinated', '-o', 'jsonpath={.spec}']));
  assert.deepEqual(spec, { holderIdentity: 'a' });
  assert.match(c.ok(['explain', 'lease.spec.strategy']), /Strategy indicates the strategy for picking the leader/);
  const typo = c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: typo}\nspec:\n  holderIdentiy: a\n' });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /unknown field "spec.holderIdentiy"/);
  c.ok(['delete', 'lease', 'coordinated']);
});

test('a Lease update must carry a resourceVersion (AllowUnconditionalUpdate is false); kubectl replace fills it in', () => {
  const lease = 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: conditional, namespace: default}\nspec: {holderIdentity: a}\n';
  c.ok(['apply', '-f', '-'], lease);
  const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'conditional', namespace: 'default' }, spec: { holderIdentity: 'b' } };
  const raw = c.kubectl(['replace', '--raw', '/apis/coordination.k8s.io/v1/namespaces/default/leases/conditional', '-f', '-'], { input: JSON.stringify(body) });
  assert.equal(raw.code, 1);
  // kubectl words a 422 from the Status details (kind `leases`, as the generic store names it).
  assert.equal(raw.stderr.trim(), 'The leases "conditional" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  assert.equal(c.ok(['get', 'lease', 'conditional', '-o', 'jsonpath={.spec.holderIdentity}']), 'a');
  // kubectl replace reads the live resourceVersion first when the file has none.
  c.ok(['replace', '-f', '-'], lease.replace('holderIdentity: a', 'holderIdentity: c'));
  assert.equal(c.ok(['get', 'lease', 'conditional', '-o', 'jsonpath={.spec.holderIdentity}']), 'c');
  c.ok(['delete', 'lease', 'conditional']);
});
