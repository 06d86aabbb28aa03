// The cluster DNS's UDP transport. On Linux it uses the batched-UDP addon
// (src/dns/native/udp_batch.c: one recvmmsg/sendmmsg per batch of queries,
// the queries and replies in memory shared with the addon), which costs a
// fraction of node:dgram's per-datagram work. Elsewhere, or when the addon
// was not built, it uses node:dgram.
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';

/**
 * Answers one datagram: the reply, a promise of it, or undefined to drop it.
 * `msg` is valid only during the call (it may be a view of a reused buffer);
 * `client` returns the sender's address.
 */
export type DatagramHandler = (msg: Buffer, client: () => string) => Buffer | Promise<Buffer | undefined> | undefined;

export interface UdpListener {
  readonly host: string;
  readonly port: number;
  /** `batched` (recvmmsg/sendmmsg addon) or `dgram` (node:dgram). */
  readonly transport: 'batched' | 'dgram';
  close(): Promise<void>;
}

export interface UdpOptions {
  /** Force node:dgram even where the addon is available. */
  dgram?: boolean;
}

interface Layout { slots: number; inSlot: number; outSlot: number }

interface NativeUdp {
  open(host: string, port: number, recvBufferSize: number): { fd: number; port: number };
  serve(fd: number, input: ArrayBuffer, output: ArrayBuffer, lens: ArrayBuffer, onBatch: (n: number) => void): object;
  peer(server: object, slot: number): Buffer;
  peerHost(peer: Buffer): string;
  sendTo(server: object, data: Buffer, peer: Buffer): void;
  close(server: object): void;
  closeFd(fd: number): void;
  layout(): Layout;
}

let loaded: { native?: NativeUdp; error?: string } | undefined;

/** The addon, or why it is not available. */
export function nativeUdp(): { native?: NativeUdp; error?: string } {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return (loaded = { error: 'batched UDP is Linux only' });
  if (process.env.ORDINAL_DNS_DGRAM === '1') return (loaded = { error: 'ORDINAL_DNS_DGRAM=1' });
  try {
    // src/dns/ and dist/dns/ are both two levels below the package root.
    const require = createRequire(import.meta.url);
    loaded = { native: require('../../build/Release/ordinal_udp.node') as NativeUdp };
  } catch (e) {
    loaded = { error: `batched UDP addon not built (npm run build): ${(e as Error).message.split('\n')[0]}` };
  }
  return loaded;
}

const RECV_BUFFER = 4 << 20;

/** Binds `host:port` (port 0: a free one) and answers datagrams with `handler`. */
export async function listenUdp(host: string, port: number, handler: DatagramHandler, opts: UdpOptions = {}): Promise<UdpListener> {
  const { native } = opts.dgram ? { native: undefined } : nativeUdp();
  if (native) return listenBatched(native, host, port, handler);
  return listenDgram(host, port, handler);
}

function listenBatched(native: NativeUdp, host: string, port: number, handler: DatagramHandler): UdpListener {
  const { fd, port: actual } = native.open(host, port, RECV_BUFFER);
  const { slots, inSlot, outSlot } = native.layout();
  const input = Buffer.from(new ArrayBuffer(slots * inSlot));
  const output = Buffer.from(new ArrayBuffer(slots * outSlot));
  const lens = new Int32Array(2 * slots);
  let open = true;
  let slot = 0;
  // Built once: the batch loop sets `slot` before each handler call.
  const client = (): string => native.peerHost(native.peer(server, slot));
  const sendLater = (reply: Promise<Buffer | undefined>, peer: Buffer): void => {
    void reply.then((late) => { if (late && open) native.sendTo(server, late, peer); }, () => {});
  };
  const onBatch = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const len = lens[i];
      if (len < 0) continue; // longer than a slot: dropped as oversized
      slot = i;
      const at = i * inSlot;
      const reply = answer(handler, input.subarray(at, at + len), client);
      if (reply === undefined) continue;
      if (reply instanceof Uint8Array) {
        if (reply.length <= outSlot) {
          output.set(reply, i * outSlot);
          lens[slots + i] = reply.length;
        } else {
          native.sendTo(server, reply, native.peer(server, i));
        }
      } else {
        sendLater(reply, native.peer(server, i));
      }
    }
  };
  let server: object;
  try {
    server = native.serve(fd, input.buffer as ArrayBuffer, output.buffer as ArrayBuffer, lens.buffer, onBatch);
  } catch (e) {
    native.closeFd(fd);
    throw e;
  }
  return {
    host, port: actual, transport: 'batched',
    async close() {
      if (!open) return;
      open = false;
      native.close(server);
    },
  };
}

async function listenDgram(host: string, port: number, handler: DatagramHandler): Promise<UdpListener> {
  const sock = createSocket({
    type: isIP(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: RECV_BUFFER,
    // Addresses are IP literals: resolve them synchronously (the default
    // lookup defers every send by a tick).
    lookup: (address, _opts, cb) => (cb as (e: null, a: string, f: number) => void)(null, address, isIP(address)),
  });
  await new Promise<void>((res, rej) => {
    sock.once('error', rej);
    sock.bind({ address: host, port, exclusive: true }, () => { sock.off('error', rej); res(); });
  });
  let open = true;
  serveDgram(sock, handler, () => open);
  return {
    host, port: sock.address().port, transport: 'dgram',
    close: () => new Promise<void>((res) => {
      if (!open) { res(); return; }
      open = false;
      try { sock.close(() => res()); } catch { res(); }
    }),
  };
}

/** The handler's reply; a handler that throws drops the datagram, never the server. */
function answer(handler: DatagramHandler, msg: Buffer, client: () => string): ReturnType<DatagramHandler> {
  try {
    return handler(msg, client);
  } catch {
    return undefined;
  }
}

/** Answers datagrams arriving on a node:dgram socket. */
function serveDgram(sock: DgramSocket, handler: DatagramHandler, running: () => boolean = () => true): void {
  sock.on('message', (msg, rinfo) => {
    const reply = answer(handler, msg, () => rinfo.address);
    if (reply === undefined) return;
    if (reply instanceof Uint8Array) sock.send(reply, rinfo.port, rinfo.address);
    else void reply.then((late) => { if (late && running()) sock.send(late, rinfo.port, rinfo.address); }, () => {});
  });
  sock.on('error', () => { /* a send to a vanished client; nothing to do */ });
}
