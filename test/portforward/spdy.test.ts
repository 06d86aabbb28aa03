// SPDY/3.1 framing and the server session, against a client built here the
// way spdystream (kubectl's library) writes: header blocks through a real
// zlib deflater primed with the dictionary and sync-flushed per block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import {
  FLAG_FIN, FrameReader, FrameType, HeaderCompressor, HeaderDecompressor, RstStatus, SPDY3_DICTIONARY, adler32,
  controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, goAwayFrame, pingFrame, rstStreamFrame,
  type Frame, type SpdyHeaders,
} from '../../src/apiserver/spdy.js';
import { SpdyServerSession, type SpdyStream } from '../../src/apiserver/spdy-session.js';

test('the SPDY/3 dictionary is the one Go and kubectl prime zlib with', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  // The id kubectl's header blocks name; Node's inflater checks it.
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
});

test('frames are read whole whatever the chunking', () => {
  const frames = [
    dataFrame(1, Buffer.from('hello')),
    pingFrame(7),
    dataFrame(3, Buffer.alloc(70_000, 7), true),
    rstStreamFrame(5, RstStatus.Cancel),
    goAwayFrame(5, 0),
  ];
  const bytes = Buffer.concat(frames);
  for (const size of [1, 3, 8, 1000, bytes.length]) {
    const r = new FrameReader();
    const got: Frame[] = [];
    for (let at = 0; at < bytes.length; at += size) {
      r.push(bytes.subarray(at, at + size));
      for (let f = r.next(); f; f = r.next()) got.push(f);
    }
    assert.equal(got.length, 5, `chunks of ${size}`);
    const [d1, ping, d3, rst, away] = got;
    assert.ok(!d1.control && d1.streamId === 1 && d1.data.toString() === 'hello' && d1.flags === 0);
    assert.ok(ping.control && ping.type === FrameType.Ping && ping.version === 3 && ping.payload.readUInt32BE(0) === 7);
    assert.ok(!d3.control && d3.streamId === 3 && d3.flags === FLAG_FIN && d3.data.length === 70_000 && d3.data.every((b) => b === 7));
    assert.ok(rst.control && rst.type === FrameType.RstStream && rst.payload.readUInt32BE(4) === RstStatus.Cancel);
    assert.ok(away.control && away.type === FrameType.GoAway);
  }
});

test('header blocks: ours inflate as one zlib stream; a real deflater\'s decode in order', async () => {
  const blocks: SpdyHeaders[] = [{}, { port: ['8080'], streamtype: ['error'], requestid: ['0'] }, { multi: ['a', 'b'] }];
  const c = new HeaderCompressor();
  const stream = Buffer.concat(blocks.map((h) => c.compress(encodeHeaderBlock(h))));
  const plain = inflateSync(stream, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
  assert.deepEqual(plain, Buffer.concat(blocks.map(encodeHeaderBlock)));

  const deflater = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  deflater.on('data', (b: Buffer) => out.push(b));
  const d = new HeaderDecompressor();
  try {
    for (const h of blocks) {
      deflater.write(encodeHeaderBlock(h));
      await new Promise<void>((r) => deflater.flush(constants.Z_SYNC_FLUSH, () => setImmediate(r)));
      assert.deepEqual(decodeHeaderBlock(await d.decompress(Buffer.concat(out.splice(0)))), h);
    }
    await assert.rejects(d.decompress(Buffer.from('not zlib at all')));
  } finally {
    d.close();
    deflater.destroy();
  }
});

/** A client side of a session: frames it would send, and the server's answers parsed. */
function client() {
  const deflater = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const zout: Buffer[] = [];
  deflater.on('data', (b: Buffer) => zout.push(b));
  const inflater = new HeaderDecompressor();
  const reader = new FrameReader();
  const received: Frame[] = [];
  const streams: SpdyStream[] = [];
  const session = new SpdyServerSession(
    { send: (f) => { reader.push(f); for (let x = reader.next(); x; x = reader.next()) received.push(x); } },
    { stream: (s) => { streams.push(s); if (s.headers.port?.[0] === '0') s.reset(RstStatus.RefusedStream); else s.reply(); } },
  );
  const compress = async (h: SpdyHeaders) => {
    deflater.write(encodeHeaderBlock(h));
    await new Promise<void>((r) => deflater.flush(constants.Z_SYNC_FLUSH, () => setImmediate(r)));
    return Buffer.concat(zout.splice(0));
  };
  const synStream = async (id: number, h: SpdyHeaders) => {
    const block = await compress(h);
    const p = Buffer.alloc(10 + block.length);
    p.writeUInt32BE(id, 0);
    block.copy(p, 10);
    return controlFrame(FrameType.SynStream, 0, p);
  };
  const close = () => {
    session.close();
    inflater.close();
    deflater.destroy();
  };
  return { session, received, streams, synStream, inflater, close };
}

/**
 * Header blocks inflate asynchronously (zlib): waits until `cond` holds, or
 * 10 s; the assertions that follow say what was wrong if it never did.
 */
async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

const isRst = (f: Frame) => f.control && f.type === FrameType.RstStream;

test('a session replies to streams, carries data both ways, echoes pings, refuses and resets', async () => {
  const c = client();
  try {
    // Two streams in one chunk, then data for the second before its reply was read.
    c.session.receive(Buffer.concat([
      await c.synStream(1, { port: ['80'], streamtype: ['error'] }),
      await c.synStream(3, { port: ['80'], streamtype: ['data'] }),
      dataFrame(3, Buffer.from('GET / HTTP/1.0\r\n\r\n')),
    ]));
    const got: string[] = [];
    await until(() => c.streams.length === 2);
    assert.equal(c.streams.length, 2);
    c.streams[1].onData = (b) => got.push(b.toString());
    c.session.receive(dataFrame(3, Buffer.from('more'), true));
    await until(() => c.streams[1].remoteFinished);
    // Data that came before the handler was set went to the default (dropped
    // by this test); what came after arrives, then the FIN.
    assert.deepEqual(got, ['more']);
    assert.equal(c.streams[1].remoteFinished, true);
    const replies = c.received.filter((f) => f.control && f.type === FrameType.SynReply);
    assert.equal(replies.length, 2);
    for (const r of replies) {
      assert.ok(r.control);
      assert.deepEqual(decodeHeaderBlock(await c.inflater.decompress(r.payload.subarray(4))), {});
    }
    c.streams[1].write(Buffer.from('HTTP/1.0 200 OK\r\n\r\n'));
    c.streams[1].end();
    assert.equal(c.session.openStreams, 1, 'the data stream is closed both ways');
    const data = c.received.filter((f) => !f.control);
    assert.deepEqual(data.map((f) => !f.control && [f.streamId, f.data.toString(), f.flags]), [[3, 'HTTP/1.0 200 OK\r\n\r\n', 0], [3, '', FLAG_FIN]]);

    c.received.length = 0;
    c.session.receive(pingFrame(5));
    assert.deepEqual(c.received.map((f) => f.control && f.type === FrameType.Ping && f.payload.readUInt32BE(0)), [5]);

    c.received.length = 0;
    c.session.receive(await c.synStream(5, { port: ['0'] }));
    await until(() => c.received.some(isRst));
    const rst = c.received.find(isRst);
    assert.ok(rst?.control && rst.payload.readUInt32BE(0) === 5 && rst.payload.readUInt32BE(4) === RstStatus.RefusedStream);

    let reset = false;
    c.streams[0].onReset = () => (reset = true);
    c.session.receive(rstStreamFrame(1, RstStatus.Cancel));
    assert.ok(reset);
    assert.equal(c.session.openStreams, 0);

    // A stream id that goes backwards is a protocol error for that stream.
    c.received.length = 0;
    c.session.receive(await c.synStream(3, { port: ['80'], streamtype: ['data'] }));
    await until(() => c.received.some(isRst));
    assert.ok(c.received.some((f) => f.control && f.type === FrameType.RstStream && f.payload.readUInt32BE(4) === RstStatus.ProtocolError));
  } finally {
    c.close();
  }
});

test('a header block that does not inflate ends the session with an error', async () => {
  let failed: Error | undefined;
  const s = new SpdyServerSession({ send: () => undefined }, { stream: () => assert.fail('no stream'), error: (e) => (failed = e) });
  const p = Buffer.alloc(10 + 8, 0xab);
  p.writeUInt32BE(1, 0);
  s.receive(controlFrame(FrameType.SynStream, 0, p));
  await until(() => !!failed);
  assert.ok(failed);
  s.close();
});
