// The syntax error Go's encoding/json reports for a body that is not JSON, so
// a Status from ordinal reads like the apiserver's ("invalid character 'a'
// looking for beginning of value", "unexpected end of JSON input") rather than
// JavaScript's. JSON.parse accepts the same grammar, so this scanner only runs
// after JSON.parse has failed; it walks the bytes with the states of Go's
// scanner (encoding/json/scanner.go) and names the first byte it rejects.

type Container = 'objectKey' | 'objectValue' | 'arrayValue';

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: the byte as a quoted character literal. */
export function goQuoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  // strconv.Quote(string(rune(c))): printable runes as they are, others escaped.
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u00${c.toString(16).padStart(2, '0')}'`;
  if (c === 0xa0 || c === 0xad) return `'\\u00${c.toString(16)}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** The error Go's json.Unmarshal gives for these bytes, or undefined when they are valid JSON. */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  const EOF = -1;
  const END = 'unexpected end of JSON input';
  const n = data.length;
  // Go's scanner steps one space past the end before it gives up, so input that
  // ends inside a literal or number is blamed on that space, as Go blames it.
  const at = (k: number) => (k < n ? data[k] : k === n ? 0x20 : EOF);
  const bad = (c: number, context: string) => (c === EOF ? END : `invalid character ${goQuoteChar(c)} ${context}`);
  const stack: Container[] = [];
  let i = 0;
  const skipSpace = () => { while (SPACE.has(at(i))) i++; };
  const digits = () => { while (isDigit(at(i))) i++; };
  const literal = (rest: string, word: string): string | undefined => {
    for (const ch of rest) {
      if (at(i) !== ch.charCodeAt(0)) return bad(at(i), `in literal ${word} (expecting '${ch}')`);
      i++;
    }
    return undefined;
  };
  const number = (): string | undefined => {
    // A leading 0 takes no more digits; the next byte then ends the value.
    if (at(i) === 0x30) i++;
    else digits();
    if (at(i) === 0x2e) { // .
      i++;
      if (!isDigit(at(i))) return bad(at(i), 'after decimal point in numeric literal');
      digits();
    }
    if (at(i) === 0x65 || at(i) === 0x45) { // e E
      i++;
      if (at(i) === 0x2b || at(i) === 0x2d) i++;
      if (!isDigit(at(i))) return bad(at(i), 'in exponent of numeric literal');
      digits();
    }
    return undefined;
  };
  const inString = (): string | undefined => {
    for (;;) {
      const c = at(i++);
      if (c === EOF) return END;
      if (c === 0x22) return undefined;
      if (c < 0x20) return bad(c, 'in string literal');
      if (c !== 0x5c) continue;
      const e = at(i++);
      if (e === 0x75) { // \uXXXX
        for (let k = 0; k < 4; k++, i++) if (!isHex(at(i))) return bad(at(i), 'in \\u hexadecimal character escape');
      } else if (e === EOF || !'bfnrt\\/"'.includes(String.fromCharCode(e))) {
        return bad(e, 'in string escape code');
      }
    }
  };
  const beginString = (): string | undefined => {
    skipSpace();
    const c = at(i++);
    return c === 0x22 ? inString() : bad(c, 'looking for beginning of object key string');
  };
  const beginValue = (): string | undefined => {
    skipSpace();
    const c = at(i++);
    switch (c) {
      case 0x7b: // {
        skipSpace();
        if (at(i) === 0x7d) { i++; return undefined; }
        stack.push('objectKey');
        return beginString();
      case 0x5b: // [
        skipSpace();
        if (at(i) === 0x5d) { i++; return undefined; }
        stack.push('arrayValue');
        return beginValue();
      case 0x22: return inString();
      case 0x74: return literal('rue', 'true');
      case 0x66: return literal('alse', 'false');
      case 0x6e: return literal('ull', 'null');
      case 0x2d: // -
        return isDigit(at(i)) ? number() : bad(at(i), 'in numeric literal');
      default:
        if (isDigit(c)) { i--; return number(); }
        return bad(c, 'looking for beginning of value');
    }
  };

  let err = beginValue();
  while (!err && stack.length) {
    skipSpace();
    const c = at(i++);
    const top = stack[stack.length - 1];
    if (top === 'objectKey') {
      if (c !== 0x3a) return bad(c, 'after object key');
      stack[stack.length - 1] = 'objectValue';
      err = beginValue();
    } else if (top === 'objectValue') {
      if (c === 0x2c) { stack[stack.length - 1] = 'objectKey'; err = beginString(); } else if (c === 0x7d) stack.pop();
      else return bad(c, 'after object key:value pair');
    } else if (c === 0x2c) {
      err = beginValue();
    } else if (c === 0x5d) {
      stack.pop();
    } else {
      return bad(c, 'after array element');
    }
  }
  if (err) return err;
  skipSpace();
  return i < n ? bad(at(i), 'after top-level value') : undefined;
}
