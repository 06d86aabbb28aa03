// Protobuf wire framing for tests: tags, varints and length-delimited fields, enough to
// wrap fields around captured bodies or to write small messages by field number.

export const MAGIC = Buffer.from('k8s\0', 'latin1');

export function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

export const tag = (num: number, wireType: number) => varint((num << 3) | wireType);
/** A varint field (int32, int64, bool). */
export const vint = (num: number, n: number | bigint | boolean) => Buffer.concat([tag(num, 0), varint(typeof n === 'boolean' ? (n ? 1 : 0) : n)]);
/** A length-delimited field (message, string, bytes, map entry, packed list). */
export const field = (num: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([tag(num, 2), varint(body.length), body]);
};
export const str = (num: number, s: string) => field(num, Buffer.from(s, 'utf8'));
export const entry = (num: number, key: string, value?: Buffer) => field(num, str(1, key), ...(value ? [value] : []));

/** A runtime.Unknown envelope with the k8s magic around a typed message. */
export function envelope(apiVersion: string, kind: string, raw: Buffer, extra: Buffer[] = []): Buffer {
  return Buffer.concat([MAGIC, field(1, str(1, apiVersion), str(2, kind)), field(2, raw), ...extra]);
}
