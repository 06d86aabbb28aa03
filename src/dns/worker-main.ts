// A DNS worker process (see workers.ts): mirrors the zone index sent by the
// main process and answers datagrams on the sockets it was handed.
import type { Socket as UdpSocket } from 'node:dgram';
import { ZoneIndex } from './zone.js';
import { Responder } from './responder.js';
import { Forwarder } from './forward.js';
import type { ToWorker, FromWorker } from './workers.js';

let zone: ZoneIndex | undefined;
let responder: Responder | undefined;
let forwarder: Forwarder | undefined;
const pending: UdpSocket[] = [];
let expected = -1;
let attached = 0;

function attach(s: UdpSocket): void {
  if (!responder) { pending.push(s); return; }
  responder.serveUdp(s);
  attached++;
  if (attached === expected) process.send?.({ kind: 'ready' } satisfies FromWorker);
}

process.on('message', (m: ToWorker, handle?: unknown) => {
  switch (m.kind) {
    case 'init': {
      zone = new ZoneIndex(m.config.zone);
      forwarder = new Forwarder(m.config.upstreams, { timeoutMs: m.config.upstreamTimeoutMs });
      responder = new Responder(zone, m.config.ttl, forwarder);
      const r = responder;
      for (const [source, contribution] of m.snapshot) zone.applySource(source, contribution);
      zone.onChange = () => r.invalidate();
      if (m.synced) r.setSynced();
      expected = m.sockets;
      if (expected === 0) process.send?.({ kind: 'ready' } satisfies FromWorker);
      for (const s of pending.splice(0)) attach(s);
      break;
    }
    case 'socket':
      attach(handle as UdpSocket);
      break;
    case 'source':
      zone?.applySource(m.source, m.contribution);
      break;
    case 'synced':
      responder?.setSynced();
      break;
  }
});

const exit = (): void => {
  forwarder?.close();
  process.exit(0);
};
process.on('disconnect', exit);
process.on('SIGTERM', exit);
