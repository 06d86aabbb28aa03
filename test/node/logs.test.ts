// Container logs: the CRI-format writer and every kubectl logs option of the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ContainerLogWriter, readLog, nanoTimestamp, parseLogLine } from '../../src/node/logs.js';

function collect(s: Readable): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ordinal-logs-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('writer records lines in the CRI format, partial lines as P', async () => {
  const path = join(dir, 'a', '0.log');
  const w = new ContainerLogWriter(path, 1024);
  const out = new PassThrough();
  const err = new PassThrough();
  w.attach(out, 'stdout');
  w.attach(err, 'stderr');
  const closed = new Promise((r) => w.once('close', r));
  out.write('hello\nwor');
  out.write('ld\n');
  err.write('oops\n');
  out.end('no newline');
  err.end();
  await closed;
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello$/);
  assert.match(lines[1], / stdout F world$/);
  assert.match(lines[2], / stderr F oops$/);
  assert.match(lines[3], / stdout P no newline$/);
  assert.deepEqual(w.replay().map(([s, b]) => `${s}:${b}`), ['stdout:hello\nwor', 'stdout:ld\n', 'stderr:oops\n', 'stdout:no newline']);
  assert.equal(await collect(readLog(path, {})), 'hello\nworld\noops\nno newline');
});

test('timestamps are RFC3339 with nine digits and strictly increasing', () => {
  const a = nanoTimestamp();
  const b = nanoTimestamp();
  assert.match(a, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.ok(b > a);
  const t = '2023-11-14T22:13:20.123456789Z';
  assert.deepEqual(parseLogLine(`${t} stderr F x y`), { ts: t, tsMs: 1700000000123, text: 'x y', full: true });
  assert.equal(parseLogLine(`${t} stdout P part`)?.full, false);
});

test('reader: tailLines, sinceTime/sinceSeconds, timestamps, limitBytes', async () => {
  const path = join(dir, 'b.log');
  const now = Date.parse('2024-05-01T10:00:00Z');
  const rec = (secAgo: number, text: string, tag = 'F') => `${new Date(now - secAgo * 1000).toISOString().replace('Z', '000000Z')} stdout ${tag} ${text}`;
  writeFileSync(path, [rec(300, 'one'), rec(120, 'two'), rec(60, 'thr', 'P'), rec(60, 'ee'), rec(10, 'four')].join('\n') + '\n');
  assert.equal(await collect(readLog(path, {}, undefined, now)), 'one\ntwo\nthree\nfour\n');
  assert.equal(await collect(readLog(path, { tailLines: 2 }, undefined, now)), 'three\nfour\n');
  assert.equal(await collect(readLog(path, { tailLines: 0 }, undefined, now)), '');
  assert.equal(await collect(readLog(path, { sinceSeconds: 90 }, undefined, now)), 'three\nfour\n');
  assert.equal(await collect(readLog(path, { sinceTime: '2024-05-01T09:59:45Z' }, undefined, now)), 'four\n');
  assert.equal(await collect(readLog(path, { limitBytes: 6 }, undefined, now)), 'one\ntw');
  const ts = await collect(readLog(path, { timestamps: true, tailLines: 1 }, undefined, now));
  assert.equal(ts, '2024-05-01T09:59:50.000000000Z four\n');
  const ts2 = await collect(readLog(path, { timestamps: true, tailLines: 2 }, undefined, now));
  assert.equal(ts2, '2024-05-01T09:59:00.000000000Z three\n2024-05-01T09:59:50.000000000Z four\n', 'a partial line gets one timestamp');
});

test('follow streams new lines until the writer closes', async () => {
  const path = join(dir, 'c', '0.log');
  const w = new ContainerLogWriter(path);
  const out = new PassThrough();
  w.attach(out, 'stdout');
  out.write('first\n');
  await new Promise((r) => setTimeout(r, 20));
  const got = collect(readLog(path, { follow: true }, w));
  await new Promise((r) => setTimeout(r, 20));
  out.write('second\n');
  await new Promise((r) => setTimeout(r, 20));
  out.end('third\n');
  assert.equal(await got, 'first\nsecond\nthird\n');
  // Without follow the stream ends at once even while the writer is open.
  const path2 = join(dir, 'd', '0.log');
  const w2 = new ContainerLogWriter(path2);
  const o2 = new PassThrough();
  w2.attach(o2, 'stdout');
  o2.write('x\n');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await collect(readLog(path2, {}, w2)), 'x\n');
  o2.end();
});

test('the log rotates past its size limit; a follower carries on in the new file', async () => {
  const path = join(dir, 'r', '0.log');
  const w = new ContainerLogWriter(path, 0, 200);
  const out = new PassThrough();
  w.attach(out, 'stdout');
  out.write('aaaaaaaaaa\n');
  await new Promise((r) => setTimeout(r, 10));
  const got = collect(readLog(path, { follow: true }, w));
  for (let i = 0; i < 6; i++) {
    out.write(`line-${i}-xxxxxxxxxxxxxxxxxxxx\n`);
    await new Promise((r) => setTimeout(r, 10));
  }
  out.end();
  const text = await got;
  assert.match(text, /^aaaaaaaaaa\n/);
  assert.match(text, /line-5-x+\n$/);
  const { existsSync, statSync } = await import('node:fs');
  assert.ok(existsSync(`${path}.1`), 'the older file is kept');
  assert.ok(statSync(path).size <= 200);
});
