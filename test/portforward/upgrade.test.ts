// PodPortForwarding in process, behind a plain HTTP server: what is refused
// before the upgrade (with the Status kubectl prints), and the channel
// protocol's behaviour with pods that close early, reached through `ws`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { StatusError, notFound } from '../../src/api/errors.js';
import { PodPortForwarding } from '../../src/apiserver/portforward.js';
import type { KObject } from '../../src/client/types.js';

const pods = new Map<string, KObject>();
let pf: PodPortForwarding;
let http: Server;
let base = '';
let echoPort = 0;
let closerPort = 0;
const tcpServers: TcpServer[] = [];

function listen(onConn: (socket: Socket) => void): Promise<number> {
  const s = createTcpServer(onConn);
  tcpServers.push(s);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
}

before(async () => {
  echoPort = await listen((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  // Closes every connection at once, whatever the client still sends.
  closerPort = await listen((s) => s.destroy());
  pods.set('web', { metadata: { name: 'web', uid: 'u-1' }, status: { phase: 'Running', podIP: '127.0.0.1' } });
  pods.set('pending', { metadata: { name: 'pending', uid: 'u-2' }, status: { phase: 'Pending' } });
  pf = new PodPortForwarding({
    getPod: (_ns, name) => {
      const p = pods.get(name);
      if (!p) throw notFound({ group: '', resource: 'pods' }, name);
      return p;
    },
  });
  http = createServer((_req, res) => res.end());
  http.on('upgrade', (req, socket, head) => {
    const name = /pods\/([^/]+)\/portforward/.exec(req.url ?? '')?.[1] ?? '';
    try {
      pf.upgrade(req, socket, head, 'default', name, true);
    } catch (e) {
      const err = e as StatusError;
      const body = JSON.stringify(err.toStatus());
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1/namespaces/default/pods`;
});

after(async () => {
  pf.closeAll();
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  for (const s of tcpServers) s.close();
});

/** The refusal's status code and Status message, or 101. */
function attempt(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<{ code: number; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ code: 101 });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, message: JSON.parse(body).message }));
    });
    ws.on('error', reject);
  });
}

test('refused before upgrading, with the Status kubectl shows', async () => {
  assert.deepEqual(await attempt(`${base}/nope/portforward?ports=80`, ['v4.channel.k8s.io']), { code: 404, message: 'pods "nope" not found' });
  assert.deepEqual(await attempt(`${base}/pending/portforward?ports=80`, ['v4.channel.k8s.io']), {
    code: 400, message: 'unable to forward port because pod is not running. Current status=Pending',
  });
  assert.deepEqual(await attempt(`${base}/web/portforward`, ['v4.channel.k8s.io']), { code: 400, message: 'query parameter "ports" is required' });
  assert.deepEqual(await attempt(`${base}/web/portforward?ports=0`, ['v4.channel.k8s.io']), { code: 400, message: 'port "0" must be > 0' });
  const other = await attempt(`${base}/web/portforward?ports=80`, ['v5.channel.k8s.io']);
  assert.equal(other.code, 400);
  assert.match(other.message!, /none of the offered subprotocols are supported \(v5\.channel\.k8s\.io\); use SPDY\/3\.1\+portforward\.k8s\.io or v4\.channel\.k8s\.io/);
});

interface Channels {
  ws: WebSocket;
  /** Payloads per channel, in order (the port prefix included). */
  got: Map<number, Buffer[]>;
  closed: Promise<number>;
}

async function channels(ports: number[]): Promise<Channels> {
  const ws = new WebSocket(`${base}/web/portforward?${ports.map((p) => `ports=${p}`).join('&')}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const got = new Map<number, Buffer[]>();
  ws.on('message', (d: Buffer) => {
    const list = got.get(d[0]) ?? [];
    list.push(d.subarray(1));
    got.set(d[0], list);
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  return { ws, got, closed };
}

const text = (c: Channels, ch: number) => Buffer.concat(c.got.get(ch) ?? []).toString('latin1');
/** Polls `f` for up to 10 s (megabytes through a loaded machine's loopback take a while). */
const until = async (f: () => boolean, what: string) => {
  const end = Date.now() + 10_000;
  while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.ok(f(), what);
};

test('channels: port prefixes, echo, a pod that closes while the client still writes, then a clean close', async () => {
  const c = await channels([closerPort, echoPort]);
  const prefix = (p: number) => Buffer.from([p & 255, p >> 8]).toString('latin1');
  await until(() => text(c, 0).startsWith(prefix(closerPort)) && text(c, 1).startsWith(prefix(closerPort)), 'prefixes of port 0');
  // Far more than the socket buffers for the connection the pod closed: dropped, never stalling the session.
  const junk = Buffer.alloc(256 * 1024, 1);
  for (let i = 0; i < 32; i++) c.ws.send(Buffer.concat([Buffer.from([0]), junk]));
  c.ws.send(Buffer.concat([Buffer.from([2]), Buffer.from('still here')]));
  await until(() => text(c, 2) === prefix(echoPort) + 'still here', 'echo on the second port');
  assert.equal(text(c, 1), prefix(closerPort), 'a reset by the pod is no error');
  assert.deepEqual(pf.stats(), { sessions: 1, connections: 1 });
  c.ws.close();
  await c.closed;
  await until(() => pf.stats().sessions === 0 && pf.stats().connections === 0, 'session gone');
});

test('channels: a refused port is reported on its error channel and the session ends with 1000', async () => {
  const dead = await listen(() => undefined);
  tcpServers.pop()!.close();
  const c = await channels([dead]);
  assert.equal(await c.closed, 1000);
  assert.match(text(c, 1).slice(2), /^error forwarding port \d+ to pod web, uid u-1: failed to connect to 127\.0\.0\.1:\d+ \(the pod's IP\): connect: connection refused$/);
});
