import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration } from '../../src/api/printers/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches apimachinery HumanDuration at every boundary', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [999, '0s'],
    [-1500, '0s'], // within the 2s clock-skew allowance
    [-2500, '<invalid>'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [200 * S, '3m20s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 4 * M, '3h4m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [51 * H, '2d3h'],
    [8 * D, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [760 * D, '2y30d'],
    [365 * 8 * D, '8y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});
