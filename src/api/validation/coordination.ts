// Leases (pkg/apis/coordination/validation).
import type { FieldError } from '../errors.js';
import { invalid, isObject } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';

/**
 * ValidateLeaseSpec. strategy and preferredHolder belong to the alpha
 * CoordinatedLeaderElection gate (off in 1.32): defaulting drops them, as the
 * strategy does with the gate off, so they never reach here.
 */
export function validateLeaseSpec(spec: unknown, path = 'spec'): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) {
    errs.push(invalid(`${path}.leaseDurationSeconds`, s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof s.leaseTransitions === 'number' && s.leaseTransitions < 0) {
    errs.push(invalid(`${path}.leaseTransitions`, s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateLease(obj: any): FieldError[] {
  return [...validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain), ...validateLeaseSpec(obj?.spec)];
}

export function validateLeaseUpdate(obj: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateLeaseSpec(obj?.spec)];
}
