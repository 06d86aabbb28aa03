// Shared clock and time helpers for the printer tests.
export const NOW = new Date('2024-05-01T12:00:00Z');

/** An RFC 3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.000Z$/, 'Z');
}

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
