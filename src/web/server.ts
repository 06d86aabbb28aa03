// The dashboard: a page in the browser that is one more client of the API.
// This server hands out the page's static files and proxies /api and
// /apis to the API server (src/web/proxy.ts). It listens on 127.0.0.1 only
// and answers only requests addressed to itself from its own page, so that
// no other site can use the token the proxy holds. It keeps nothing in
// memory between requests and runs no timers: an unused dashboard costs a
// listening socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StatusError, methodNotAllowed, pathNotFound } from '../api/errors.js';
import { ApiProxy, sendStatus, type ApiEndpoint } from './proxy.js';

export interface DashboardOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  api: ApiEndpoint;
}

/**
 * The page's files, read on every request (they are small, and nothing stays
 * cached in an idle server). Both src/web/server.ts (tsx) and the compiled
 * dist/web/server.js sit two levels below the package root; tsc does not copy
 * non-TypeScript files, so the files are always read from the sources.
 */
const STATIC_DIR = resolve(import.meta.dirname, '..', '..', 'src', 'web', 'static');
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/informer.js': { file: 'informer.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

// The page loads only its own files and talks only to this server; no
// other page may frame it (its buttons scale and delete).
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export class Dashboard {
  private server?: Server;
  private proxy?: ApiProxy;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly opts: DashboardOptions) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}/`;
  }

  async start(): Promise<number> {
    const proxy = (this.proxy = new ApiProxy(this.opts.api));
    const server = createServer((req, res) => this.handle(req, res, proxy));
    // exec, attach and port-forward are not part of the page.
    server.on('upgrade', (_req, socket: Socket) => socket.destroy());
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    try {
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(this.opts.port, '127.0.0.1', () => {
          server.off('error', fail);
          ok();
        });
      });
    } catch (e) {
      proxy.close();
      throw e;
    }
    this.server = server;
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((done) => {
        server.close(() => done());
        // Open watches end with their connections.
        for (const s of this.sockets) s.destroy();
      });
    }
    this.proxy?.close();
    this.proxy = undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse, proxy: ApiProxy): void {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const proxied = path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/');
      const refusal = this.refusal(req, proxied);
      if (refusal) throw new StatusError(403, 'Forbidden', refusal);
      if (proxied) {
        proxy.forward(req, res, `${path}${url.search}`);
        return;
      }
      const entry = STATIC[path];
      if (!entry) throw pathNotFound();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(`${req.method} is not allowed on ${path}`);
      void this.sendStatic(req, res, entry);
    } catch (e) {
      sendStatus(res, e instanceof StatusError ? e : new StatusError(500, 'InternalError', String(e)));
    }
  }

  /**
   * Why a request is refused, if it is. The Host must be this server as the
   * page knows it (a DNS-rebound name is not); an Origin, when the browser
   * sends one, must be the same; and API calls must come from the page itself
   * (Sec-Fetch-Site), not from a form, image or script of another site.
   */
  private refusal(req: IncomingMessage, proxied: boolean): string | undefined {
    const host = req.headers.host ?? '';
    const own = [`127.0.0.1:${this.boundPort}`, `localhost:${this.boundPort}`];
    if (!own.includes(host)) return `the dashboard answers only requests to ${own.join(' or ')}, not to host "${host}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return `requests from origin "${origin}" are not allowed`;
    const site = req.headers['sec-fetch-site'];
    if (proxied && site !== undefined && site !== 'same-origin' && site !== 'none') return `API requests from another site (${site}) are not allowed`;
    return undefined;
  }

  private async sendStatic(req: IncomingMessage, res: ServerResponse, entry: { file: string; type: string }): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(join(STATIC_DIR, entry.file));
    } catch (e) {
      sendStatus(res, new StatusError(500, 'InternalError', `the dashboard's ${entry.file} cannot be read: ${(e as Error).message}`));
      return;
    }
    res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': entry.type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
