// Leases as a 1.32 API server stores them: spec always present (a struct, not
// a pointer, in Go), MicroTimes in their RFC 3339 micro form, and the fields of
// the alpha CoordinatedLeaderElection gate (off by default) dropped, as the
// lease strategy drops them with the gate off.
import { badRequest } from '../errors.js';

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * metav1.MicroTime as it is written back: UTC, six fractional digits
 * (`2006-01-02T15:04:05.000000Z07:00`). Any RFC 3339 time is read (clients
 * that send milliseconds are common); anything else cannot be decoded.
 */
export function microTime(v: string, kind = 'Lease'): string {
  const m = RFC3339.exec(v);
  const ms = m ? Date.parse(`${m[1]}${m[3].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  }
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

export function defaultLease(obj: Record<string, any>): void {
  const spec = (obj.spec = typeof obj.spec === 'object' && obj.spec !== null ? obj.spec : {});
  delete spec.strategy;
  delete spec.preferredHolder;
  for (const k of ['acquireTime', 'renewTime']) {
    if (spec[k] === null) delete spec[k];
    else if (typeof spec[k] === 'string') spec[k] = microTime(spec[k]);
  }
}
