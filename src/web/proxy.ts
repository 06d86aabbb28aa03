// Forwards the dashboard's API calls to ordinal's own HTTPS API server with
// the admin token, as `kubectl proxy` does: the request reaches the same
// authentication, validation, defaulting and concurrency checks as kubectl's,
// and the answer (a Status on failure, a watch stream that stays open) comes
// back as the API wrote it, chunk by chunk.
import { Agent, request } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { StatusError } from '../api/errors.js';

export interface ApiEndpoint {
  /** Where the API listens (an address its certificate names: 127.0.0.1 or the bind address). */
  host: string;
  port: number;
  /** The cluster CA that signed the API server's certificate. */
  caCert: string;
  /** The admin bearer token. */
  token: string;
}

/** Request headers that carry meaning to the API; nothing else (cookies, the caller's credentials) is passed on. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'user-agent'];
/** Hop-by-hop headers: they describe one connection, not the response. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'trailer', 'te']);

export class ApiProxy {
  // Keep-alive so that a page's calls reuse TLS sessions; the API server
  // closes idle connections after its keep-alive timeout, so nothing is held
  // for long once the page is gone.
  private readonly agent: Agent;

  constructor(private readonly api: ApiEndpoint) {
    this.agent = new Agent({ keepAlive: true, ca: api.caCert });
  }

  /** Sends `req` (already checked to be same-origin, path under /api or /apis) on to the API server. */
  forward(req: IncomingMessage, res: ServerResponse, pathAndQuery: string): void {
    const headers: OutgoingHttpHeaders = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (v !== undefined) headers[h] = v;
    }
    headers.authorization = `Bearer ${this.api.token}`;
    const upstream = request({
      host: this.api.host,
      port: this.api.port,
      method: req.method,
      path: pathAndQuery,
      headers,
      agent: this.agent,
    });
    upstream.on('response', (up) => {
      const out: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      out['x-content-type-options'] = 'nosniff';
      res.writeHead(up.statusCode ?? 502, out);
      // Watches: the client sees the headers, then every event as it comes.
      res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (e) => sendStatus(res, new StatusError(503, 'ServiceUnavailable', `the API server is not reachable: ${e.message}`)));
    // A page that goes away (or stops a watch) ends its request upstream too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A Status as the answer; a response already under way is cut off instead. */
export function sendStatus(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(err.toStatus());
  res.writeHead(err.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
