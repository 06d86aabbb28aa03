// Answering DNS messages from a zone index: the hot path shared by the main
// process and worker processes. In-zone answers are computed once per
// (name, type) and cached pre-encoded until the index changes; names outside
// the zone go to the upstreams, but only for clients on this host, so the
// server is never an open resolver.
import { networkInterfaces } from 'node:os';
import type { ZoneIndex } from './zone.js';
import { FORWARD, appendChased, chaseQuery, computeAnswer, emptyAnswer, render, renderError, type Outcome } from './answer.js';
import { CLASS_IN, RCODE, parseQuery, questionLabels, udpLimit, type Query } from './wire.js';
import type { Forwarder } from './forward.js';

const MAX_CACHE = 50_000;
const TCP_LIMIT = 65535;
const WITH_RA = { recursionAvailable: true };
const WITHOUT_RA = { recursionAvailable: false };

export class Responder {
  /** False until the index reflects a full list of the cluster: in-zone names get SERVFAIL. */
  synced = false;
  private readonly cache = new Map<string, Outcome>();
  private readonly localAddrs = new LocalAddresses();

  constructor(
    private readonly zone: ZoneIndex,
    private readonly ttl: number,
    private readonly forwarder?: Forwarder,
  ) {}

  /** Drops every cached answer (the index changed). */
  invalidate(): void {
    this.cache.clear();
  }

  setSynced(): void {
    this.synced = true;
    this.cache.clear();
  }

  /**
   * Answers one message in-process, as if it arrived over UDP (or TCP,
   * without the length prefix) from `client`; undefined when it is dropped.
   */
  async resolveMessage(msg: Buffer, opts: { tcp?: boolean; client?: string } = {}): Promise<Buffer | undefined> {
    const reply = await this.handle(msg, opts.tcp ?? false, opts.client ?? '127.0.0.1');
    return reply && opts.tcp ? reply.subarray(2) : reply;
  }

  /**
   * Answers one message: the reply (length-prefixed for TCP), a promise of it
   * when it needs an upstream, or undefined when the message is dropped.
   * `msg` need only be valid during the call (UDP queries arrive in a reused
   * buffer); `client` is the sender's address, or a function returning it
   * (only forwarding decisions need it).
   */
  handle(msg: Buffer, tcp: boolean, client: string | (() => string)): Buffer | Promise<Buffer> | undefined {
    const headroom = tcp ? 2 : 0;
    const parsed = parseQuery(msg);
    if (parsed.kind === 'drop') return undefined;
    if (parsed.kind === 'error') return renderError(msg, parsed.id, parsed.flags, parsed.rcode, parsed.questionEnd, headroom);
    const q = parsed.query;
    const limit = tcp ? TCP_LIMIT : udpLimit(q.edns);
    const ra = this.forwarder?.enabled ? WITH_RA : WITHOUT_RA;
    if (q.edns && q.edns.version > 0) return render(msg, q, emptyAnswer(RCODE.NOERROR), limit, ra, headroom, RCODE.BADVERS);
    if (q.qclass !== CLASS_IN) return render(msg, q, emptyAnswer(RCODE.REFUSED), limit, ra, headroom);
    const key = q.wireKey + String.fromCharCode(q.qtype);
    let out = this.cache.get(key);
    if (out === undefined) {
      out = this.compute(msg, q);
      if (out === undefined) return render(msg, q, emptyAnswer(RCODE.SERVFAIL), limit, ra, headroom);
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      this.cache.set(key, out);
    }
    const forwarder = this.forwarder;
    if (out !== FORWARD) {
      if (!out.chase || !forwarder?.enabled || !this.isLocal(client)) return render(msg, q, out, limit, ra, headroom);
      // An ExternalName: the CNAME, with its target's records from upstream.
      const cname = out;
      const own = Buffer.from(msg);
      return forwarder.query(chaseQuery(out.chase.target, out.chase.qtype), tcp)
        .then((reply) => render(own, q, appendChased(cname, reply), limit, ra, headroom));
    }
    if (!forwarder?.enabled || !this.isLocal(client)) {
      return render(msg, q, emptyAnswer(RCODE.REFUSED), limit, WITHOUT_RA, headroom);
    }
    const own = Buffer.from(msg);
    return forwarder.query(own, tcp).then((reply) => {
      if (!reply) return render(own, q, emptyAnswer(RCODE.SERVFAIL), limit, ra, headroom);
      return headroom ? frame(reply) : reply;
    });
  }

  private isLocal(client: string | (() => string)): boolean {
    return this.localAddrs.isLocal(typeof client === 'string' ? client : client());
  }

  /** A fresh answer, or undefined while the index has not synced (SERVFAIL, not cached). */
  private compute(msg: Buffer, q: Query): Outcome | undefined {
    const labels = questionLabels(msg);
    if (!this.synced) {
      const name = labels.join('.');
      if (this.zone.inZone(name) || name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return undefined;
      return FORWARD;
    }
    return computeAnswer(this.zone, q, labels, { ttl: this.ttl });
  }
}

function frame(msg: Buffer): Buffer {
  const out = Buffer.allocUnsafe(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

/** Whether a client address belongs to this host (loopback or one of its interfaces). */
export class LocalAddresses {
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
