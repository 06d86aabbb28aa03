// Label and field selectors, in their query-string form (`app=nginx,tier in (a,b),!x`)
// and, for labels, the structured form of a LabelSelector (matchLabels/matchExpressions).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest } from './errors.js';

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type Selector = Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function parseLabelSelector(s: string | undefined): Selector {
  if (!s) return [];
  const reqs: Selector = [];
  for (const term of splitTerms(s)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([^\s=!<>(),]+)$/))) reqs.push({ key: m[1], op: 'notexists' });
    else if ((m = term.match(/^([^\s=!<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter((v, i, a) => v !== '' || a.length === 1) });
    } else if ((m = term.match(/^([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] });
    } else if ((m = term.match(/^([^\s=!<>(),]+)\s*(>|<)\s*(-?\d+)$/))) {
      reqs.push({ key: m[1], op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) });
    } else if ((m = term.match(/^([^\s=!<>(),]+)$/))) reqs.push({ key: m[1], op: 'exists' });
    else throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
  }
  return reqs;
}

export function matchesLabels(sel: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq': if (!has || v !== r.value) return false; break;
      case 'neq': if (has && v === r.value) return false; break;
      case 'in': if (!has || !r.values.includes(v)) return false; break;
      case 'notin': if (has && r.values.includes(v)) return false; break;
      case 'exists': if (!has) return false; break;
      case 'notexists': if (has) return false; break;
      case 'gt': if (!has || !(Number(v) > r.value)) return false; break;
      case 'lt': if (!has || !(Number(v) < r.value)) return false; break;
    }
  }
  return true;
}

/** metav1.LabelSelectorAsSelector: an empty selector matches everything; undefined matches nothing. */
export function fromLabelSelector(ls: LabelSelector | undefined): Selector | null {
  if (!ls) return null;
  const reqs: Selector = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, op: 'eq', value });
  for (const e of ls.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': reqs.push({ key: e.key, op: 'in', values: e.values ?? [] }); break;
      case 'NotIn': reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] }); break;
      case 'Exists': reqs.push({ key: e.key, op: 'exists' }); break;
      case 'DoesNotExist': reqs.push({ key: e.key, op: 'notexists' }); break;
      default: throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return reqs;
}

/** The query-string form of a LabelSelector, as kubectl and Scale.status.selector show it. */
export function labelSelectorString(ls: LabelSelector | undefined): string {
  const parts: string[] = [];
  const ml = ls?.matchLabels ?? {};
  for (const k of Object.keys(ml).sort()) parts.push(`${k}=${ml[k]}`);
  for (const e of ls?.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

// ---------------------------------------------------------------------------
// Field selectors: `metadata.name=web-0,status.phase!=Running`.

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s) return [];
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    const m = term.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    out.push({ field: m[1].trim(), op: m[2] === '!=' ? 'neq' : 'eq', value: m[3].trim() });
  }
  return out;
}

/** Field paths every resource supports; the registry adds per-kind ones. */
export const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];

export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field);
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
