// Port-forward against a real `ordinal serve` (process runtime), to a pod
// serving HTTP on 8080 and a TCP echo on 9090 on its own IP: kubectl 1.32
// (SPDY tunnelled in a WebSocket) and @kubernetes/client-node (the channel
// protocol).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { get } from 'node:http';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
const forwards = new Set<ChildProcess>();

// Serves "hello from <pod>" and /bytes/<n> over HTTP on 8080, echoes on 9090,
// and on 9191 closes every connection at once.
const SERVER = `
const net = require('net'), http = require('http');
const ip = process.env.POD_IP;
http.createServer((req, res) => {
  const m = /^\\/bytes\\/(\\d+)$/.exec(req.url);
  if (!m) return res.end('hello from ' + process.env.POD_NAME + '\\n');
  let left = Number(m[1]);
  res.writeHead(200, { 'content-length': left });
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
  const pump = () => {
    while (left > 0) {
      const c = chunk.subarray(0, Math.min(left, chunk.length));
      left -= c.length;
      if (!res.write(c)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}).listen(8080, ip);
net.createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(9090, ip);
net.createServer((s) => s.destroy()).listen(9191, ip);
`;

function serverPod(name: string, labels: Record<string, string>) {
  return {
    metadata: { name, labels },
    spec: {
      containers: [{
        name: 'main',
        image: 'node',
        command: [process.execPath, c.write('server.js', SERVER)],
        ports: [{ name: 'http', containerPort: 8080 }, { name: 'echo', containerPort: 9090 }],
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      }],
    },
  };
}

const apply = (obj: object) => c.ok(['apply', '-f', c.write(`obj-${Math.random()}.json`, JSON.stringify(obj))]);

before(async () => {
  c = await startCluster(['--runtime', 'process']);
  apply({ apiVersion: 'v1', kind: 'Pod', ...serverPod('echo', { app: 'echo' }) });
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 'http' }] } });
  apply({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
    spec: { serviceName: 'web', replicas: 1, selector: { matchLabels: { app: 'web' } }, template: serverPod('web', { app: 'web' }) },
  });
  c.ok(['wait', '--for=condition=Ready', 'pod/echo', '--timeout=60s']);
  await eventually(() => c.kubectl(['wait', '--for=condition=Ready', 'pod/web-0', '--timeout=30s']).code === 0, 60_000, 'web-0 ready');
  // Both servers listen before anyone forwards to them.
  await eventually(() => tcpHello(podIP('echo'), 9090), 20_000, 'echo listening');
  await eventually(() => tcpHello(podIP('web-0'), 8080), 20_000, 'web-0 listening');
});

after(async () => {
  for (const p of forwards) p.kill('SIGKILL');
  await c?.stop();
});

const podIP = (name: string): string => c.ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);

function tcpHello(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

interface Forward {
  proc: ChildProcess;
  /** Remote port -> local port on 127.0.0.1. */
  local: Map<number, number>;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts kubectl port-forward and waits until it listens for every remote port (by default those it names). */
async function portForward(args: string[], remotePorts?: number[]): Promise<Forward> {
  const proc = spawn('kubectl', ['port-forward', ...args], {
    env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  forwards.add(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => {
    forwards.delete(proc);
    r(code);
  }));
  const remotes = remotePorts ?? args.filter((a) => /^\d*:\d+$|^\d+$/.test(a)).map((a) => Number(a.split(':').pop()));
  const local = new Map<number, number>();
  await eventually(() => {
    for (const m of out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)) local.set(Number(m[2]), Number(m[1]));
    if (proc.exitCode !== null) throw new Error(`kubectl exited: ${out}`);
    return remotes.every((r) => local.has(r));
  }, 20_000, `kubectl port-forward ${args.join(' ')}`);
  return { proc, local, output: () => out, exited };
}

function httpGet(port: number, path = '/'): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Sends data, half-closes, and returns what came back before the other side closed. */
function echo(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => s.end(data));
    s.on('data', (b: Buffer) => parts.push(b));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Signals kubectl and returns its exit code; null if it had to be killed after 10 s. */
async function stop(f: Forward, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  f.proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => {
    f.proc.kill('SIGKILL');
    r(null);
  }, 10_000)));
  const code = await Promise.race([f.exited, late]);
  clearTimeout(timer);
  return code;
}

test('pod/x :8080 forwards a random local port to the pod; several ports and --address at once', async () => {
  const one = await portForward(['pod/echo', ':8080']);
  try {
    const r = await httpGet(one.local.get(8080)!);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello from echo\n');
    assert.match(one.output(), /Forwarding from \[::1\]:\d+ -> 8080/);
  } finally {
    assert.equal(await stop(one), 0);
  }

  const two = await portForward(['pod/echo', ':8080', ':9090', '--address', '127.0.0.1']);
  try {
    assert.doesNotMatch(two.output(), /::1/);
    assert.equal((await httpGet(two.local.get(8080)!)).body.toString(), 'hello from echo\n');
    assert.equal((await echo(two.local.get(9090)!, Buffer.from('ping'))).toString(), 'ping');
    assert.match(two.output(), /Handling connection for \d+/);
  } finally {
    assert.equal(await stop(two), 0);
  }
});

test('large transfers both ways and concurrent connections arrive intact (100 MB measured)', async (t) => {
  const f = await portForward(['pod/echo', ':8080', ':9090']);
  try {
    const http = f.local.get(8080)!;
    const tcp = f.local.get(9090)!;
    const big = await httpGet(http, `/bytes/${8 * 1024 * 1024 + 17}`);
    assert.equal(big.body.length, 8 * 1024 * 1024 + 17);
    assert.ok(big.body.every((b, i) => b === (i % 65536) % 251), 'download content');

    const up = randomBytes(8 * 1024 * 1024 + 3);
    assert.equal(sha(await echo(tcp, up)), sha(up), '8 MB up and back');

    const payloads = Array.from({ length: 16 }, (_, i) => randomBytes(200_000 + i * 1000));
    const back = await Promise.all(payloads.map((p) => echo(tcp, p)));
    back.forEach((b, i) => assert.equal(sha(b), sha(payloads[i]), `connection ${i}`));

    const hundred = 100 * 1024 * 1024;
    let t0 = performance.now();
    const down = await httpGet(http, `/bytes/${hundred}`);
    const downSecs = (performance.now() - t0) / 1000;
    assert.equal(down.body.length, hundred);
    const data = randomBytes(hundred);
    t0 = performance.now();
    const round = await echo(tcp, data);
    const echoSecs = (performance.now() - t0) / 1000;
    assert.equal(sha(round), sha(data));
    t.diagnostic(`100 MB pod -> kubectl: ${(100 / downSecs).toFixed(0)} MB/s; 100 MB echoed: ${(100 / echoSecs).toFixed(0)} MB/s each way`);
    assert.doesNotMatch(f.output(), /error/i);
  } finally {
    assert.equal(await stop(f), 0);
  }
});

test('a pod that closes a connection while kubectl still sends leaves the forward working', async () => {
  const f = await portForward(['pod/echo', ':9090', ':9191']);
  try {
    for (let i = 0; i < 3; i++) {
      const s = connect({ host: '127.0.0.1', port: f.local.get(9191)! });
      s.on('error', () => undefined);
      s.write(randomBytes(4 * 1024 * 1024));
      await new Promise((r) => s.once('close', r));
    }
    const payload = randomBytes(1024 * 1024);
    assert.equal(sha(await echo(f.local.get(9090)!, payload)), sha(payload));
    assert.doesNotMatch(f.output(), /error/i);
  } finally {
    assert.equal(await stop(f), 0);
  }
});

test('svc/ and sts/ forward to a pod they select, through the service\'s target port', async () => {
  // kubectl resolves the service port's targetPort (named http) to the pod's 8080.
  const svc = await portForward(['svc/echo', ':80'], [8080]);
  try {
    assert.match(svc.output(), /Forwarding from 127\.0\.0\.1:\d+ -> 8080/);
    assert.equal((await httpGet(svc.local.get(8080)!)).body.toString(), 'hello from echo\n');
  } finally {
    assert.equal(await stop(svc), 0);
  }
  const sts = await portForward(['sts/web', ':8080']);
  try {
    assert.equal((await httpGet(sts.local.get(8080)!)).body.toString(), 'hello from web-0\n');
  } finally {
    assert.equal(await stop(sts), 0);
  }
});

test('errors: a pod not running, a port nothing listens on, the SPDY-only upgrade', async () => {
  c.ok(['create', '-f', c.write('stuck.json', JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck' }, spec: { containers: [{ name: 'c', image: 'nginx' }] },
  }))]);
  const pending = await c.kubectlAsync(['port-forward', 'pod/stuck', ':80'], { timeoutMs: 20_000 });
  assert.equal(pending.code, 1);
  assert.match(pending.stderr, /^error: unable to forward port because pod is not running\. Current status=Pending$/m);

  const refused = await portForward(['pod/echo', ':7777']);
  const s = connect({ host: '127.0.0.1', port: refused.local.get(7777)! });
  s.on('error', () => undefined);
  await new Promise((r) => s.once('close', r));
  // kubectl 1.32 prints the error stream's message and gives up, as against a kubelet.
  assert.equal(await refused.exited, 1);
  const ip = podIP('echo');
  const uid = c.ok(['get', 'pod', 'echo', '-o', 'jsonpath={.metadata.uid}']);
  assert.ok(
    refused.output().includes(`error forwarding port 7777 to pod echo, uid ${uid}: failed to connect to ${ip}:7777 (the pod's IP): connect: connection refused`),
    refused.output(),
  );
  assert.match(refused.output(), /error: lost connection to pod/);

  const spdy = spawn('kubectl', ['port-forward', 'pod/echo', ':8080'], {
    env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig, KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
  });
  let err = '';
  spdy.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => spdy.once('exit', r));
  assert.equal(code, 1);
  assert.match(err, /error: error upgrading connection: port-forward over a SPDY upgrade is not supported; kubectl 1\.31 or later tunnels it over WebSocket/);
});

/** ESTABLISHED TCP connections (from this host's table) whose remote end is host:port. */
function establishedTo(host: string, port: number): number {
  const hex = host.split('.').map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase()).reverse().join('');
  const want = `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[2] === want && f[3] === '01';
    }).length;
}

const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

test('SIGINT ends kubectl, the forwarded connections, and every socket the server opened for them', async () => {
  const pid = c.proc.pid!;
  const ip = podIP('echo');
  await new Promise((r) => setTimeout(r, 300));
  const baseline = openFds(pid);
  const f = await portForward(['pod/echo', ':9090']);
  const port = f.local.get(9090)!;
  const held: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    await new Promise((r) => s.once('connect', r));
    s.write(`hello ${i}`);
    await new Promise((r) => s.once('data', r));
    held.push(s);
  }
  assert.equal(establishedTo(ip, 9090), 3, 'ordinal holds one pod connection per local one');
  assert.ok(openFds(pid) >= baseline + 4, 'the tunnel and the pod connections are open');
  const closed = Promise.all(held.map((s) => new Promise((r) => s.once('close', r))));
  assert.equal(await stop(f, 'SIGINT'), 0);
  await closed;
  await eventually(() => establishedTo(ip, 9090) === 0, 10_000, 'pod connections closed');
  await eventually(() => openFds(pid) <= baseline, 10_000, `server fds back to ${baseline}`);
});

test('client-node\'s PortForward: the channel protocol, its port prefixes, and a refused port', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const pf = new k8s.PortForward(kc);
  const out = new PassThrough();
  const err = new PassThrough();
  const input = new PassThrough();
  let got = '';
  out.on('data', (d) => (got += d));
  const ws = await pf.portForward('default', 'echo', [9090], out, err, input);
  // Without a retry count portForward resolves to the socket itself, not a reconnecting factory.
  assert.ok(typeof ws !== 'function');
  try {
    input.write('over the channels');
    await eventually(() => got === 'over the channels', 10_000, 'echo through client-node');
  } finally {
    ws.close();
  }

  const refusedErr = new PassThrough();
  let errText = '';
  refusedErr.on('data', (d) => (errText += d));
  const refused = await pf.portForward('default', 'echo', [7777], new PassThrough(), refusedErr, new PassThrough());
  assert.ok(typeof refused !== 'function');
  await new Promise((r) => refused.once('close', r));
  assert.match(errText, /error forwarding port 7777 to pod echo, uid [0-9a-f-]+: failed to connect to [\d.]+:7777 \(the pod's IP\): connect: connection refused/);
});
