// The namespace controller: when a namespace is being deleted, delete
// everything in it, then clear its `kubernetes` finalizer so the registry
// removes it. It also keeps a `default` ServiceAccount in every namespace.
import { RESOURCES, keyOf } from '../../api/resources.js';
import { isStatusError } from '../../api/errors.js';
import { Informer } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { WorkQueue } from '../workqueue.js';

export class NamespaceController {
  private readonly namespaces: Informer;
  private readonly queue: WorkQueue;

  constructor(private readonly client: Client) {
    this.namespaces = new Informer(client, 'namespaces', { resyncMs: 30_000 });
    this.queue = new WorkQueue((key) => this.reconcile(key), { baseDelayMs: 200, maxDelayMs: 10_000 });
    this.namespaces.addHandlers({
      add: (o) => this.queue.add(o.metadata!.name!),
      update: (_o, n) => this.queue.add(n.metadata!.name!),
    });
  }

  async start(): Promise<void> {
    await this.namespaces.start();
  }

  stop(): void {
    this.queue.stop();
    this.namespaces.stop();
  }

  private async reconcile(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const ns = this.namespaces.get(undefined, name);
    if (!ns) return;
    if (!ns.metadata?.deletionTimestamp) {
      await this.ensureDefaultServiceAccount(name);
      return;
    }
    // Delete every namespaced object; come back until none is left.
    let remaining = 0;
    for (const ri of RESOURCES) {
      if (!ri.namespaced) continue;
      const list = await this.client.list(keyOf(ri), name);
      for (const o of list.items) {
        remaining++;
        if (o.metadata?.deletionTimestamp) continue;
        try {
          await this.client.delete(keyOf(ri), name, o.metadata!.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
      }
    }
    if (remaining > 0) return { requeueAfterMs: 500 };
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if ((spec.finalizers ?? []).includes('kubernetes')) {
      const next: KObject = { ...ns, spec: { ...spec, finalizers: spec.finalizers!.filter((f) => f !== 'kubernetes') } };
      try {
        await this.client.update('namespaces', undefined, next, { subresource: 'finalize' });
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
  }

  private async ensureDefaultServiceAccount(ns: string): Promise<void> {
    try {
      await this.client.create('serviceaccounts', ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden')) throw e;
    }
  }
}
