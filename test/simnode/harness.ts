// Test harness shared by the controller and simulated-node tests: the memory
// API (the real registry, pods/binding included) and a polling helper.
import { waitFor } from '../helpers/eventually.js';
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

export function eventually<T>(fn: () => Promise<T | undefined | false | null>, what: string, ms = 3000): Promise<T> {
  return waitFor(fn, what, ms, 5);
}
