// The HTTPS front of the API: authentication, discovery, OpenAPI, health,
// resource routes, logs, and the WebSocket upgrades for exec, attach and
// port-forward.
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { resourceByKey } from '../api/resources.js';
import { StatusError, badRequest, internalError, pathNotFound, unauthorized } from '../api/errors.js';
import type { Registry } from '../registry/registry.js';
import {
  SERVER_VERSION, aggregatedContentType, aggregatedDiscovery, aggregatedVersion, legacyApiGroup, legacyApiGroupList,
  legacyApiVersions, legacyResourceList,
} from './discovery.js';
import { openapiV3Index, openapiV3Served } from './openapi/index.js';
import { boolParam, intParam, parseResourcePath } from './request.js';
import { handleResource, sendJson, type HandlerContext } from './resources.js';
import { STREAM_PROTOCOLS, type PodStreams, type StreamQuery } from './streams.js';
import { PodPortForwarding } from './portforward.js';
import type { TlsMaterial } from './tls.js';

export interface ApiServerOptions {
  registry: Registry;
  host: string;
  port: number;
  /** HTTPS with this material; plain HTTP without (tests only: kubectl then sends no token). */
  tls?: TlsMaterial;
  /** Bearer token required on every request but health and version; none = no authentication. */
  token?: string;
  podStreams?: PodStreams;
  now?: () => Date;
  log?: (line: string) => void;
}

export class ApiServer {
  private server?: Server;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => STREAM_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  private readonly ctx: HandlerContext;
  readonly portForward: PodPortForwarding;
  private readonly sockets = new Set<Duplex>();
  private boundPort = 0;

  constructor(private readonly opts: ApiServerOptions) {
    this.ctx = { registry: opts.registry, now: opts.now ?? (() => new Date()) };
    this.portForward = new PodPortForwarding({ getPod: (ns, name) => opts.registry.get(podsRI(), ns, name), log: opts.log });
  }

  setPodStreams(ps: PodStreams): void {
    this.opts.podStreams = ps;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = this.opts.tls
      ? createHttpsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, handler)
      : createHttpServer(handler);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0;
    server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('secureConnection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const c of this.wss.clients) c.terminate();
    this.portForward.closeAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    // No client is left to wait for a removal held for it.
    this.opts.registry.releaseHeldRemovals();
  }

  private authenticated(req: IncomingMessage): boolean {
    const token = this.opts.token;
    if (!token) return true;
    const h = req.headers.authorization ?? '';
    const m = h.match(/^Bearer\s+(.+)$/i);
    if (!m) return false;
    const a = Buffer.from(m[1].trim());
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (['/healthz', '/livez', '/readyz'].includes(path) || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      if (path === '/version') {
        sendJson(res, 200, SERVER_VERSION);
        return;
      }
      if (!this.authenticated(req)) throw unauthorized();
      if (await this.discovery(req, res, path)) return;
      const rp = parseResourcePath(path);
      if (!rp) throw pathNotFound();
      if (rp.subresource === 'log' && rp.name) {
        await this.logs(req, res, rp.namespace ?? 'default', rp.name, url.searchParams);
        return;
      }
      if ((rp.subresource === 'exec' || rp.subresource === 'attach' || rp.subresource === 'portforward') && rp.name) {
        // Reached only without an Upgrade header: SPDY clients and plain requests.
        throw badRequest('Upgrade request required');
      }
      await handleResource(this.ctx, req, res, rp, url.searchParams);
    } catch (e) {
      this.fail(res, e);
    }
  }

  private fail(res: ServerResponse, e: unknown): void {
    const err = e instanceof StatusError ? e : internalError(e instanceof Error ? e.message : String(e));
    if (!(e instanceof StatusError)) this.opts.log?.(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson(res, err.code, err.toStatus());
  }

  private async discovery(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const agg = aggregatedVersion(req.headers.accept);
    if (path === '/api') {
      if (agg) sendJson(res, 200, aggregatedDiscovery(true, agg), { 'Content-Type': aggregatedContentType(agg) });
      else sendJson(res, 200, legacyApiVersions(`${this.opts.host}:${this.boundPort}`));
      return true;
    }
    if (path === '/apis') {
      if (agg) sendJson(res, 200, aggregatedDiscovery(false, agg), { 'Content-Type': aggregatedContentType(agg) });
      else sendJson(res, 200, legacyApiGroupList());
      return true;
    }
    if (path === '/openapi/v3') {
      sendJson(res, 200, openapiV3Index());
      return true;
    }
    if (path.startsWith('/openapi/v3/')) {
      const served = openapiV3Served(path.slice('/openapi/v3/'.length));
      if (!served) throw pathNotFound();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(served.body) });
      res.end(served.body);
      return true;
    }
    const segs = path.split('/').filter(Boolean);
    if (segs[0] === 'api' && segs.length === 2) {
      const l = legacyResourceList('', segs[1]);
      if (!l) throw pathNotFound();
      sendJson(res, 200, l);
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = legacyApiGroup(segs[1]);
      if (!g) throw pathNotFound();
      sendJson(res, 200, g);
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const l = legacyResourceList(segs[1], segs[2]);
      if (!l) throw pathNotFound();
      sendJson(res, 200, l);
      return true;
    }
    return false;
  }

  private async logs(req: IncomingMessage, res: ServerResponse, ns: string, name: string, q: URLSearchParams): Promise<void> {
    if (req.method !== 'GET') throw badRequest('logs support only GET');
    // The pod must exist (NotFound in the API's words otherwise).
    this.opts.registry.get(podsRI(), ns, name);
    const ps = this.opts.podStreams;
    if (!ps) throw badRequest(`pod "${name}" has no node agent that keeps logs`);
    const stream = await ps.logs(ns, name, {
      container: q.get('container') ?? undefined,
      follow: boolParam(q, 'follow'),
      tailLines: intParam(q, 'tailLines'),
      sinceSeconds: intParam(q, 'sinceSeconds'),
      sinceTime: q.get('sinceTime') ?? undefined,
      timestamps: boolParam(q, 'timestamps'),
      previous: boolParam(q, 'previous'),
      limitBytes: intParam(q, 'limitBytes'),
    });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
    res.on('close', () => s.destroy?.());
    s.on('data', (chunk) => res.write(chunk));
    s.on('end', () => res.end());
    s.on('error', () => res.end());
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (e: unknown) => {
      const err = e instanceof StatusError ? e : internalError(e instanceof Error ? e.message : String(e));
      const body = JSON.stringify(err.toStatus());
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    try {
      if (!this.authenticated(req)) throw unauthorized();
      const url = new URL(req.url ?? '/', 'https://localhost');
      const rp = parseResourcePath(url.pathname);
      if (rp?.subresource === 'portforward' && rp.name) {
        this.portForward.upgrade(req, socket, head, rp.namespace ?? 'default', rp.name, !!this.opts.podStreams);
        return;
      }
      if (!rp || !rp.name || (rp.subresource !== 'exec' && rp.subresource !== 'attach')) throw badRequest('upgrade is only supported for pods/exec and pods/attach');
      // kubectl falls back to SPDY when the WebSocket attempt is refused: both
      // attempts get the same answer about the pod, SPDY only once that is fine.
      const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
      const ns = rp.namespace ?? 'default';
      this.opts.registry.get(podsRI(), ns, rp.name);
      const ps = this.opts.podStreams;
      if (!ps) throw badRequest(`pod "${rp.name}" has no node agent that runs processes`);
      const q = url.searchParams;
      const sq: StreamQuery = {
        container: q.get('container') ?? undefined,
        stdin: boolParam(q, 'stdin'),
        stdout: boolParam(q, 'stdout'),
        stderr: boolParam(q, 'stderr'),
        tty: boolParam(q, 'tty'),
      };
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (websocket && !STREAM_PROTOCOLS.some((p) => offered.includes(p))) {
        throw badRequest(`none of the offered subprotocols are supported (${offered.join(', ')}); use ${STREAM_PROTOCOLS.join(' or ')}`);
      }
      const session = rp.subresource === 'exec'
        ? await ps.prepareExec(ns, rp.name, { ...sq, command: q.getAll('command') })
        : await ps.prepareAttach(ns, rp.name, sq);
      if (!websocket) throw badRequest('only WebSocket streaming (v5.channel.k8s.io) is supported; SPDY is not');
      this.wss.handleUpgrade(req, socket, head, (ws) => session.run(ws, ws.protocol));
    } catch (e) {
      refuse(e);
    }
  }
}

const podsRI = () => resourceByKey('pods');
