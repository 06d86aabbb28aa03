// PodDisruptionBudgets (pkg/apis/policy/validation, and the generic ObjectMeta
// checks the registry's BeforeCreate/BeforeUpdate add for this kind).
import type { FieldError } from '../errors.js';
import { GoValue, goIntOrString, invalid, isObject, NEGATIVE, nonNegative, notSupported } from './field.js';
import { validateConditions, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isValidPercent, nameIsPathSegment } from './names.js';

/** supportedUnhealthyPodEvictionPolicies, in the sorted order its message lists them. */
export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

/** apps validation's ValidatePositiveIntOrPercent. */
function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, goIntOrString(v), m));
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? [invalid(path, v, NEGATIVE)] : [];
  return [invalid(path, new GoValue(JSON.stringify(v)), "must be an integer or percentage (e.g '5%')")];
}

/** apps validation's IsNotMoreThan100Percent. */
function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length) return [];
  return Number(v.slice(0, -1)) > 100 ? [invalid(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}

/** `%#v` of the spec for the both-set error: Go prints the pointer fields as addresses. */
function goSpec(spec: Record<string, any>): GoValue {
  let addr = 0xc000a1e000;
  const ptr = (type: string, v: unknown) => (v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0x${(addr += 0x10).toString(16)})`);
  return new GoValue(`policy.PodDisruptionBudgetSpec{MinAvailable:${ptr('intstr.IntOrString', spec.minAvailable)}, Selector:${ptr('v1.LabelSelector', spec.selector)}, MaxUnavailable:${ptr('intstr.IntOrString', spec.maxUnavailable)}, UnhealthyPodEvictionPolicy:${ptr('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy)}}`);
}

/** ValidatePodDisruptionBudgetSpec. */
export function validatePodDisruptionBudgetSpec(spec: unknown, path = 'spec'): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  const has = (k: string) => s[k] !== undefined && s[k] !== null;
  if (has('minAvailable') && has('maxUnavailable')) errs.push(invalid(path, goSpec(s), 'minAvailable and maxUnavailable cannot be both set'));
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!has(k)) continue;
    errs.push(...validatePositiveIntOrPercent(s[k], `${path}.${k}`), ...isNotMoreThan100Percent(s[k], `${path}.${k}`));
  }
  errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  if (has('unhealthyPodEvictionPolicy') && !UNHEALTHY_POD_EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported(`${path}.unhealthyPodEvictionPolicy`, s.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

/**
 * On create: the spec (the strategy's Validate), and only when that passed the
 * generic ObjectMeta checks with path-segment names, as BeforeCreate orders them.
 */
export function validatePodDisruptionBudget(obj: any): FieldError[] {
  const errs = validatePodDisruptionBudgetSpec(obj?.spec);
  if (errs.length) return errs;
  return validateObjectMeta(obj?.metadata, true, nameIsPathSegment);
}

/** On update of the main resource: the spec may change (since 1.15); metadata as any update. */
export function validatePodDisruptionBudgetUpdate(obj: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validatePodDisruptionBudgetSpec(obj?.spec)];
}

/** ValidatePodDisruptionBudgetStatusUpdate for policy/v1: conditions and non-negative counters. */
export function validatePodDisruptionBudgetStatusUpdate(obj: any, old: any): FieldError[] {
  const st: Record<string, any> = isObject(obj?.status) ? obj.status : {};
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...validateConditions(st.conditions, 'status.conditions'),
    ...nonNegative(st.disruptionsAllowed, 'status.disruptionsAllowed'),
    ...nonNegative(st.currentHealthy, 'status.currentHealthy'),
    ...nonNegative(st.desiredHealthy, 'status.desiredHealthy'),
    ...nonNegative(st.expectedPods, 'status.expectedPods'),
  ];
}
