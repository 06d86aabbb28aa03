// Forwarding names outside the cluster zone to the host's resolvers, as
// CoreDNS's `forward . /etc/resolv.conf` does. Each query goes out under a
// fresh ID; an upstream that does not answer in time is skipped for the next.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { FLAG } from './wire.js';

export interface Upstream { host: string; port: number }

/** `nameserver` lines of a resolv.conf. */
export function resolvConfNameservers(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && isIP(m[1].split('%')[0])) out.push(m[1]);
  }
  return out;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`, `::1` -> host and port. */
export function parseUpstream(s: string): Upstream {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1], port: bracket[2] ? Number(bracket[2]) : 53 };
  if (isIP(s)) return { host: s, port: 53 };
  const i = s.lastIndexOf(':');
  if (i > 0 && isIP(s.slice(0, i))) return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  throw new Error(`invalid upstream DNS server ${JSON.stringify(s)}`);
}

interface Pending {
  id: number;
  msg: Buffer;
  tcp: boolean;
  tried: number;
  timer?: NodeJS.Timeout;
  resolve(reply: Buffer | undefined): void;
}

export interface ForwarderOptions {
  timeoutMs?: number;
  /** Queries in flight at once; more are refused (CoreDNS: max_concurrent). */
  maxInFlight?: number;
}

export class Forwarder {
  private readonly pending = new Map<number, Pending>();
  private sockets: { 4?: UdpSocket; 6?: UdpSocket } = {};
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private closed = false;

  constructor(readonly upstreams: Upstream[], opts: ForwarderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxInFlight = opts.maxInFlight ?? 1000;
  }

  get enabled(): boolean {
    return this.upstreams.length > 0 && !this.closed;
  }

  /**
   * Sends the query upstream and resolves with the reply (carrying the
   * query's own ID), or undefined when no upstream answered in time.
   */
  query(msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    if (!this.enabled || this.pending.size >= this.maxInFlight || msg.length < 12) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let id: number;
      do id = (Math.random() * 0x10000) | 0; while (this.pending.has(id));
      const copy = Buffer.from(msg);
      copy.writeUInt16BE(id, 0);
      const origId = msg.readUInt16BE(0);
      const p: Pending = {
        id, msg: copy, tcp, tried: 0,
        resolve: (reply) => {
          clearTimeout(p.timer);
          this.pending.delete(id);
          if (reply) reply.writeUInt16BE(origId, 0);
          resolve(reply);
        },
      };
      this.pending.set(id, p);
      this.send(p);
    });
  }

  close(): void {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.resolve(undefined);
    this.sockets[4]?.close();
    this.sockets[6]?.close();
    this.sockets = {};
  }

  private send(p: Pending): void {
    if (this.closed || p.tried >= this.upstreams.length) { p.resolve(undefined); return; }
    const up = this.upstreams[p.tried++];
    p.timer = setTimeout(() => this.send(p), this.timeoutMs);
    p.timer.unref?.();
    if (p.tcp) this.sendTcp(p, up);
    else this.udp(isIP(up.host) === 6 ? 6 : 4).send(p.msg, up.port, up.host, (err) => {
      if (err) { clearTimeout(p.timer); this.send(p); }
    });
  }

  private udp(family: 4 | 6): UdpSocket {
    let s = this.sockets[family];
    if (s) return s;
    s = createSocket(family === 6 ? 'udp6' : 'udp4');
    s.on('message', (reply, rinfo) => {
      if (reply.length < 12 || !(reply.readUInt16BE(2) & FLAG.QR)) return;
      const p = this.pending.get(reply.readUInt16BE(0));
      if (!p || p.tcp) return;
      if (!this.upstreams.some((u) => u.port === rinfo.port && sameHost(u.host, rinfo.address))) return;
      p.resolve(reply);
    });
    s.on('error', () => { /* an unreachable upstream shows up as a timeout */ });
    s.unref();
    this.sockets[family] = s;
    return s;
  }

  private sendTcp(p: Pending, up: Upstream): void {
    const sock = connect({ host: up.host, port: up.port });
    const tries = p.tried;
    const chunks: Buffer[] = [];
    let len = 0;
    const giveUp = (): void => {
      sock.destroy();
      if (this.pending.get(p.id) === p && p.tried === tries) { clearTimeout(p.timer); this.send(p); }
    };
    sock.setTimeout(this.timeoutMs, giveUp);
    sock.on('error', giveUp);
    sock.on('connect', () => {
      const framed = Buffer.allocUnsafe(p.msg.length + 2);
      framed.writeUInt16BE(p.msg.length, 0);
      p.msg.copy(framed, 2);
      sock.write(framed);
    });
    sock.on('data', (d) => {
      chunks.push(d);
      len += d.length;
      const all = Buffer.concat(chunks, len);
      if (all.length < 2) return;
      const n = all.readUInt16BE(0);
      if (all.length < n + 2) return;
      sock.destroy();
      const reply = Buffer.from(all.subarray(2, n + 2));
      if (this.pending.get(p.id) === p && reply.length >= 12 && reply.readUInt16BE(0) === p.id) p.resolve(reply);
    });
    sock.on('end', giveUp);
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || a === b.replace(/^::ffff:/, '');
}
