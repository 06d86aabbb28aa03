// PodDisruptionBudgets (printPodDisruptionBudget): the budget and what it allows now.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { AGE, NAME, col } from './common.js';
import { since } from './time.js';
import type { ResourcePrinter } from './types.js';

/** intstr.IntOrString's String(): the number, or the percent string as written. */
function intOrString(v: number | string | undefined): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

export const podDisruptionBudgetPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', { type: 'integer' }),
    AGE(),
  ],
  cells(pdb: PodDisruptionBudget, now: Date): unknown[] {
    return [
      pdb.metadata?.name ?? '',
      intOrString(pdb.spec?.minAvailable),
      intOrString(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      since(pdb.metadata?.creationTimestamp, now),
    ];
  },
};
