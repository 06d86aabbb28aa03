// Field errors worded as apimachinery's field.Error renders them, including
// Go's rendering of the bad value (`%q` for strings, `%v` for numbers, `%#v`
// for maps, slices and structs), so `kubectl` prints the same line it prints
// against a real cluster.
import type { FieldError, FieldErrorType } from '../errors.js';
import { fieldErr } from '../errors.js';

/** A value already rendered the way Go's `%#v` would print it. */
export class GoValue {
  constructor(readonly text: string) {}
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Go rendering of a bad value, following field.Error.ErrorBody. */
export function goRender(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return goStringSlice(v as string[]);
    return `[]interface {}{${v.map(goRender).join(', ')}}`;
  }
  if (typeof v === 'object') {
    const vals = Object.values(v as object);
    if (vals.every((x) => typeof x === 'string')) return goStringMap(v as Record<string, string>);
    return JSON.stringify(v);
  }
  return String(v);
}

/** `[]string{"a", "b"}`; `[]string(nil)` for an absent slice. */
export function goStringSlice(v: string[] | undefined, type = 'string'): string {
  if (!v) return `[]${type}(nil)`;
  return `[]${type}{${v.map(quote).join(', ')}}`;
}

/** `map[string]string{"a":"b"}` with sorted keys; `map[string]string(nil)` when absent. */
export function goStringMap(m: Record<string, string> | undefined, type = 'map[string]string'): string {
  if (!m) return `${type}(nil)`;
  const keys = Object.keys(m).sort();
  return `${type}{${keys.map((k) => `${quote(k)}:${quote(m[k])}`).join(', ')}}`;
}

/** An intstr.IntOrString printed as a struct (its String method has a pointer receiver). */
export function goIntOrString(v: number | string): GoValue {
  return typeof v === 'number'
    ? new GoValue(`intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`)
    : new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${quote(v)}}`);
}

export const required = fieldErr.required;
export const forbidden = fieldErr.forbidden;
export const tooLong = fieldErr.tooLong;
export const tooMany = fieldErr.tooMany;

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return {
    type: 'FieldValueInvalid', field, value: plain(value), detail,
    message: `Invalid value: ${goRender(value)}${detail ? `: ${detail}` : ''}`,
  };
}

export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  return {
    type: 'FieldValueNotSupported', field, value: plain(value),
    message: `Unsupported value: ${goRender(value)}${valid.length ? `: supported values: ${valid.map(quote).join(', ')}` : ''}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value: plain(value), message: `Duplicate value: ${goRender(value)}` };
}

/** field.NotFound. Its reason, FieldValueNotFound, is one of apimachinery's cause types. */
export function notFound(field: string, value: unknown): FieldError {
  return {
    type: 'FieldValueNotFound' as FieldErrorType, field, value: plain(value),
    message: `Not found: ${goRender(value)}`,
  };
}

function plain(v: unknown): unknown {
  return v instanceof GoValue ? v.text : v;
}

/** apimachinery's ValidateImmutableField: `field is immutable`. */
export const FIELD_IMMUTABLE = 'field is immutable';

export function immutable(field: string, newValue: unknown, oldValue: unknown): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalid(field, newValue, FIELD_IMMUTABLE)];
}

/**
 * Semantic equality of two decoded objects, treating an absent field, null,
 * a zero value, an empty map and an empty list alike (Go's omitempty makes
 * them one value).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  a = normalize(a);
  b = normalize(b);
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

function normalize(v: unknown): unknown {
  // Go's zero values of non-pointer fields are indistinguishable from absent ones.
  if (v === null || v === '' || v === false || v === 0) return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return undefined;
  return v;
}

export const NEGATIVE = 'must be greater than or equal to 0';

/** ValidateNonnegativeField. */
export function nonNegative(value: number | undefined, field: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, NEGATIVE)] : [];
}

export function inclusiveRange(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Iterate a map-like field in a stable order (Go's map order is random; sorted keys are one of its orders). */
export function entries<T>(m: Record<string, T> | undefined | null): [string, T][] {
  if (!m || typeof m !== 'object') return [];
  return Object.keys(m).sort().map((k) => [k, m[k]]);
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function arr<T = any>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}
