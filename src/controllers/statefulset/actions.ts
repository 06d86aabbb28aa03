// What one sync of a StatefulSet decides to do. The decision (control.ts) is a
// pure function of the observed world; an executor performs these actions
// through the API (pod_control.ts) or, in the simulation, against a fake world.
import type { ControllerRevision, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';

/** A claim whose ownerReferences must be rewritten (the full desired object, based on the cached one). */
export interface ClaimRefUpdate {
  claim: PersistentVolumeClaim;
}

export type Action =
  /** Store a new revision of the template. */
  | { kind: 'createRevision'; revision: ControllerRevision }
  /** Rollback: give an older revision with an equal template the next revision number. */
  | { kind: 'bumpRevision'; revision: ControllerRevision; to: number }
  | { kind: 'deleteRevision'; revision: ControllerRevision }
  /**
   * Create a member pod: first its missing claims, failing if a claim is
   * being deleted; then the pod; then fix the ownerReferences of claims that
   * already existed (retention policy).
   */
  | {
    kind: 'createPod'; pod: Pod; createClaims: PersistentVolumeClaim[]; terminatingClaims: string[];
    claimUpdates: PersistentVolumeClaim[]; conflictingClaims: string[];
  }
  /** A pending pod: recreate missing claims and fix claim ownerReferences. */
  | {
    kind: 'ensureClaims'; pod: Pod; createClaims: PersistentVolumeClaim[]; terminatingClaims: string[];
    claimUpdates: PersistentVolumeClaim[]; conflictingClaims: string[];
  }
  /**
   * Restore a member's identity labels and claim volumes, create its missing
   * claims and fix claim ownerReferences. `pod` is the desired object, or
   * undefined when only claims change.
   */
  | {
    kind: 'updatePod'; pod: Pod; desired?: Pod; createClaims: PersistentVolumeClaim[]; terminatingClaims: string[];
    claimUpdates: PersistentVolumeClaim[]; conflictingClaims: string[];
  }
  /** Claim ownerReferences of a condemned pod, before it is deleted. */
  | { kind: 'updateClaims'; pod: Pod; claimUpdates: PersistentVolumeClaim[]; conflictingClaims: string[] }
  | { kind: 'deletePod'; pod: Pod; why: 'failed' | 'condemned' | 'update' };

/**
 * Steps run in order and stop at the first step that fails. Within a step the
 * lanes run concurrently (Parallel's slow-start batches); each lane runs its
 * actions in order and stops at its first failure.
 */
export type Step = Action[][];

export interface SyncPlan {
  /** Revision bookkeeping; if it fails nothing else but history truncation runs. */
  revision: Action[];
  /** Pod and claim work. */
  steps: Step[];
  /** The status to write, or undefined if the stored one is already right. Written even when a step failed. */
  status?: StatefulSetStatus;
  /** History truncation; runs after everything else, even after a failure. */
  truncate: Action[];
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  /** Ask to be synced again after this long (availability changes with time alone). */
  requeueAfterMs?: number;
  /** Why the sync stopped early, for logs and tests (e.g. "waiting for web-0 to be Running and Ready"). */
  waiting?: string;
}
