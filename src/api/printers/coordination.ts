// Leases (printLease): who holds each one.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { AGE, NAME, col } from './common.js';
import { since } from './time.js';
import type { ResourcePrinter } from './types.js';

export const leasePrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Holder', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
    AGE(),
  ],
  cells(lease: Lease, now: Date): unknown[] {
    return [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', since(lease.metadata?.creationTimestamp, now)];
  },
};
