// storage/v1 (k8s.io/api/storage/v1/generated.proto): StorageClass.
// Notation: schema.ts.

import { defineMessages } from './schema.js';

export const STORAGE_V1 = defineMessages('storage', {
  StorageClass: `
    1 metadata meta.ObjectMeta
    2 provisioner *string
    3 parameters map[string]string
    4 reclaimPolicy *string
    5 mountOptions []string
    6 allowVolumeExpansion *bool
    7 volumeBindingMode *string
    8 allowedTopologies []core.TopologySelectorTerm`,
});
