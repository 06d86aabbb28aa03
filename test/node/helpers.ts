// Shared pieces of the node agent's integration tests: a memory API with a
// Kubelet on a temporary data directory, polling helpers, and a real
// WebSocket pair on 127.0.0.1 for exec/attach sessions.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { killLeftovers } from '../helpers/cluster.js';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocket, WebSocketServer } from 'ws';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';
import { Kubelet, type KubeletOptions } from '../../src/node/index.js';
import type { StreamSession } from '../../src/node/index.js';
import type { KObject } from '../../src/client/types.js';

export const NODE = 'test-node';

export interface Env {
  api: MemoryApi;
  kubelet: Kubelet;
  dataDir: string;
  logs: string[];
  /** A second kubelet on the same data directory (an ordinal restart). */
  restart(opts?: Partial<KubeletOptions>): Promise<Kubelet>;
  close(): Promise<void>;
}

/** `apiOpts.removalHoldMs`: how long the API server holds a removal after a terminating read (default: the registry's). */
export async function startEnv(opts: Partial<KubeletOptions> = {}, apiOpts: { removalHoldMs?: number } = {}): Promise<Env> {
  const api = await createMemoryApi({ removalHoldMs: apiOpts.removalHoldMs });
  const dataDir = mkdtempSync(join(tmpdir(), 'ordinal-node-'));
  const logs: string[] = [];
  const make = (o: Partial<KubeletOptions>) => new Kubelet({
    client: api.client, nodeName: NODE, dataDir, runtime: 'process', clusterDNS: '10.96.0.10',
    crashLoopBackOff: { initialMs: 300, maxMs: 2000 }, log: (m) => logs.push(m), ...opts, ...o,
  });
  const env: Env = {
    api, dataDir, logs,
    kubelet: make({}),
    async restart(o = {}) {
      env.kubelet = make(o);
      await env.kubelet.start();
      return env.kubelet;
    },
    async close() {
      await env.kubelet.stop({ stopPods: true });
      api.stop();
      killLeftovers(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await env.kubelet.start();
  return env;
}

export function podSpec(name: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): KObject {
  return { metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, containers, ...extra } };
}

export async function getPod(env: Env, name: string): Promise<Pod | undefined> {
  try {
    return (await env.api.client.get('pods', 'default', name)) as Pod;
  } catch {
    return undefined;
  }
}

/** Polls until `pred` holds for the pod (or the pod's absence when pred gets undefined); returns that pod. */
export async function waitPod(env: Env, name: string, pred: (p: Pod | undefined) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<Pod | undefined> {
  const end = Date.now() + timeoutMs;
  let last: Pod | undefined;
  while (Date.now() < end) {
    last = await getPod(env, name);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for pod ${name}: ${what}; last status ${JSON.stringify(last?.status)}\nkubelet log: ${env.logs.join('\n')}`);
}

export const isReady = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

export async function events(env: Env, name: string): Promise<{ reason: string; message: string; type: string; source: string; count: number }[]> {
  const list = await env.api.client.list('events', 'default');
  return (list.items as Record<string, any>[])
    .filter((e) => e.involvedObject?.name === name)
    .map((e) => ({ reason: e.reason, message: e.message, type: e.type, source: e.source?.component, count: e.count }));
}

export function readAll(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    s.on('data', (d: Buffer | string) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

export interface SessionResult {
  stdout: string;
  stderr: string;
  status: Record<string, any> | undefined;
  closeCode: number;
}

/**
 * Runs a session over a real WebSocket pair, as the API server would after
 * the upgrade, feeding `stdin` (then the v5 close frame for channel 0).
 */
export async function runSession(session: StreamSession, input?: string, protocol = 'v5.channel.k8s.io'): Promise<SessionResult> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (ps) => (ps.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : ps.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  wss.on('connection', (ws) => session.run(ws, ws.protocol));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<SessionResult>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [protocol]);
      const res: SessionResult = { stdout: '', stderr: '', status: undefined, closeCode: 0 };
      ws.on('open', () => {
        if (input !== undefined) {
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)]));
          if (protocol.startsWith('v5')) ws.send(Buffer.from([255, 0]));
        }
      });
      ws.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) return reject(new Error('text frame'));
        const ch = data[0];
        const payload = data.subarray(1).toString();
        if (ch === 1) res.stdout += payload;
        else if (ch === 2) res.stderr += payload;
        else if (ch === 3) res.status = JSON.parse(payload);
      });
      ws.on('close', (code) => {
        res.closeCode = code;
        resolve(res);
      });
      ws.on('error', reject);
    });
  } finally {
    wss.close();
    server.close();
  }
}

/** Processes whose environment holds MARKER=<marker> (a container's shim and command). */
export function countProcesses(marker: string): number {
  let n = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`MARKER=${marker}`)) n++;
    } catch {
      // gone
    }
  }
  return n;
}
