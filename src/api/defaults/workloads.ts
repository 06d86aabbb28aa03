// Defaults of StatefulSets (pkg/apis/apps/v1/defaults.go), as of Kubernetes
// 1.32: the MaxUnavailableStatefulSet gate is off there, so maxUnavailable
// gets no default.
import { defaultPodTemplate } from './pod.js';
import { defaultClaim } from './storage.js';

type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function defaultStatefulSet(sts: Obj): void {
  const spec = isObj(sts.spec) ? sts.spec : (sts.spec = {});
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) {
    if (us.rollingUpdate.partition === undefined || us.rollingUpdate.partition === null) us.rollingUpdate.partition = 0;
  }
  const rp = isObj(spec.persistentVolumeClaimRetentionPolicy)
    ? spec.persistentVolumeClaimRetentionPolicy
    : (spec.persistentVolumeClaimRetentionPolicy = {});
  if (!rp.whenDeleted) rp.whenDeleted = 'Retain';
  if (!rp.whenScaled) rp.whenScaled = 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(isObj(spec.template) ? spec.template : (spec.template = {}));
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) {
      if (!isObj(t)) continue;
      // The embedded claims are written with their type, as the apps/v1 conversion does.
      t.apiVersion = 'v1';
      t.kind = 'PersistentVolumeClaim';
      defaultClaim(t);
    }
  }
}
