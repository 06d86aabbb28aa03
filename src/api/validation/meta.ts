// ObjectMeta, labels, annotations and label selectors, as apimachinery's
// pkg/api/validation and pkg/apis/meta/v1/validation check them.
import type { FieldError } from '../errors.js';
import {
  GoValue, arr, duplicate, entries, forbidden, goStringMap, goStringSlice, immutable, invalid, isObject, nonNegative, notSupported,
  required, tooLong,
} from './field.js';
import { NameValidator, isDNS1123Label, isQualifiedName, isValidLabelValue, regexError } from './names.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of entries(labels as Record<string, unknown>)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    const value = typeof v === 'string' ? v : String(v ?? '');
    for (const m of isValidLabelValue(value)) errs.push(invalid(path, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries(annotations as Record<string, unknown>)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v ?? ''));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of arr<Record<string, any>>(refs)) {
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(invalid(path, new GoValue('[]v1.OwnerReference{...}'),
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else firstController = cur;
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr<string>(finalizers);
  for (const f of list) for (const m of isQualifiedName(String(f))) errs.push(invalid(path, f, m));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, new GoValue(goStringSlice(list)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export function validateNamespaceName(name: string, prefix: boolean): string[] {
  return isDNS1123Label(prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);
}

/** ValidateObjectMeta: name (or generateName), namespace, generation, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: any, requiresNamespace: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const m: Record<string, any> = isObject(meta) ? meta : {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(String(m.generateName), true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(String(m.name), false)) errs.push(invalid(`${path}.name`, m.name, msg));
  if (requiresNamespace) {
    if (!m.namespace) errs.push(required(`${path}.namespace`, ''));
    else for (const msg of validateNamespaceName(String(m.namespace), false)) errs.push(invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/** ValidateObjectMetaUpdate (the registry checks resourceVersion and finalizers of deleting objects itself). */
export function validateObjectMetaUpdate(meta: any, old: any, path = 'metadata'): FieldError[] {
  const m: Record<string, any> = isObject(meta) ? meta : {};
  const o: Record<string, any> = isObject(old) ? old : {};
  const errs: FieldError[] = [];
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(`${path}.generation`, m.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(`${path}.name`, m.name ?? '', o.name ?? ''));
  errs.push(...immutable(`${path}.namespace`, m.namespace ?? '', o.namespace ?? ''));
  errs.push(...immutable(`${path}.uid`, m.uid ?? '', o.uid ?? ''));
  errs.push(...immutable(`${path}.creationTimestamp`, m.creationTimestamp, o.creationTimestamp));
  errs.push(...immutable(`${path}.deletionTimestamp`, m.deletionTimestamp, o.deletionTimestamp));
  errs.push(...immutable(`${path}.deletionGracePeriodSeconds`, m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  return errs;
}

// ---------------------------------------------------------------- selectors

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** ValidateLabelSelector with strict label values (what workloads use). */
export function validateLabelSelector(sel: any, path: string): FieldError[] {
  if (!isObject(sel)) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  arr<Record<string, any>>(sel.matchExpressions).forEach((expr, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = arr<string>(expr.values);
    switch (expr.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(String(expr.key ?? ''))) errs.push(invalid(`${p}.key`, expr.key ?? '', m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(String(v))) errs.push(invalid(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** Whether metav1.LabelSelectorAsSelector would accept the selector. */
export function selectorConvertible(sel: any): boolean {
  if (sel === undefined || sel === null) return true;
  if (!isObject(sel)) return false;
  for (const [k, v] of entries(sel.matchLabels as Record<string, unknown>)) {
    if (isQualifiedName(k).length || isValidLabelValue(String(v)).length) return false;
  }
  for (const e of arr<Record<string, any>>(sel.matchExpressions)) {
    if (!OPERATORS.includes(e.operator)) return false;
    const values = arr<string>(e.values);
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) return false;
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) return false;
    if (isQualifiedName(String(e.key ?? '')).length) return false;
    if (values.some((v) => isValidLabelValue(String(v)).length)) return false;
  }
  return true;
}

/** Whether a (convertible) selector matches a label set. An empty selector matches everything. */
export function selectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  if (!isObject(sel)) return false;
  const l = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(l, k);
  for (const [k, v] of entries(sel.matchLabels as Record<string, string>)) if (!has(k) || l[k] !== v) return false;
  for (const e of arr<Record<string, any>>(sel.matchExpressions)) {
    const values = arr<string>(e.values);
    switch (e.operator) {
      case 'In': if (!has(e.key) || !values.includes(l[e.key])) return false; break;
      case 'NotIn': if (has(e.key) && values.includes(l[e.key])) return false; break;
      case 'Exists': if (!has(e.key)) return false; break;
      case 'DoesNotExist': if (has(e.key)) return false; break;
    }
  }
  return true;
}

/** A metav1.LabelSelector printed by Go's `%#v`. */
export function goLabelSelector(sel: any): GoValue {
  const s = isObject(sel) ? sel : {};
  const ml = isObject(s.matchLabels) ? goStringMap(s.matchLabels as Record<string, string>) : 'map[string]string(nil)';
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${arr<Record<string, any>>(s.matchExpressions).map((e) =>
      `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${goStringSlice(Array.isArray(e.values) ? e.values : undefined)}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${exprs}}`);
}

// ---------------------------------------------------------------- conditions

const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const CONDITION_REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';
const CONDITION_REASON_RE = new RegExp(`^${CONDITION_REASON_FMT}$`);
const CONDITION_REASON_MSG = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const MAX_CONDITION_REASON = 1024;
const MAX_CONDITION_MESSAGE = 32 * 1024;

/** ValidateConditions: a list of metav1.Condition (type unique and qualified, status, reason, lastTransitionTime). */
export function validateConditions(conditions: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr<Record<string, any>>(conditions).forEach((c, i) => {
    const p = `${path}[${i}]`;
    const type = String(c.type ?? '');
    if (seen.has(type)) errs.push(duplicate(`${p}.type`, type));
    seen.add(type);
    for (const m of isQualifiedName(type)) errs.push(invalid(`${p}.type`, type, m));
    if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status ?? '', CONDITION_STATUSES));
    if (typeof c.observedGeneration === 'number' && c.observedGeneration < 0) {
      errs.push(invalid(`${p}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'));
    }
    if (!c.lastTransitionTime) errs.push(required(`${p}.lastTransitionTime`, 'must be set'));
    const reason = String(c.reason ?? '');
    if (!reason) errs.push(required(`${p}.reason`, 'must be set'));
    else {
      if (!CONDITION_REASON_RE.test(reason)) {
        errs.push(invalid(`${p}.reason`, reason, regexError(CONDITION_REASON_MSG, CONDITION_REASON_FMT, 'my_name', 'MY_NAME', 'MyName', 'ReasonA,ReasonB', 'ReasonA:ReasonB')));
      }
      if (reason.length > MAX_CONDITION_REASON) errs.push(tooLong(`${p}.reason`, reason, MAX_CONDITION_REASON));
    }
    if (String(c.message ?? '').length > MAX_CONDITION_MESSAGE) errs.push(tooLong(`${p}.message`, c.message, MAX_CONDITION_MESSAGE));
  });
  return errs;
}
