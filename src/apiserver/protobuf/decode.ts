// Decodes protobuf-encoded messages into the JSON form Go's encoding/json would give the
// same typed object, following the gogo-protobuf conventions of Kubernetes' generated code:
// proto2 scalars (non-pointer Go fields are always on the wire, so their zero values are
// dropped as omitempty drops them; pointer fields are only on the wire when set), maps as
// repeated key=1/value=2 entries, and the apimachinery types with their own JSON form.

import type { FieldSpec, MessageSpec, ScalarType, SpecialType, ValueType } from './schema.js';

/** A malformed or unexpected wire encoding; the caller turns it into a 400. */
export class WireError extends Error {}

export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const MAX_DEPTH = 64;

const WT_VARINT = 0;
const WT_FIXED64 = 1;
const WT_LEN = 2;
const WT_START_GROUP = 3;
const WT_END_GROUP = 4;
const WT_FIXED32 = 5;

export class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data inside a varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A tag: field number and wire type. */
  tag(): [number, number] {
    const v = this.varint();
    const num = Number(v >> 3n);
    if (num < 1 || num > 0x1fffffff) throw new WireError(`invalid field number ${num}`);
    return [num, Number(v & 7n)];
  }

  /** The bounds of a length-delimited value. */
  delimited(): [number, number] {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) throw new WireError(`length ${len} runs past the end of the data`);
    const start = this.pos;
    this.pos += Number(len);
    return [start, this.pos];
  }

  sub(): Reader {
    const [start, end] = this.delimited();
    return new Reader(this.buf, start, end);
  }

  fixed(n: 4 | 8): number {
    if (this.end - this.pos < n) throw new WireError('unexpected end of data inside a fixed-size value');
    const v = n === 8 ? this.buf.readDoubleLE(this.pos) : this.buf.readFloatLE(this.pos);
    this.pos += n;
    return v;
  }

  skip(wireType: number, fieldNumber: number, depth = 0): void {
    switch (wireType) {
      case WT_VARINT: this.varint(); return;
      case WT_FIXED64: this.fixed(8); return;
      case WT_LEN: this.delimited(); return;
      case WT_FIXED32: this.fixed(4); return;
      case WT_START_GROUP: {
        if (depth > MAX_DEPTH) throw new WireError('groups nested too deeply');
        for (;;) {
          if (this.done()) throw new WireError('unterminated group');
          const [num, wt] = this.tag();
          if (wt === WT_END_GROUP) {
            if (num !== fieldNumber) throw new WireError('mismatched end of group');
            return;
          }
          this.skip(wt, num, depth + 1);
        }
      }
      default: throw new WireError(`invalid wire type ${wireType}`);
    }
  }
}

export interface DecodeContext {
  messages: ReadonlyMap<string, MessageSpec>;
  /** `message.fieldNumber` of fields the table does not know (skipped). */
  unknownFields: Set<string>;
  /** Decodes an embedded `k8s\0` object (RawExtension holding protobuf). */
  decodeEmbedded(body: Buffer, depth: number): Record<string, unknown>;
}

function wireTypeOf(v: ValueType): number {
  if (v.kind !== 'scalar') return WT_LEN;
  switch (v.type) {
    case 'string': case 'bytes': return WT_LEN;
    case 'double': return WT_FIXED64;
    case 'float': return WT_FIXED32;
    default: return WT_VARINT;
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function scalarFromVarint(type: ScalarType, v: bigint): number | boolean {
  switch (type) {
    case 'bool': return v !== 0n;
    case 'int32': return Number(BigInt.asIntN(32, v));
    case 'uint32': return Number(BigInt.asUintN(32, v));
    case 'int64': return Number(BigInt.asIntN(64, v));
    default: return Number(v); // uint64
  }
}

function readScalar(r: Reader, type: ScalarType): unknown {
  switch (type) {
    case 'string': {
      const [s, e] = r.delimited();
      return r.buf.toString('utf8', s, e);
    }
    case 'bytes': {
      const [s, e] = r.delimited();
      return r.buf.toString('base64', s, e);
    }
    case 'double': return r.fixed(8);
    case 'float': return r.fixed(4);
    default: return scalarFromVarint(type, r.varint());
  }
}

function zeroOf(v: ValueType): unknown {
  if (v.kind === 'message') return {};
  if (v.kind === 'special') return v.type === 'Quantity' ? '0' : v.type === 'IntOrString' ? 0 : null;
  return v.type === 'string' || v.type === 'bytes' ? '' : v.type === 'bool' ? false : 0;
}

/** Go's RFC 3339 form of a metav1.Time (whole seconds) or MicroTime (six fraction digits). */
function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new WireError(`timestamp ${seconds} out of range`);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const base = iso.slice(0, iso.length - 5);
  if (!micro) return `${base}Z`;
  const us = Math.floor(Math.max(0, nanos) / 1000);
  return `${base}.${String(us).padStart(6, '0')}Z`;
}

function decodeTimestamp(r: Reader, micro: boolean): string | undefined {
  if (r.done()) return undefined; // the zero time is sent as an empty message; JSON has null
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const [num, wt] = r.tag();
    if (num === 1 && wt === WT_VARINT) seconds = Number(BigInt.asIntN(64, r.varint()));
    else if (num === 2 && wt === WT_VARINT) nanos = Number(BigInt.asIntN(32, r.varint()));
    else r.skip(wt, num);
  }
  // metav1.Time keeps whole seconds when read from protobuf; MicroTime keeps the fraction.
  return formatTime(seconds, nanos, micro);
}

function decodeSpecial(ctx: DecodeContext, type: SpecialType, r: Reader, depth: number): unknown {
  switch (type) {
    case 'Time': return decodeTimestamp(r, false);
    case 'MicroTime': return decodeTimestamp(r, true);
    case 'Quantity': {
      let s = '0';
      while (!r.done()) {
        const [num, wt] = r.tag();
        if (num === 1 && wt === WT_LEN) s = readScalar(r, 'string') as string;
        else r.skip(wt, num);
      }
      return s;
    }
    case 'IntOrString': {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      while (!r.done()) {
        const [num, wt] = r.tag();
        if (num === 1 && wt === WT_VARINT) kind = Number(BigInt.asIntN(64, r.varint()));
        else if (num === 2 && wt === WT_VARINT) intVal = Number(BigInt.asIntN(32, r.varint()));
        else if (num === 3 && wt === WT_LEN) strVal = readScalar(r, 'string') as string;
        else r.skip(wt, num);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'RawExtension':
    case 'FieldsV1': {
      let raw: Buffer | undefined;
      while (!r.done()) {
        const [num, wt] = r.tag();
        if (num === 1 && wt === WT_LEN) {
          const [s, e] = r.delimited();
          raw = r.buf.subarray(s, e);
        } else r.skip(wt, num);
      }
      if (!raw || raw.length === 0) return undefined;
      if (type === 'RawExtension' && raw.subarray(0, 4).equals(MAGIC)) return ctx.decodeEmbedded(raw, depth + 1);
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw new WireError(`${type} holds neither JSON nor a protobuf object`);
      }
    }
  }
}

function decodeValue(ctx: DecodeContext, v: ValueType, r: Reader, depth: number): unknown {
  if (v.kind === 'scalar') return readScalar(r, v.type);
  const sub = r.sub();
  if (v.kind === 'special') return decodeSpecial(ctx, v.type, sub, depth);
  const out: Record<string, unknown> = {};
  decodeMessageInto(ctx, v.type, sub, out, depth + 1);
  return out;
}

function decodeMapEntry(ctx: DecodeContext, f: FieldSpec, r: Reader, depth: number): [string, unknown] {
  const entry = r.sub();
  let key = '';
  let value: unknown;
  let seen = false;
  while (!entry.done()) {
    const [num, wt] = entry.tag();
    if (num === 1 && wt === WT_LEN) key = readScalar(entry, 'string') as string;
    else if (num === 2 && wt === wireTypeOf(f.value)) {
      value = decodeValue(ctx, f.value, entry, depth);
      seen = true;
    } else entry.skip(wt, num);
  }
  return [key, seen && value !== undefined ? value : zeroOf(f.value)];
}

function wrongWireType(msg: MessageSpec, f: FieldSpec, wt: number): WireError {
  return new WireError(`field ${msg.name}.${f.json} (${f.number}) has wire type ${wt}, expected ${wireTypeOf(f.value)}`);
}

/** Decodes the fields of message `type` from `r` into `out` (inline fields land in `out` too). */
export function decodeMessageInto(
  ctx: DecodeContext, type: string, r: Reader, out: Record<string, unknown>, depth: number,
): void {
  if (depth > MAX_DEPTH) throw new WireError('messages nested too deeply');
  const msg = ctx.messages.get(type);
  if (!msg) throw new WireError(`no schema for message ${type}`);
  while (!r.done()) {
    const [num, wt] = r.tag();
    const f = msg.fields.get(num);
    if (!f) {
      ctx.unknownFields.add(`${msg.name}.${num}`);
      r.skip(wt, num);
      continue;
    }
    if (f.map) {
      if (wt !== WT_LEN) throw wrongWireType(msg, f, wt);
      const [key, value] = decodeMapEntry(ctx, f, r, depth);
      const map = (out[f.json] ??= {}) as Record<string, unknown>;
      // an own property even for "__proto__", as JSON.parse would make it
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const expected = wireTypeOf(f.value);
    if (f.repeated) {
      const list = (out[f.json] ??= []) as unknown[];
      if (wt === WT_LEN && expected !== WT_LEN) {
        // packed scalars
        const packed = r.sub();
        while (!packed.done()) list.push(readScalar(packed, (f.value as { type: ScalarType }).type));
      } else if (wt === expected) {
        const v = decodeValue(ctx, f.value, r, depth);
        list.push(v === undefined ? null : v);
      } else throw wrongWireType(msg, f, wt);
      continue;
    }
    if (wt !== expected) throw wrongWireType(msg, f, wt);
    if (f.inline) {
      if (f.value.kind !== 'message') throw new WireError(`inline field ${msg.name}.${f.json} is not a message`);
      decodeMessageInto(ctx, f.value.type, r.sub(), out, depth + 1);
      continue;
    }
    const v = decodeValue(ctx, f.value, r, depth);
    if (v === undefined || (f.value.kind === 'scalar' && !f.keepZero && isZero(v))) delete out[f.json];
    else out[f.json] = v;
  }
}
