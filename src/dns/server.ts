// The cluster DNS server: UDP and TCP listeners answering from the zone
// index, which informers on Services, EndpointSlices and Pods keep current.
// In-zone answers come from a cache of pre-encoded answers that is dropped on
// every change of the index; names outside the zone go to the upstreams, but
// only for clients on this host, so the server is never an open resolver.
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { createServer, isIP, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Client } from '../client/types.js';
import { Informer } from '../client/informer.js';
import { ZoneIndex } from './zone.js';
import { FORWARD, computeAnswer, emptyAnswer, render, renderError, type Outcome } from './answer.js';
import { CLASS_IN, RCODE, parseQuery, udpLimit, type Query } from './wire.js';
import { Forwarder, parseUpstream, resolvConfNameservers, type Upstream } from './forward.js';

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
}

interface Listener {
  host: string;
  port: number;
  udp: UdpSocket;
  tcp: TcpServer;
}

const MAX_CACHE = 50_000;
const TCP_LIMIT = 65535;

export class ClusterDns {
  readonly zone: ZoneIndex;
  private readonly ttl: number;
  private readonly cache = new Map<string, Outcome>();
  private informers: Informer[] = [];
  private listeners: Listener[] = [];
  private readonly tcpConns = new Set<TcpSocket>();
  private forwarder?: Forwarder;
  private synced = false;
  private running = false;
  private readonly localAddrs = new LocalAddresses();
  /** Set by handle() when the reply will come later (forwarded). */
  private pendingLater = false;

  constructor(private readonly opts: ClusterDnsOptions) {
    this.zone = new ZoneIndex(opts.zone ?? 'cluster.local');
    this.ttl = opts.ttl ?? 5;
    this.zone.onChange = () => this.cache.clear();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const l of this.opts.listen) this.listeners.push(await this.listen(l.host, l.port));
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.forwarder = new Forwarder(this.chooseUpstreams(), { timeoutMs: this.opts.upstreamTimeoutMs });
    this.startInformers();
  }

  /** Resolves once Services, EndpointSlices and Pods have been listed (until then in-zone names get SERVFAIL). */
  waitForSync(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.waitForSync())).then(() => undefined);
  }

  hasSynced(): boolean {
    return this.synced;
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
    await Promise.all(ls.map((l) => Promise.all([
      new Promise<void>((res) => { try { l.udp.close(() => res()); } catch { res(); } }),
      new Promise<void>((res) => l.tcp.close(() => res())),
    ])));
  }

  addresses(): { host: string; port: number }[] {
    return this.listeners.map((l) => ({ host: l.host, port: l.port }));
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
    return new Promise((resolve) => {
      const now = this.handle(msg, opts.tcp ?? false, opts.client ?? '127.0.0.1', resolve);
      if (now) resolve(opts.tcp ? now.subarray(2) : now);
      else if (!this.pendingLater) resolve(undefined);
    });
  }

  // -------------------------------------------------------------------------

  private startInformers(): void {
    const c = this.opts.client;
    const svc = new Informer<Service & { [k: string]: unknown }>(c, 'services');
    const eps = new Informer<EndpointSlice & { [k: string]: unknown }>(c, 'endpointslices.discovery.k8s.io');
    const pods = new Informer<Pod & { [k: string]: unknown }>(c, 'pods');
    svc.addHandlers({ add: (o) => this.zone.upsertService(o), update: (_, o) => this.zone.upsertService(o), delete: (o) => this.zone.deleteService(o) });
    eps.addHandlers({ add: (o) => this.zone.upsertSlice(o), update: (_, o) => this.zone.upsertSlice(o), delete: (o) => this.zone.deleteSlice(o) });
    pods.addHandlers({ add: (o) => this.zone.upsertPod(o), update: (_, o) => this.zone.upsertPod(o), delete: (o) => this.zone.deletePod(o) });
    this.informers = [svc, eps, pods] as Informer[];
    const started = this.informers;
    void Promise.all(started.map((i) => i.start())).then(() => {
      if (this.informers !== started) return;
      this.synced = true;
      this.cache.clear();
    });
  }

  private chooseUpstreams(): Upstream[] {
    const raw = this.opts.upstreams ?? resolvConfNameservers();
    const ours = this.listeners;
    return raw.map(parseUpstream).filter((u) => !ours.some((l) =>
      l.port === u.port && (l.host === u.host || isUnspecified(l.host))));
  }

  private async listen(host: string, port: number): Promise<Listener> {
    const family = isIP(host) === 6 ? 'udp6' : 'udp4';
    // With port 0, bind UDP first and take the same port for TCP; retry on a clash.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: family, recvBufferSize: 4 << 20 });
      await new Promise<void>((res, rej) => {
        udp.once('error', rej);
        udp.bind({ address: host, port, exclusive: true }, () => { udp.off('error', rej); res(); });
      });
      const actual = udp.address().port;
      const tcp = createServer((sock) => this.onTcp(sock));
      try {
        await new Promise<void>((res, rej) => {
          tcp.once('error', rej);
          tcp.listen({ host, port: actual, exclusive: true }, () => { tcp.off('error', rej); res(); });
        });
      } catch (e) {
        udp.close();
        if (port === 0 && attempt < 20 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw e;
      }
      udp.on('message', (msg, rinfo) => this.onUdp(udp, msg, rinfo));
      udp.on('error', () => { /* a send to a vanished client; nothing to do */ });
      return { host, port: actual, udp, tcp };
    }
  }

  private onUdp(sock: UdpSocket, msg: Buffer, rinfo: RemoteInfo): void {
    const reply = this.handle(msg, false, rinfo.address, (late) => {
      if (this.running) sock.send(late, rinfo.port, rinfo.address);
    });
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  }

  private onTcp(sock: TcpSocket): void {
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
        const reply = this.handle(msg, true, remote, (late) => {
          if (!sock.destroyed) sock.write(frame(late));
        });
        if (reply) sock.write(reply);
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.tcpConns.delete(sock));
  }

  /**
   * Answers one message. Returns the reply (length-prefixed for TCP) when it
   * is ready now, or arranges for `later` to be called with an unframed reply.
   */
  private handle(msg: Buffer, tcp: boolean, client: string, later: (reply: Buffer) => void): Buffer | undefined {
    const headroom = tcp ? 2 : 0;
    this.pendingLater = false;
    const parsed = parseQuery(msg);
    if (parsed.kind === 'drop') return undefined;
    if (parsed.kind === 'error') return renderError(msg, parsed.id, parsed.flags, parsed.rcode, parsed.questionEnd, headroom);
    const q = parsed.query;
    const limit = tcp ? TCP_LIMIT : udpLimit(q.edns);
    const ra = { recursionAvailable: this.forwarder?.enabled ?? false };
    if (q.edns && q.edns.version > 0) return render(msg, q, emptyAnswer(RCODE.NOERROR), limit, ra, headroom, RCODE.BADVERS);
    if (q.qclass !== CLASS_IN) return render(msg, q, emptyAnswer(RCODE.REFUSED), limit, ra, headroom);
    const key = q.wireKey + String.fromCharCode(q.qtype);
    let out = this.cache.get(key);
    if (out === undefined) {
      out = this.compute(q);
      if (out === undefined) return render(msg, q, emptyAnswer(RCODE.SERVFAIL), limit, ra, headroom);
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(key, out);
    }
    if (out !== FORWARD) return render(msg, q, out, limit, ra, headroom);
    if (!this.forwarder?.enabled || !this.localAddrs.isLocal(client)) {
      return render(msg, q, emptyAnswer(RCODE.REFUSED), limit, { recursionAvailable: false }, headroom);
    }
    const query = q;
    this.pendingLater = true;
    void this.forwarder.query(msg, tcp).then((reply) => {
      later(reply ?? render(msg, query, emptyAnswer(RCODE.SERVFAIL), limit, ra));
    });
    return undefined;
  }

  /** A fresh answer, or undefined while the index has not synced (SERVFAIL, not cached). */
  private compute(q: Query): Outcome | undefined {
    if (!this.synced) {
      const name = q.labels.join('.');
      if (this.zone.inZone(name) || name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return undefined;
      return FORWARD;
    }
    return computeAnswer(this.zone, q, { ttl: this.ttl });
  }
}

function frame(msg: Buffer): Buffer {
  const out = Buffer.allocUnsafe(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** Whether a client address belongs to this host (loopback or one of its interfaces). */
class LocalAddresses {
  private addrs = new Set<string>();
  private readAt = 0;

  isLocal(addr: string): boolean {
    const a = addr.replace(/^::ffff:/, '');
    if (a.startsWith('127.') || a === '::1') return true;
    if (this.addrs.has(a)) return true;
    // Interfaces change (the cluster DNS address itself is added at run time): re-read at most once a second.
    const now = Date.now();
    if (now - this.readAt < 1000) return false;
    this.readAt = now;
    this.addrs = new Set(Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address.split('%')[0])));
    return this.addrs.has(a);
  }
}
