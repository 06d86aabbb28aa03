// The protobuf wire schema of the served kinds, written in a compact notation
// that reads side by side with Kubernetes' generated.proto files.
//
// One message is one template string, one field a line:
//
//     <field number> <json name> <type> [inline]
//
// Types:
//   string bool int32 int64 bytes double       proto scalars (int64 becomes a JSON number)
//   *T                                         a scalar whose zero value is kept when it is on
//                                              the wire: a Go pointer (*int32 replicas, *bool
//                                              immutable, *string storageClassName) or a Go
//                                              field without omitempty (container name,
//                                              containerPort). Plain scalars with their zero
//                                              value are dropped, as Go's omitempty does.
//   []T                                        repeated (packed or not)
//   map[string]T                               proto map (repeated key=1/value=2 entries)
//   Name  or  group.Name                       a message of this file's group, or of another
//   Time MicroTime Quantity IntOrString        apimachinery types with their own JSON form
//   RawExtension FieldsV1                      (see decode.ts)
//
// `inline` marks an embedded Go struct with `json:",inline"`: its fields are merged into the
// parent's JSON object (LocalObjectReference in ConfigMapKeySelector, VolumeSource in Volume).
//
// Groups: meta (apimachinery meta/v1), core, apps, autoscaling, discovery, storage, events, coordination,
// policy. Field numbers and JSON names are facts of the Kubernetes protocol.

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bytes' | 'double' | 'float';
export type SpecialType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'bytes', 'double', 'float']);
const SPECIALS = new Set<string>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'RawExtension', 'FieldsV1']);

/** What a single value is: a scalar, one of the special apimachinery types, or a message. */
export type ValueType =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'special'; type: SpecialType }
  | { kind: 'message'; type: string }; // qualified: `core.PodSpec`

export interface FieldSpec {
  number: number;
  json: string;
  value: ValueType;
  repeated: boolean;
  /** Set for map fields; `value` is then the map's value type (keys are strings). */
  map: boolean;
  keepZero: boolean;
  inline: boolean;
}

export interface MessageSpec {
  name: string; // qualified
  fields: Map<number, FieldSpec>;
}

export type MessageTable = Record<string, string>;

function valueType(group: string, t: string): ValueType {
  if (SCALARS.has(t)) return { kind: 'scalar', type: t as ScalarType };
  if (SPECIALS.has(t)) return { kind: 'special', type: t as SpecialType };
  if (!/^([a-z]+\.)?[A-Z][A-Za-z0-9]*$/.test(t)) throw new Error(`bad type ${t}`);
  return { kind: 'message', type: t.includes('.') ? t : `${group}.${t}` };
}

function parseField(group: string, message: string, line: string): FieldSpec {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 3 || parts.length > 4 || (parts.length === 4 && parts[3] !== 'inline')) {
    throw new Error(`${group}.${message}: cannot read field "${line.trim()}"`);
  }
  const [num, json, rawType] = parts;
  const number = Number(num);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${group}.${message}: bad field number in "${line}"`);
  let t = rawType;
  let repeated = false;
  let map = false;
  let keepZero = false;
  if (t.startsWith('[]')) {
    repeated = true;
    t = t.slice(2);
  } else if (t.startsWith('map[string]')) {
    map = true;
    t = t.slice('map[string]'.length);
  }
  if (t.startsWith('*')) {
    keepZero = true;
    t = t.slice(1);
  }
  return { number, json, value: valueType(group, t), repeated, map, keepZero, inline: parts[3] === 'inline' };
}

/** Reads a group's table into message specs keyed by qualified name (`core.Pod`). */
export function defineMessages(group: string, table: MessageTable): Map<string, MessageSpec> {
  const out = new Map<string, MessageSpec>();
  for (const [name, body] of Object.entries(table)) {
    const fields = new Map<number, FieldSpec>();
    for (const line of body.split(/[\n;]/)) {
      if (line.trim() === '') continue;
      const f = parseField(group, name, line);
      if (fields.has(f.number)) throw new Error(`${group}.${name}: field ${f.number} twice`);
      fields.set(f.number, f);
    }
    out.set(`${group}.${name}`, { name: `${group}.${name}`, fields });
  }
  return out;
}
