// A complete in-memory API for tests: the real registry (defaulting,
// validation, concurrency, graceful deletion) over the memory store, with the
// system namespaces bootstrapped. No HTTP, no controllers.
import { LocalClient } from '../client/local.js';
import { Registry, type Admission } from '../registry/registry.js';
import { bootstrap, ensureKubernetesService } from '../registry/bootstrap.js';
import { MemoryStore } from '../store/memory.js';
import type { Client } from '../client/types.js';

export interface MemoryApi {
  client: Client;
  registry: Registry;
  stop(): void;
}

export async function createMemoryApi(opts: { now?: () => Date; admission?: Admission[]; removalHoldMs?: number } = {}): Promise<MemoryApi> {
  const store = new MemoryStore();
  const registry = new Registry({ store, now: opts.now, admission: opts.admission, removalHoldMs: opts.removalHoldMs });
  bootstrap(registry);
  ensureKubernetesService(registry, 6443);
  return { client: new LocalClient(registry), registry, stop: () => store.close() };
}
