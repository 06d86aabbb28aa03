// autoscaling/v1 (k8s.io/api/autoscaling/v1/generated.proto): Scale, the body of the
// statefulsets/scale subresource. Notation: schema.ts.

import { defineMessages } from './schema.js';

export const AUTOSCALING_V1 = defineMessages('autoscaling', {
  Scale: '1 metadata meta.ObjectMeta; 2 spec ScaleSpec; 3 status ScaleStatus',
  ScaleSpec: '1 replicas int32',
  ScaleStatus: '1 replicas *int32; 2 selector string',
});
