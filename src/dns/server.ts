// The cluster DNS server: UDP and TCP listeners answering from the zone
// index, which informers on Services, EndpointSlices and Pods keep current.
// UDP goes through udp.ts (batched recvmmsg/sendmmsg on Linux); TCP through node:net.
import { createServer, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Client } from '../client/types.js';
import { Informer } from '../client/informer.js';
import { ZoneIndex } from './zone.js';
import { Responder } from './responder.js';
import { Forwarder, parseUpstream, resolvConfNameservers, type Upstream } from './forward.js';
import { listenUdp, type UdpListener } from './udp.js';

export interface ClusterDnsOptions {
  client: Client;
  /** The cluster domain; default `cluster.local`. */
  zone?: string;
  /** UDP and TCP are served on each; port 0 picks a free port (the same one for both). */
  listen: { host: string; port: number }[];
  /** `host` or `host:port`; default: the nameservers of /etc/resolv.conf that are not this server. None: out-of-zone names are REFUSED. */
  upstreams?: string[];
  /** TTL of cluster records; default 5 s as in CoreDNS. */
  ttl?: number;
  /** Seconds an idle TCP connection stays open. */
  tcpIdleSeconds?: number;
  /** Forwarding timeout per upstream. */
  upstreamTimeoutMs?: number;
  /** UDP transport: `auto` (the batched addon where built, else node:dgram) or `dgram`. */
  udp?: 'auto' | 'dgram';
}

interface Listener {
  host: string;
  port: number;
  udp: UdpListener;
  tcp: TcpServer;
}

type Obj<T> = T & { [k: string]: unknown };

/** Open TCP connections beyond this are closed at once (RFC 7766 §6.2.2 lets servers limit them). */
const MAX_TCP_CONNECTIONS = 1000;

export class ClusterDns {
  readonly zone: ZoneIndex;
  private readonly ttl: number;
  private responder: Responder;
  private informers: Informer[] = [];
  private listeners: Listener[] = [];
  private readonly tcpConns = new Set<TcpSocket>();
  private forwarder?: Forwarder;
  private running = false;

  constructor(private readonly opts: ClusterDnsOptions) {
    this.zone = new ZoneIndex(opts.zone ?? 'cluster.local');
    this.ttl = opts.ttl ?? 5;
    this.responder = new Responder(this.zone, this.ttl);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const l of this.opts.listen) this.listeners.push(await this.listen(l.host, l.port));
      const upstreams = this.chooseUpstreams();
      this.forwarder = new Forwarder(upstreams, { timeoutMs: this.opts.upstreamTimeoutMs });
      const responder = new Responder(this.zone, this.ttl, this.forwarder);
      this.responder = responder;
      this.zone.onChange = () => responder.invalidate();
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.startInformers();
  }

  /** Resolves once Services, EndpointSlices and Pods have been listed (until then in-zone names get SERVFAIL). */
  waitForSync(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.waitForSync())).then(() => undefined);
  }

  hasSynced(): boolean {
    return this.responder.synced;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const i of this.informers) i.stop();
    this.informers = [];
    this.forwarder?.close();
    for (const c of this.tcpConns) c.destroy();
    this.tcpConns.clear();
    const ls = this.listeners;
    this.listeners = [];
    // Closing never waits long: a socket that does not report its close in time is left to the process exit.
    const closed = (start: (done: () => void) => void): Promise<void> => new Promise<void>((res) => {
      const t = setTimeout(res, 2000);
      t.unref();
      try { start(() => { clearTimeout(t); res(); }); } catch { clearTimeout(t); res(); }
    });
    await Promise.all(ls.flatMap((l) => [closed((d) => void l.udp.close().then(d)), closed((d) => l.tcp.close(() => d()))]));
  }

  addresses(): { host: string; port: number }[] {
    return this.listeners.map((l) => ({ host: l.host, port: l.port }));
  }

  /** How UDP is served: `batched` (recvmmsg/sendmmsg addon) or `dgram` (node:dgram). */
  udpTransport(): UdpListener['transport'] | undefined {
    return this.listeners[0]?.udp.transport;
  }

  /** The upstreams in use (after removing this server's own addresses). */
  upstreams(): Upstream[] {
    return this.forwarder?.upstreams ?? [];
  }

  /**
   * Answers one DNS message in-process, as if it arrived over UDP (or TCP,
   * without the length prefix) from `client`; undefined when it is dropped.
   */
  resolveMessage(msg: Buffer, opts: { tcp?: boolean; client?: string } = {}): Promise<Buffer | undefined> {
    return this.responder.resolveMessage(msg, opts);
  }

  // -------------------------------------------------------------------------

  private startInformers(): void {
    const c = this.opts.client;
    const z = this.zone;
    const svc = new Informer<Obj<Service>>(c, 'services');
    const eps = new Informer<Obj<EndpointSlice>>(c, 'endpointslices.discovery.k8s.io');
    const pods = new Informer<Obj<Pod>>(c, 'pods');
    svc.addHandlers({ add: (o) => z.upsertService(o), update: (_, o) => z.upsertService(o), delete: (o) => z.deleteService(o) });
    eps.addHandlers({ add: (o) => z.upsertSlice(o), update: (_, o) => z.upsertSlice(o), delete: (o) => z.deleteSlice(o) });
    pods.addHandlers({ add: (o) => z.upsertPod(o), update: (_, o) => z.upsertPod(o), delete: (o) => z.deletePod(o) });
    const started = [svc, eps, pods] as Informer[];
    this.informers = started;
    void Promise.all(started.map((i) => i.start())).then(() => {
      if (this.informers !== started) return;
      this.responder.setSynced();
    });
  }

  private chooseUpstreams(): Upstream[] {
    const raw = this.opts.upstreams ?? resolvConfNameservers();
    const ours = this.listeners;
    return raw.map(parseUpstream).filter((u) => !ours.some((l) =>
      l.port === u.port && (l.host === u.host || isUnspecified(l.host))));
  }

  private async listen(host: string, port: number): Promise<Listener> {
    // The responder is looked up per datagram: start() replaces it once the upstreams are known.
    const answer = (msg: Buffer, client: () => string): ReturnType<Responder['handle']> =>
      this.running ? this.responder.handle(msg, false, client) : undefined;
    // With port 0, bind UDP first and take the same port for TCP; retry on a clash.
    for (let attempt = 0; ; attempt++) {
      const udp = await listenUdp(host, port, answer, { dgram: this.opts.udp === 'dgram' });
      const tcp = createServer((sock) => this.onTcp(sock));
      try {
        await new Promise<void>((res, rej) => {
          tcp.once('error', rej);
          tcp.listen({ host, port: udp.port, exclusive: true }, () => { tcp.off('error', rej); res(); });
        });
      } catch (e) {
        await udp.close();
        if (port === 0 && attempt < 20 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw e;
      }
      return { host, port: udp.port, udp, tcp };
    }
  }

  private onTcp(sock: TcpSocket): void {
    if (this.tcpConns.size >= MAX_TCP_CONNECTIONS) { sock.destroy(); return; }
    this.tcpConns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout((this.opts.tcpIdleSeconds ?? 10) * 1000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    const remote = sock.remoteAddress ?? '';
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < n + 2) break;
        const msg = buf.subarray(2, n + 2);
        buf = buf.subarray(n + 2);
        const reply = this.responder.handle(msg, true, remote);
        if (reply instanceof Uint8Array) sock.write(reply);
        else if (reply) void reply.then((late) => { if (!sock.destroyed) sock.write(late); });
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.tcpConns.delete(sock));
  }
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
