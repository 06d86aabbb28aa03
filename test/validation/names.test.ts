import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isIP, isQualifiedName, isValidPortName, nameIsDNSLabel, regexError,
} from '../../src/api/validation/names.js';

test('RegexError keeps Kubernetes\' double space before "or"', () => {
  assert.equal(regexError('msg', 'fmt', 'a', 'b'), "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')");
  assert.equal(regexError('msg', 'fmt'), "msg (regex used for validation is 'fmt')");
});

test('DNS-1123 labels and subdomains', () => {
  const valid = ['web', 'web-0', '0web', 'a'];
  for (const v of valid) assert.deepEqual(isDNS1123Label(v), [], v);
  for (const v of ['Web', 'web_0', '-web', 'web-', 'web.0', '']) assert.equal(isDNS1123Label(v).length, 1, v);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('web.default.svc'), []);
  assert.equal(isDNS1123Subdomain('web..svc').length, 1);
  assert.equal(isDNS1123Subdomain('a'.repeat(254)).length, 1);
});

test('generateName prefixes may end in a dash', () => {
  assert.deepEqual(nameIsDNSLabel('web-', true), []);
  assert.equal(nameIsDNSLabel('web-', false).length, 1);
});

test('qualified names (label keys, annotation keys, finalizers)', () => {
  for (const v of ['app', 'app.kubernetes.io/name', 'example.com/My_Key', 'kubernetes.io/pvc-protection']) assert.deepEqual(isQualifiedName(v), [], v);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('Example.com/x').map((m) => m.slice(0, 42)), ['prefix part a lowercase RFC 1123 subdomain']);
  assert.equal(isQualifiedName('a'.repeat(64))[0], 'name part must be no more than 63 characters');
});

test('port names, config keys, IPs', () => {
  assert.deepEqual(isValidPortName('web'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('very-long-port-name'), ['must be no more than 15 characters']);
  assert.deepEqual(isConfigMapKey('..'), ["must not be '..'"]);
  for (const ip of ['10.96.0.1', '127.0.1.10', '::1', '2001:db8::ffff', '::ffff:10.0.0.1']) assert.ok(isIP(ip), ip);
  for (const ip of ['10.96.0.256', '10.96.0', 'fe80::1%eth0', '1::2::3', 'None', '']) assert.ok(!isIP(ip), ip);
});
