// Test harness shared by the controller and simulated-node tests: the memory
// API (the real registry, pods/binding included) and a polling helper.
import type { Client } from '../../src/client/types.js';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';

export interface TestApi {
  client: Client;
  registry: MemoryApi['registry'];
  stop(): void;
}

export async function memoryApi(): Promise<TestApi> {
  return createMemoryApi();
}

export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
