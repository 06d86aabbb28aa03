// Errors are values of the API: one constructor per Kubernetes reason, each
// rendered as a metav1.Status. The HTTP layer only serialises these; it never
// invents messages of its own.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** A group-qualified resource as Kubernetes writes it in messages: `pods`, `statefulsets.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export const notFound = (gr: GroupResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, grDetails(gr, name));

export const alreadyExists = (gr: GroupResource, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, grDetails(gr, name));

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, grDetails(gr, name));

export const staleConflict = (gr: GroupResource, name: string) =>
  conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);
export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (gr: GroupResource, name: string, why: string) =>
  new StatusError(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: ${why}`, grDetails(gr, name));
export const methodNotAllowed = (message: string) => new StatusError(405, 'MethodNotAllowed', message);
export const gone = (message: string) => new StatusError(410, 'Expired', message);
export const tooLarge = () => new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
export const unsupportedMediaType = (type: string) =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type})`);
export const internalError = (message: string) =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
export const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);
export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);

/** A resource that exists but not at this path (unknown resource type or subresource). */
export const pathNotFound = () =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

// ---------------------------------------------------------------------------
// Field errors (k8s.io/apimachinery/pkg/util/validation/field), in the same
// words so kubectl prints exactly what it prints against a real cluster.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The bad value; rendered by `render`. Absent for Required/Forbidden. */
  value?: unknown;
  detail?: string;
  /** Precomputed message (what appears after `field: ` in kubectl's output). */
  message: string;
}

/** Go's %v-ish rendering of a bad value, as field.Error does it. */
export function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]${'{'}${v.map(renderValue).join(', ')}${'}'}`;
  return JSON.stringify(v);
}

export const fieldErr = {
  required: (field: string, detail = ''): FieldError => ({
    type: 'FieldValueRequired', field, detail,
    message: detail ? `Required value: ${detail}` : 'Required value',
  }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid', field, value, detail,
    message: `Invalid value: ${renderValue(value)}${detail ? `: ${detail}` : ''}`,
  }),
  notSupported: (field: string, value: unknown, valid: string[]): FieldError => ({
    type: 'FieldValueNotSupported', field, value,
    message: `Unsupported value: ${renderValue(value)}${valid.length ? `: supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}` : ''}`,
  }),
  notFound: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueNotFound', field, value, message: `Not found: ${renderValue(value)}`,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate', field, value, message: `Duplicate value: ${renderValue(value)}`,
  }),
  forbidden: (field: string, detail: string): FieldError => ({
    type: 'FieldValueForbidden', field, detail, message: `Forbidden: ${detail}`,
  }),
  tooLong: (field: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong', field, value, message: `Too long: may not be more than ${max} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items`,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid', field, value, message: `Invalid value: ${renderValue(value)}: ${detail}`,
  }),
};

/** 422 Invalid, with one cause per field error: `The StatefulSet "web" is invalid: ...`. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const agg = errs.length === 1
    ? `${errs[0].field}: ${errs[0].message}`
    : `[${errs.map((e) => `${e.field}: ${e.message}`).join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const details: StatusDetails = {
    name,
    kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  };
  if (group) details.group = group;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${agg}`, details);
}

export function isStatusError(e: unknown, reason?: string): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}
