// Go's json.Unmarshal syntax errors, reproduced for the apiserver's 400s. The
// expected texts were produced by Go 1.19's encoding/json for these inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJsonSyntaxError } from '../../src/api/gojson.js';
import { mulberry32 } from '../helpers/prng.js';

const GO: [string, string | undefined][] = [
  ['', 'unexpected end of JSON input'],
  ['abc', "invalid character 'a' looking for beginning of value"],
  ['{"a":1', 'unexpected end of JSON input'],
  ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
  ['[1,]', "invalid character ']' looking for beginning of value"],
  ['[1 2]', "invalid character '2' after array element"],
  ['tr', "invalid character ' ' in literal true (expecting 'u')"],
  ['trux', "invalid character 'x' in literal true (expecting 'e')"],
  ['nan', "invalid character 'a' in literal null (expecting 'u')"],
  ['-', "invalid character ' ' in numeric literal"],
  ['1.', "invalid character ' ' after decimal point in numeric literal"],
  ['1e+x', "invalid character 'x' in exponent of numeric literal"],
  ['01', "invalid character '1' after top-level value"],
  ['{"a":01}', "invalid character '1' after object key:value pair"],
  ['"a\\', "invalid character ' ' in string escape code"],
  ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
  ['"a\tb"', "invalid character '\\t' in string literal"],
  ['{"a":1}}', "invalid character '}' after top-level value"],
  ["'a'", "invalid character '\\'' looking for beginning of value"],
  ['é', "invalid character 'Ã' looking for beginning of value"],
  ['\x7f', "invalid character '\\x7f' looking for beginning of value"],
  ['\u0085', "invalid character 'Â' looking for beginning of value"],
  ['{"a":[1,{"b":tru}]}', "invalid character '}' in literal true (expecting 'e')"],
  [' {"kind":"Pod","n":[-1.5e+3,true,null,"\\u00e9"]} ', undefined],
];

test('the error texts of Go\'s encoding/json', () => {
  for (const [input, want] of GO) assert.equal(goJsonSyntaxError(Buffer.from(input)), want, JSON.stringify(input));
});

test('mutated documents: an error exactly when JSON.parse rejects them', () => {
  const rnd = mulberry32(7);
  const base = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"b\\n","n":[1,-2.5e+3,true,false,null]}}';
  const alphabet = ' {}[]:,"\\0123456789eE.-+tfnulx\t';
  for (let k = 0; k < 20_000; k++) {
    let s = base;
    for (let o = 0; o < 1 + Math.floor(rnd() * 3); o++) {
      const p = Math.floor(rnd() * (s.length + 1));
      const r = Math.floor(rnd() * 3);
      if (r === 0) s = s.slice(0, p) + s.slice(p + 1);
      else if (r === 1) s = s.slice(0, p) + alphabet[Math.floor(rnd() * alphabet.length)] + s.slice(p);
      else s = s.slice(0, p);
    }
    let valid = true;
    try { JSON.parse(s); } catch { valid = false; }
    const err = goJsonSyntaxError(Buffer.from(s));
    assert.equal(err === undefined, valid, `${JSON.stringify(s)}: ${err}`);
  }
});
