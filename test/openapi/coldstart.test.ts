// Documents are generated at first use; a fresh process builds all of them. The
// target (<= 500 ms, inside the server's one-second cold start budget) is measured by
// bench/api.ts on a quiet machine; here only a bound no loaded machine should reach.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const indexModule = fileURLToPath(new URL('../../src/apiserver/openapi/index.ts', import.meta.url));

test('a fresh process builds the index and every document', async () => {
  const script = `
    const t0 = performance.now();
    const m = await import(${JSON.stringify(indexModule)});
    const t1 = performance.now();
    const idx = m.openapiV3Index();
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, buildMs: t2 - t1, docs: Object.keys(idx.paths).length }));
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as { importMs: number; buildMs: number; docs: number };
  assert.ok(r.docs >= 1);
  assert.ok(r.buildMs < 5000, `building all documents took ${r.buildMs.toFixed(0)} ms`);
});
