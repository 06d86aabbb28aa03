// The node's heartbeat Lease (the kubelet's nodelease controller, after
// k8s.io/component-helpers/apimachinery/lease): a Lease named after the node in
// kube-node-lease, held by the node, renewed every 10 seconds and valid for 40,
// owned by the Node object so that it goes with it. `kubectl describe node`
// shows it (HolderIdentity, RenewTime).
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import type { Client, KObject } from '../client/types.js';
import { rfc3339Micro } from '../api/time.js';
import { realClock, type Clock } from './clock.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;
/** A quarter of the lease duration, as the kubelet renews. */
export const NODE_LEASE_RENEW_INTERVAL_MS = 10_000;
const MAX_UPDATE_RETRIES = 5;

type K<T> = T & KObject;

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  clock?: Clock;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  log?: (line: string) => void;
}

export class NodeLease {
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly duration: number;
  private readonly interval: number;
  private readonly log: (line: string) => void;
  private latest?: K<Lease>;
  private timer?: unknown;
  private running = false;
  private renewing?: Promise<void>;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.client = opts.client;
    this.clock = opts.clock ?? realClock;
    this.duration = opts.leaseDurationSeconds ?? NODE_LEASE_DURATION_SECONDS;
    this.interval = opts.renewIntervalMs ?? NODE_LEASE_RENEW_INTERVAL_MS;
    this.log = opts.log ?? (() => {});
  }

  /** Renews once now, then every interval until stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  private async tick(): Promise<void> {
    this.renewing = this.renew().catch((e) => this.log(`failed to renew lease ${NODE_LEASE_NAMESPACE}/${this.opts.nodeName}: ${(e as Error).message}`));
    await this.renewing;
    if (this.running) this.timer = this.clock.setTimeout(() => void this.tick(), this.interval);
  }

  /**
   * One heartbeat (the lease controller's sync): update the lease last written
   * (no read, as it rarely changes elsewhere); on a conflict or when there is
   * none, read it again or create it.
   */
  async renew(): Promise<void> {
    if (this.latest) {
      try {
        await this.retryUpdate(this.latest);
        return;
      } catch {
        // Fall back to reading (or creating) it.
      }
    }
    const { lease, created } = await this.ensure();
    this.latest = lease;
    if (!created) await this.retryUpdate(lease);
  }

  private async ensure(): Promise<{ lease: K<Lease>; created: boolean }> {
    try {
      return { lease: await this.client.get<K<Lease>>('leases.coordination.k8s.io', NODE_LEASE_NAMESPACE, this.opts.nodeName), created: false };
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    const lease = await this.client.create<K<Lease>>('leases.coordination.k8s.io', NODE_LEASE_NAMESPACE, await this.newLease(undefined));
    return { lease, created: true };
  }

  private async retryUpdate(base: K<Lease>): Promise<void> {
    let cur = base;
    for (let i = 0; ; i++) {
      try {
        this.latest = await this.client.update<K<Lease>>('leases.coordination.k8s.io', NODE_LEASE_NAMESPACE, await this.newLease(cur));
        return;
      } catch (e) {
        if (i + 1 >= MAX_UPDATE_RETRIES) throw new Error(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`);
        if (isStatusError(e, 'Conflict')) cur = (await this.ensure()).lease;
        else if (isStatusError(e, 'NotFound')) throw e;
      }
    }
  }

  /** newLease: the node's lease (or a copy of `base`) renewed now, owned by the Node once its uid is known. */
  private async newLease(base: K<Lease> | undefined): Promise<K<Lease>> {
    const name = this.opts.nodeName;
    const lease: K<Lease> = base
      ? structuredClone(base)
      : {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name, namespace: NODE_LEASE_NAMESPACE },
        spec: { holderIdentity: name, leaseDurationSeconds: this.duration },
      };
    lease.spec = { ...lease.spec, renewTime: rfc3339Micro(this.clock.now()) };
    if (!lease.metadata?.ownerReferences?.length) {
      try {
        const node = await this.client.get<K<Node>>('nodes', undefined, name);
        lease.metadata = { ...lease.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid! }] };
      } catch {
        // Not registered yet: the owner is set at a later renewal.
      }
    }
    return lease;
  }
}
