// How soon a changed EndpointSlice is answered by the cluster DNS of a real
// `ordinal serve` (issue 5: within 10 ms). A pod recreated with a new IP is an
// EndpointSlice update: the bench PUTs the slice of a selector-less headless
// Service with a new address, then asks `web-0.<svc>.default.svc.cluster.local`
// over UDP back to back until the new address comes back.
//   node --import tsx bench/dns/propagation.ts
import { createSocket, type Socket } from 'node:dgram';
import { Agent } from 'node:https';
import { fileURLToPath } from 'node:url';
import packet from 'dns-packet';
import { call, ms, percentile, serve, type Section } from '../lib.js';

const SVC = 'moving';
const NAME = `web-0.${SVC}.default.svc.cluster.local`;

/** A stub resolver on one socket: one outstanding query at a time. */
class Asker {
  private readonly sock: Socket = createSocket('udp4');
  private id = 0;
  private pending?: { id: number; done: (ip: string) => void };

  constructor(private readonly port: number) {
    this.sock.on('message', (m) => {
      const res = packet.decode(m);
      if (!this.pending || res.id !== this.pending.id) return;
      const a = (res.answers ?? []).find((x) => x.type === 'A') as { data?: string } | undefined;
      this.pending.done(a?.data ?? '');
    });
  }

  ask(name: string): Promise<string> {
    const id = (this.id = (this.id + 1) & 0xffff);
    return new Promise((resolve) => {
      // A lost datagram is asked again rather than waited on.
      const retry = setTimeout(() => { this.pending = undefined; resolve(''); }, 200);
      this.pending = { id, done: (ip) => { clearTimeout(retry); this.pending = undefined; resolve(ip); } };
      this.sock.send(packet.encode({ type: 'query', id, questions: [{ type: 'A', name, class: 'IN' }] }), this.port, '127.0.0.1');
    });
  }

  close(): void {
    this.sock.close();
  }
}

export interface PropagationResult {
  updates: number;
  /** From sending the PUT to the first answer with the new address, sorted. */
  fromRequest: number[];
  /** From the PUT's 200 response to the first answer with the new address, sorted. */
  fromResponse: number[];
}

export async function measurePropagation(updates = 300): Promise<PropagationResult> {
  const s = await serve(['--runtime', 'simulated']);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let asker: Asker | undefined;
  try {
    const m = s.output().match(/cluster DNS on 127\.0\.0\.1:(\d+)/);
    if (!m) throw new Error(`no DNS address in the server's output:\n${s.output()}`);
    asker = new Asker(Number(m[1]));
    const svc = await call(s, agent, 'POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: SVC },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] },
    });
    if (svc.code !== 201) throw new Error(`service: ${svc.code} ${JSON.stringify(svc.json)}`);
    const base = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
    const endpoint = (ip: string) => [{ addresses: [ip], hostname: 'web-0', conditions: { ready: true } }];
    let slice = (await call(s, agent, 'POST', base, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${SVC}-abcde`, labels: { 'kubernetes.io/service-name': SVC } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: endpoint('10.2.0.1'),
    })).json;
    while ((await asker.ask(NAME)) !== '10.2.0.1');
    const fromRequest: number[] = [];
    const fromResponse: number[] = [];
    // 20 warm-up rounds (JIT, connection) are not counted.
    for (let i = 0; i < updates + 20; i++) {
      // A new address every round, as each recreated pod gets.
      const next = `10.1.${(i >> 8) & 255}.${i & 255}`;
      const t0 = performance.now();
      const put = await call(s, agent, 'PUT', `${base}/${SVC}-abcde`, { ...slice, endpoints: endpoint(next) });
      const t1 = performance.now();
      if (put.code !== 200) throw new Error(`update: ${put.code} ${JSON.stringify(put.json)}`);
      slice = put.json;
      while ((await asker.ask(NAME)) !== next) {
        if (performance.now() - t1 > 5000) throw new Error(`${next} not answered 5 s after the update`);
      }
      const t2 = performance.now();
      if (i >= 20) {
        fromRequest.push(t2 - t0);
        fromResponse.push(t2 - t1);
      }
    }
    return { updates, fromRequest: fromRequest.sort((a, b) => a - b), fromResponse: fromResponse.sort((a, b) => a - b) };
  } finally {
    asker?.close();
    agent.destroy();
    await s.stop();
  }
}

export function propagationRows(r: PropagationResult): Section['rows'] {
  const p99 = percentile(r.fromRequest, 99);
  return [
    { metric: `EndpointSlice PUT sent → new address answered, p50 (${r.updates} updates)`, value: ms(percentile(r.fromRequest, 50)) },
    { metric: 'EndpointSlice PUT sent → new address answered, p99', value: ms(p99), target: '< 10 ms', met: p99 < 10 },
    { metric: 'EndpointSlice PUT sent → new address answered, max', value: ms(r.fromRequest[r.fromRequest.length - 1]) },
    { metric: 'PUT response → new address answered, p50 / p99', value: `${ms(percentile(r.fromResponse, 50))} / ${ms(percentile(r.fromResponse, 99))}` },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of propagationRows(await measurePropagation())) console.log(`${row.metric}: ${row.value}`);
}
