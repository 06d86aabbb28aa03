// apps/v1 (k8s.io/api/apps/v1/generated.proto): StatefulSet and ControllerRevision.
// Notation: schema.ts.

import { defineMessages } from './schema.js';

export const APPS_V1 = defineMessages('apps', {
  ControllerRevision: '1 metadata meta.ObjectMeta; 2 data RawExtension; 3 revision *int64',
  RollingUpdateStatefulSetStrategy: '1 partition *int32; 2 maxUnavailable IntOrString',
  StatefulSet: '1 metadata meta.ObjectMeta; 2 spec StatefulSetSpec; 3 status StatefulSetStatus',
  StatefulSetCondition: `
    1 type *string
    2 status *string
    3 lastTransitionTime Time
    4 reason string
    5 message string`,
  StatefulSetOrdinals: '1 start int32',
  StatefulSetPersistentVolumeClaimRetentionPolicy: '1 whenDeleted string; 2 whenScaled string',
  StatefulSetSpec: `
    1 replicas *int32
    2 selector meta.LabelSelector
    3 template core.PodTemplateSpec
    4 volumeClaimTemplates []core.PersistentVolumeClaim
    5 serviceName string
    6 podManagementPolicy string
    7 updateStrategy StatefulSetUpdateStrategy
    8 revisionHistoryLimit *int32
    9 minReadySeconds int32
    10 persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy
    11 ordinals StatefulSetOrdinals`,
  StatefulSetStatus: `
    1 observedGeneration int64
    2 replicas *int32
    3 readyReplicas int32
    4 currentReplicas int32
    5 updatedReplicas int32
    6 currentRevision string
    7 updateRevision string
    9 collisionCount *int32
    10 conditions []StatefulSetCondition
    11 availableReplicas int32`,
  StatefulSetUpdateStrategy: '1 type string; 2 rollingUpdate RollingUpdateStatefulSetStrategy',
});
