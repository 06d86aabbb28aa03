// coordination/v1 (k8s.io/api/coordination/v1/generated.proto): Lease. Notation: schema.ts.

import { defineMessages } from './schema.js';

export const COORDINATION_V1 = defineMessages('coordination', {
  Lease: '1 metadata meta.ObjectMeta; 2 spec LeaseSpec',
  LeaseSpec: `
    1 holderIdentity *string
    2 leaseDurationSeconds *int32
    3 acquireTime MicroTime
    4 renewTime MicroTime
    5 leaseTransitions *int32
    6 strategy *string
    7 preferredHolder *string`,
});
