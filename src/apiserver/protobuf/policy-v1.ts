// policy/v1 (k8s.io/api/policy/v1/generated.proto): Eviction, the body of pods/eviction.
// Notation: schema.ts.

import { defineMessages } from './schema.js';

export const POLICY_V1 = defineMessages('policy', {
  Eviction: '1 metadata meta.ObjectMeta; 2 deleteOptions meta.DeleteOptions',
});
