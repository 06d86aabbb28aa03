// The garbage collector (Kubernetes' pkg/controller/garbagecollector): it
// follows ownerReferences across every served kind (events aside), deletes
// dependents whose owners are gone (Background), deletes the dependents of
// an owner being deleted in the Foreground and then lets the owner go, and
// for Orphan deletion strips the owner's references from its dependents and
// then lets the owner go. The registry puts the `foregroundDeletion` and
// `orphan` finalizers on owners according to the delete's propagationPolicy;
// everything after that happens here.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isStatusError } from '../../api/errors.js';
import { RESOURCES, keyOf, type ResourceKey } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { WorkQueue } from '../workqueue.js';
import { FOREGROUND, Graph, ORPHAN, ownerIdentity, type GraphNode, type Identity, type Work } from './graph.js';

export { Graph } from './graph.js';

export interface GarbageCollectorDeps {
  client: Client;
  /** Kinds not to follow (default: both Event APIs). */
  ignore?: ResourceKey[];
  workers?: number;
}

const DEFAULT_IGNORED = ['events', 'events.events.k8s.io'];
const ABSENT_CACHE_SIZE = 10_000;

type OwnerState = 'solid' | 'dangling' | 'waiting';

export class GarbageCollector {
  private readonly client: Client;
  private readonly graph = new Graph();
  private readonly informers: Informer[] = [];
  private readonly attemptToDelete: WorkQueue;
  private readonly attemptToOrphan: WorkQueue;
  /** Owner uids the API said do not exist (uids never come back). */
  private readonly absent = new Map<string, true>();

  constructor(deps: GarbageCollectorDeps) {
    this.client = deps.client;
    const ignored = new Set(deps.ignore ?? DEFAULT_IGNORED);
    const workers = deps.workers ?? 8;
    this.attemptToDelete = new WorkQueue((uid) => this.processDelete(uid), { workers });
    this.attemptToOrphan = new WorkQueue((uid) => this.processOrphan(uid), { workers: 2 });
    for (const ri of RESOURCES) {
      const key = keyOf(ri);
      if (ignored.has(key) || !ri.verbs.includes('watch') || !ri.verbs.includes('delete')) continue;
      const inf = new Informer(this.client, key);
      inf.addHandlers({
        add: (o) => this.apply(this.graph.upsert(o, key)),
        update: (_old, o) => this.apply(this.graph.upsert(o, key)),
        delete: (o) => this.apply(this.graph.remove(o)),
      });
      this.informers.push(inf);
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
  }

  stop(): void {
    this.attemptToDelete.stop();
    this.attemptToOrphan.stop();
    for (const i of this.informers) i.stop();
  }

  /** Resolves when both queues are empty (tests). */
  async idle(): Promise<void> {
    await Promise.all([this.attemptToDelete.idle(), this.attemptToOrphan.idle()]);
  }

  /** Objects the graph knows (observed and virtual). */
  graphSize(): number {
    return this.graph.size();
  }

  private apply(work: Work): void {
    for (const uid of work.attemptToDelete) this.attemptToDelete.add(uid);
    for (const uid of work.attemptToOrphan) this.attemptToOrphan.add(uid);
  }

  // ------------------------------------------------------------ API access

  private async getLive(id: Identity): Promise<KObject | undefined> {
    if (!id.resource) throw new Error(`unable to find a served resource for ${id.apiVersion}, Kind=${id.kind}`);
    try {
      return await this.client.get(id.resource, id.namespace, id.name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  private markAbsent(uid: string): void {
    this.absent.set(uid, true);
    if (this.absent.size > ABSENT_CACHE_SIZE) this.absent.delete(this.absent.keys().next().value as string);
  }

  /** Whether an owner exists, and if so whether it waits for its dependents (foreground deletion). */
  private async ownerState(ref: OwnerReference, dependentNs: string | undefined): Promise<OwnerState> {
    if (this.absent.has(ref.uid)) return 'dangling';
    const node = this.graph.get(ref.uid);
    if (node && !node.virtual) return node.deletingDependents ? 'waiting' : 'solid';
    const id = node?.identity ?? ownerIdentity(ref, dependentNs);
    // A cluster-scoped dependent cannot have a namespaced owner; such a reference is unresolvable and left alone.
    if (!id.resource) return 'solid';
    const live = await this.getLive(id);
    if (!live || live.metadata?.uid !== ref.uid) {
      this.markAbsent(ref.uid);
      return 'dangling';
    }
    const deleting = !!live.metadata?.deletionTimestamp && (live.metadata?.finalizers ?? []).includes(FOREGROUND);
    return deleting ? 'waiting' : 'solid';
  }

  // ------------------------------------------------------------ attempt to delete

  private async processDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.virtual) return this.verifyVirtual(node);
    const latest = await this.getLive(node.identity);
    if (!latest || latest.metadata?.uid !== uid) {
      // Gone already; the informer will say so too.
      if (!latest) this.apply(this.graph.remove({ metadata: { uid } }));
      return;
    }
    const meta = latest.metadata!;
    const finalizers = meta.finalizers ?? [];
    const deletingDependents = !!meta.deletionTimestamp && finalizers.includes(FOREGROUND);
    if (meta.deletionTimestamp && !deletingDependents) return;
    if (deletingDependents) return this.processDeletingDependents(node, latest);

    const refs = meta.ownerReferences ?? [];
    if (!refs.length) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await this.ownerState(ref, meta.namespace);
      (state === 'solid' ? solid : state === 'dangling' ? dangling : waiting).push(ref);
    }
    if (solid.length) {
      // Still owned: only drop the references to owners that are gone or going.
      if (dangling.length || waiting.length) {
        const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
        await this.patchOwnerRefs(node.identity, latest, refs.filter((r) => !drop.has(r.uid)));
      }
      return;
    }
    if (waiting.length && node.dependents.size) {
      // Owned only by owners deleting in the foreground, and it has dependents itself:
      // delete it in the foreground too, without blocking its owners meanwhile.
      if (waiting.some((r) => r.blockOwnerDeletion)) {
        const waitingUids = new Set(waiting.map((r) => r.uid));
        await this.patchOwnerRefs(node.identity, latest, refs.map((r) => (waitingUids.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r)));
      }
      await this.deleteObject(node.identity, uid, 'Foreground');
      return;
    }
    const policy = finalizers.includes(ORPHAN) ? 'Orphan' : finalizers.includes(FOREGROUND) ? 'Foreground' : 'Background';
    await this.deleteObject(node.identity, uid, policy);
  }

  private async verifyVirtual(node: GraphNode): Promise<void> {
    if (this.absent.has(node.uid)) {
      this.apply(this.graph.forgetAbsent(node.uid));
      return;
    }
    if (!node.identity.resource) return; // a kind we do not serve: leave its dependents alone
    const live = await this.getLive(node.identity);
    if (live && live.metadata?.uid === node.uid) return; // exists; the informer will bring it
    this.markAbsent(node.uid);
    this.apply(this.graph.forgetAbsent(node.uid));
  }

  /** Foreground deletion: delete the dependents; once none blocks, remove the finalizer. */
  private async processDeletingDependents(node: GraphNode, latest: KObject): Promise<void> {
    const blocking = this.graph.blockingDependents(node.uid);
    if (blocking.length === 0) {
      await this.removeFinalizer(node.identity, latest, FOREGROUND);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep.uid);
  }

  // ------------------------------------------------------------ orphan

  private async processOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || node.virtual) return;
    for (const d of [...node.dependents]) {
      const dep = this.graph.get(d);
      if (!dep || dep.virtual) continue;
      const live = await this.getLive(dep.identity);
      if (!live || live.metadata?.uid !== d) continue;
      const refs = live.metadata?.ownerReferences ?? [];
      if (refs.some((r) => r.uid === uid)) await this.patchOwnerRefs(dep.identity, live, refs.filter((r) => r.uid !== uid));
    }
    const latest = await this.getLive(node.identity);
    if (latest && latest.metadata?.uid === uid) await this.removeFinalizer(node.identity, latest, ORPHAN);
  }

  // ------------------------------------------------------------ writes

  private async patchOwnerRefs(id: Identity, latest: KObject, refs: OwnerReference[]): Promise<void> {
    try {
      await this.client.patch(id.resource!, id.namespace, id.name, 'merge', {
        metadata: { uid: latest.metadata?.uid, resourceVersion: latest.metadata?.resourceVersion, ownerReferences: refs.length ? refs : null },
      });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  private async removeFinalizer(id: Identity, latest: KObject, finalizer: string): Promise<void> {
    const finalizers = (latest.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.client.patch(id.resource!, id.namespace, id.name, 'merge', {
        metadata: { uid: latest.metadata?.uid, resourceVersion: latest.metadata?.resourceVersion, finalizers: finalizers.length ? finalizers : null },
      });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  private async deleteObject(id: Identity, uid: string, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.client.delete(id.resource!, id.namespace, id.name, { propagationPolicy: policy, preconditions: { uid } });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }
}
