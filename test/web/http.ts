// Plain HTTP requests to the dashboard with full control of the headers a
// browser would send (Host, Origin, Sec-Fetch-Site), which fetch() forbids
// setting.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function request(
  base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  const url = new URL(path, base);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? 'GET',
      headers: { ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }), ...opts.headers },
      timeout: 30_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A streaming GET (a watch): the response's text so far, and a way to end it. */
export function stream(base: string, path: string): Promise<{ status: number; text(): string; close(): void }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}` }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The machine's TCP sockets whose local port is `port`, from /proc/net/tcp and
 * tcp6: the local address as the kernel writes it (0100007F:1950 is
 * 127.0.0.1:6480) and the state (0A listening, 01 established).
 */
export function socketsOnPort(port: number): { local: string; state: string }[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const found: { local: string; state: string }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 3 && f[1].endsWith(`:${hex}`)) found.push({ local: f[1], state: f[3] });
    }
  }
  return found;
}
