// A throwaway API server on 127.0.0.1:0 that answers just enough discovery for kubectl's
// generator commands and records every write it receives (method, path, content type,
// raw body). Writes are answered 201 with the object echoed as JSON, decoded with our
// protobuf decoder when the body is protobuf.
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { PROTOBUF_CONTENT_TYPE, decodeProtobufObject } from '../../src/apiserver/protobuf/index.js';
import { Reader, decodeMessageInto } from '../../src/apiserver/protobuf/decode.js';
import { MESSAGES } from '../../src/apiserver/protobuf/registry.js';

const run = promisify(execFile);

export interface CapturedWrite {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const res = (name: string, kind: string, namespaced = true) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: VERBS });

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  '/api/v1': {
    kind: 'APIResourceList', groupVersion: 'v1',
    resources: [
      res('namespaces', 'Namespace', false), res('configmaps', 'ConfigMap'), res('secrets', 'Secret'),
      res('services', 'Service'), res('serviceaccounts', 'ServiceAccount'), res('pods', 'Pod'),
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList', groupVersion: 'apps/v1',
    resources: [res('statefulsets', 'StatefulSet'), res('deployments', 'Deployment')],
  },
};

export class CaptureServer {
  readonly writes: CapturedWrite[] = [];
  private server = http.createServer((req, resp) => this.handle(req, resp));
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ordinal-pb-'));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    writeFileSync(path.join(this.dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters:', `- name: c`, `  cluster: {server: "http://127.0.0.1:${this.port}"}`,
      'users:', '- name: u', '  user: {}',
      'contexts:', '- name: c', '  context: {cluster: c, user: u, namespace: default}',
    ].join('\n'));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs the real kubectl against this server with a private HOME and kubeconfig. */
  async kubectl(...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.dir, KUBECONFIG: path.join(this.dir, 'kubeconfig') };
    const { stdout } = await run('kubectl', args, { env, timeout: 30_000 });
    return stdout;
  }

  private handle(req: http.IncomingMessage, resp: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (code: number, body: unknown) => {
        resp.writeHead(code, { 'content-type': 'application/json' });
        resp.end(JSON.stringify(body));
      };
      if (req.method === 'GET') {
        const doc = DISCOVERY[url.pathname];
        if (doc) return reply(200, doc);
        return reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
      }
      const body = Buffer.concat(chunks);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
      this.writes.push({ method: req.method ?? '', path: url.pathname, contentType, body });
      try {
        reply(201, contentType === PROTOBUF_CONTENT_TYPE ? echoProtobuf(body) : JSON.parse(body.toString('utf8')));
      } catch (e) {
        reply(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: String(e) });
      }
    });
  }
}

/** The decoded object; for a kind outside the served table (a Deployment), its envelope and metadata. */
function echoProtobuf(body: Buffer): Record<string, unknown> {
  try {
    return decodeProtobufObject(body);
  } catch {
    return envelopeAndMetadata(body);
  }
}

/** The typeMeta of the envelope and the object's metadata (field 1 of every Kubernetes object). */
export function envelopeAndMetadata(body: Buffer): Record<string, unknown> {
  const env = envelopeFields(body);
  const metadata: Record<string, unknown> = {};
  const ctx = { messages: MESSAGES, unknownFields: new Set<string>(), decodeEmbedded: () => ({}) };
  const meta = messageField(env.raw, 1);
  if (meta) decodeMessageInto(ctx, 'meta.ObjectMeta', new Reader(meta), metadata, 0);
  return { apiVersion: env.apiVersion, kind: env.kind, metadata };
}

/** The envelope's apiVersion, kind and raw message, read with the wire reader. */
export function envelopeFields(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  const raw = messageField(body.subarray(4), 2) ?? Buffer.alloc(0);
  const typeMeta = messageField(body.subarray(4), 1) ?? Buffer.alloc(0);
  return {
    apiVersion: (messageField(typeMeta, 1) ?? Buffer.alloc(0)).toString('utf8'),
    kind: (messageField(typeMeta, 2) ?? Buffer.alloc(0)).toString('utf8'),
    raw,
  };
}

/** The bytes of the last length-delimited field `num` of a message, if present. */
export function messageField(msg: Buffer, num: number): Buffer | undefined {
  const r = new Reader(msg);
  let found: Buffer | undefined;
  while (!r.done()) {
    const [n, wt] = r.tag();
    if (n === num && wt === 2) {
      const [s, e] = r.delimited();
      found = msg.subarray(s, e);
    } else r.skip(wt, n);
  }
  return found;
}

/** Whether varint field `num` is on the wire in a message, and its value. */
export function varintField(msg: Buffer, num: number): bigint | undefined {
  const r = new Reader(msg);
  let found: bigint | undefined;
  while (!r.done()) {
    const [n, wt] = r.tag();
    if (n === num && wt === 0) found = r.varint();
    else r.skip(wt, n);
  }
  return found;
}

/** Drops nulls, empty strings, empty objects and empty lists, recursively, for comparisons. */
export function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneEmpty);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneEmpty(x);
      if (p === null || p === undefined || p === '') continue;
      if (typeof p === 'object' && Object.keys(p as object).length === 0) continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}
