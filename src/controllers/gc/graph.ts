// The garbage collector's dependency graph (Kubernetes' GraphBuilder): one
// node per object uid, edges from each owner to its dependents, built from
// informer events. Owners referred to but not (yet) observed are "virtual"
// nodes until the API confirms or denies them. Applying a change returns the
// uids that need attention, so the collector's queues stay the only actors.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { resourceByKind, keyOf, type ResourceKey } from '../../api/resources.js';
import type { KObject } from '../../client/types.js';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export interface Identity {
  /** Undefined for kinds this API does not serve. */
  resource?: ResourceKey;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface GraphNode {
  uid: string;
  identity: Identity;
  owners: OwnerReference[];
  dependents: Set<string>;
  /** Known only from someone's ownerReference. */
  virtual: boolean;
  beingDeleted: boolean;
  /** Being deleted in the foreground: waits for its blocking dependents. */
  deletingDependents: boolean;
  orphaning: boolean;
}

export interface Work {
  /** Check these for deletion (or, virtual ones, for existence). */
  attemptToDelete: string[];
  /** Orphan the dependents of these. */
  attemptToOrphan: string[];
}

function identityOf(obj: KObject, resource?: ResourceKey): Identity {
  return {
    resource,
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    namespace: obj.metadata?.namespace || undefined,
    name: obj.metadata?.name ?? '',
  };
}

/** The identity an ownerReference names, seen from a dependent in `namespace`. */
export function ownerIdentity(ref: OwnerReference, dependentNamespace: string | undefined): Identity {
  const ri = resourceByKind(ref.apiVersion, ref.kind);
  return {
    resource: ri ? keyOf(ri) : undefined,
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    namespace: ri?.namespaced ? dependentNamespace : undefined,
    name: ref.name,
  };
}

const hasFinalizer = (obj: KObject, f: string) => (obj.metadata?.finalizers ?? []).includes(f);

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  size(): number {
    return this.nodes.size;
  }

  /** An object was added or changed. */
  upsert(obj: KObject, resource: ResourceKey): Work {
    const work: Work = { attemptToDelete: [], attemptToOrphan: [] };
    const uid = obj.metadata?.uid;
    if (!uid) return work;
    const owners = obj.metadata?.ownerReferences ?? [];
    let node = this.nodes.get(uid);
    const wasDeletingDependents = !!node && !node.virtual && node.deletingDependents;
    const wasOrphaning = !!node && !node.virtual && node.orphaning;
    if (!node) {
      node = { uid, identity: identityOf(obj, resource), owners: [], dependents: new Set(), virtual: false, beingDeleted: false, deletingDependents: false, orphaning: false };
      this.nodes.set(uid, node);
    } else if (node.virtual) {
      node.virtual = false;
      node.identity = identityOf(obj, resource);
    }
    this.relink(node, owners, work);
    node.beingDeleted = !!obj.metadata?.deletionTimestamp;
    node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FOREGROUND);
    node.orphaning = node.beingDeleted && hasFinalizer(obj, ORPHAN);
    if (node.deletingDependents) {
      // Foreground deletion: its dependents go first; it waits for the blocking ones.
      if (!wasDeletingDependents) work.attemptToDelete.push(...node.dependents);
      work.attemptToDelete.push(uid);
    }
    if (node.orphaning && !wasOrphaning) work.attemptToOrphan.push(uid);
    return work;
  }

  /** An object is gone. Its dependents may now be dangling; foreground owners may now be unblocked. */
  remove(obj: KObject): Work {
    const work: Work = { attemptToDelete: [], attemptToOrphan: [] };
    const uid = obj.metadata?.uid;
    const node = uid ? this.nodes.get(uid) : undefined;
    if (!node || node.virtual) return work;
    this.relink(node, [], work);
    work.attemptToDelete.push(...node.dependents);
    if (node.dependents.size) {
      // Keep it as a virtual node: its dependents still name it, and the API will say it is gone.
      node.virtual = true;
      node.beingDeleted = node.deletingDependents = node.orphaning = false;
      work.attemptToDelete.push(node.uid);
    } else this.nodes.delete(node.uid);
    return work;
  }

  /** A virtual node the API says does not exist: drop it, and have its dependents looked at. */
  forgetAbsent(uid: string): Work {
    const work: Work = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node || !node.virtual) return work;
    this.nodes.delete(uid);
    work.attemptToDelete.push(...node.dependents);
    return work;
  }

  /** Dependents that hold up a foreground deletion of `uid` (blockOwnerDeletion refs). */
  blockingDependents(uid: string): GraphNode[] {
    const node = this.nodes.get(uid);
    if (!node) return [];
    const out: GraphNode[] = [];
    for (const d of node.dependents) {
      const dep = this.nodes.get(d);
      if (dep && !dep.virtual && dep.owners.some((o) => o.uid === uid && o.blockOwnerDeletion)) out.push(dep);
    }
    return out;
  }

  private relink(node: GraphNode, owners: OwnerReference[], work: Work): void {
    const before = new Map(node.owners.map((o) => [o.uid, o]));
    const after = new Map(owners.map((o) => [o.uid, o]));
    for (const [ouid, ref] of before) {
      const changed = after.get(ouid);
      if (changed && !!changed.blockOwnerDeletion === !!ref.blockOwnerDeletion) continue;
      const owner = this.nodes.get(ouid);
      if (!owner) continue;
      if (!changed) {
        owner.dependents.delete(node.uid);
        if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(ouid);
      }
      // An owner waiting for its dependents may be unblocked by this change.
      if (owner.deletingDependents) work.attemptToDelete.push(ouid);
    }
    for (const [ouid, ref] of after) {
      if (before.has(ouid)) continue;
      let owner = this.nodes.get(ouid);
      if (!owner) {
        owner = {
          uid: ouid, identity: ownerIdentity(ref, node.identity.namespace), owners: [], dependents: new Set(),
          virtual: true, beingDeleted: false, deletingDependents: false, orphaning: false,
        };
        this.nodes.set(ouid, owner);
        // Unobserved owner: ask the API whether it exists.
        work.attemptToDelete.push(ouid);
      } else if (owner.virtual) work.attemptToDelete.push(ouid);
      owner.dependents.add(node.uid);
    }
    node.owners = owners.map((o) => ({ ...o }));
  }
}
