// StatefulSets and ControllerRevisions.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { AGE, DOC, NAME, col, containerCells } from './common.js';
import { since } from './time.js';
import type { ResourcePrinter } from './types.js';

export const statefulSetPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Ready', 'Number of the pod with ready state'),
    AGE(),
    col('Containers', DOC.containers, { priority: 1 }),
    col('Images', DOC.images, { priority: 1 }),
  ],
  cells(sts: StatefulSet, now: Date): unknown[] {
    // spec.replicas is defaulted to 1 on write.
    const desired = sts.spec?.replicas ?? 1;
    const ready = sts.status?.readyReplicas ?? 0;
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [sts.metadata?.name ?? '', `${ready}/${desired}`, since(sts.metadata?.creationTimestamp, now), names, images];
  },
};

/** `statefulset.apps/web`: the controller's lower-cased kind, its group, and its name; `<none>` if orphaned. */
function controllerName(rev: ControllerRevision): string {
  const ref = (rev.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = ref.kind ?? '';
  if (!kind && !group) return ref.name;
  const groupKind = group ? `${kind}.${group}` : kind;
  return `${groupKind.toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Controller', 'Controller of the object'),
    col('Revision', 'Revision indicates the revision of the state represented by Data.'),
    AGE(),
  ],
  cells(rev: ControllerRevision, now: Date): unknown[] {
    return [rev.metadata?.name ?? '', controllerName(rev), rev.revision ?? 0, since(rev.metadata?.creationTimestamp, now)];
  },
};
