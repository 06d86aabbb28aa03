// Test harness shared by the controller and simulated-node tests: the memory
// API plus the pods/binding subresource (applyBinding over the store), until
// the registry serves that subresource itself; and a polling helper.
import { resourceByKey } from '../../src/api/resources.js';
import { notFound } from '../../src/api/errors.js';
import type { Client, KObject } from '../../src/client/types.js';
import { applyBinding } from '../../src/node/simulated/scheduler.js';
import { decodeKV, encode, keyFor } from '../../src/registry/storage.js';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';

export interface TestApi {
  client: Client;
  registry: MemoryApi['registry'];
  stop(): void;
}

export async function memoryApiWithBinding(): Promise<TestApi> {
  const api = await createMemoryApi();
  const base = api.client;
  const pods = resourceByKey('pods');
  const client: Client = {
    get: (r, ns, n, o) => base.get(r, ns, n, o),
    list: (r, ns, o) => base.list(r, ns, o),
    update: (r, ns, obj, o) => base.update(r, ns, obj, o),
    patch: (r, ns, n, t, p, o) => base.patch(r, ns, n, t, p, o),
    delete: (r, ns, n, o) => base.delete(r, ns, n, o),
    watch: (r, ns, o, cb) => base.watch(r, ns, o, cb),
    async create<T extends KObject = KObject>(r: string, ns: string | undefined, obj: T, o?: Parameters<Client['create']>[3]): Promise<T> {
      if (r !== 'pods' || o?.subresource !== 'binding') return base.create(r, ns, obj, o);
      const name = obj.metadata?.name ?? '';
      const key = keyFor(pods, ns, name);
      const kv = api.registry.store.get(key);
      if (!kv) throw notFound(pods, name);
      const next = applyBinding(decodeKV(kv), obj, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
      api.registry.store.update(key, encode(next as KObject), kv.modRevision);
      return obj;
    },
  };
  return { client, registry: api.registry, stop: () => api.stop() };
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
