/**
 * Bounded, seeded fuzz (issue 3 "Prove it"): 20,000 mutated messages (14,000 UDP, 3,000 TCP, 3,000 WS)
 * on loopback against a stack that answers every request 200. The process must not crash, every
 * message must actually reach the parser (UDP is flow-controlled so the kernel drops nothing), every
 * response must carry a sane status, the stack must still answer clean requests afterwards, every
 * transaction and connection must be gone once the timers ran out, and the heap after a forced GC
 * must be where it was after the warm-up. The 1M run is `scripts/sip-fuzz-long.ts`.
 * SIP_FUZZ_SCALE scales the counts (default 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { SipStack } from '../../src/sip/index.js';
import { createRng, mutate } from './sip-fuzz-mutator.js';

const SCALE = Number(process.env.SIP_FUZZ_SCALE ?? 1);
const COUNTS = { udp: Math.round(14_000 * SCALE), tcp: Math.round(3_000 * SCALE), ws: Math.round(3_000 * SCALE) };
const WARMUP = Math.min(1_000, COUNTS.udp);
/** T1 scaled down so Timer J/H/L (64*T1) run out within the test; T2 kept long so retransmissions stay few */
const TIMERS = { T1: 20, T2: 4_000, T4: 100 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap after full collections (twice: weak callbacks run between them). */
function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Polls `cond` every 2 ms for at most `maxMs`; returns whether it came true. */
async function waitFor(cond: () => boolean, maxMs: number): Promise<boolean> {
  for (const end = Date.now() + maxMs; !cond(); ) {
    if (Date.now() > end) return false;
    await pause(2);
  }
  return true;
}

/** A datagram the UDP transport ignores without counting it (empty or a bare CRLF keepalive). */
const ignoredDatagram = (b: Buffer) => b.length <= 4 && b.every((x) => x === 13 || x === 10);

function closed(s: Socket | WebSocket): Promise<void> {
  return new Promise((r) => {
    const done = () => r();
    if (s instanceof WebSocket) s.once('close', done);
    else s.once('close', done);
    setTimeout(done, 2_000).unref();
  });
}

test('seeded fuzz over UDP, TCP and WS never crashes the stack and leaks nothing', { timeout: 300_000 }, async (t) => {
  const t0 = Date.now();
  const stack = new SipStack({ timers: TIMERS, limits: { idleTimeoutMs: 30_000 } });
  stack.delegate = { onRequest: (tx) => tx.reply(200, 'OK', { toTag: true }) };
  const udp = await stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const tcp = await stack.listen({ transport: 'tcp', host: '127.0.0.1', port: 0 });
  const ws = await stack.listen({ transport: 'ws', host: '127.0.0.1', port: 0 });
  const stats = stack.transport.stats;
  const statuses = new Map<number, number>();
  const record = (text: string) => {
    for (const m of text.matchAll(/SIP\/2\.0 (\d{3}) /g)) statuses.set(Number(m[1]), (statuses.get(Number(m[1])) ?? 0) + 1);
  };
  const rng = createRng(0x5eed);
  const sock = createSocket('udp4');
  let heapBaseline = 0;
  try {
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.on('message', (m) => record(m.toString('latin1')));
    const port = sock.address().port;

    // UDP, flow-controlled: at most 50 datagrams in flight, so each one reaches the parser
    let udpSent = 0;
    let stalls = 0;
    for (let i = 0; i < COUNTS.udp; i++) {
      if (i === WARMUP) {
        await waitFor(() => stack.counts.server === 0, 64 * TIMERS.T1 + 2_000);
        heapBaseline = settledHeap();
      }
      const bytes = mutate(rng, i, 'UDP', '127.0.0.1', port).bytes.subarray(0, 65_000);
      if (ignoredDatagram(bytes)) continue;
      sock.send(bytes, udp.port, '127.0.0.1');
      udpSent++;
      if (udpSent % 50 === 0 && !(await waitFor(() => stats.received >= udpSent, 500))) stalls++;
    }
    await waitFor(() => stats.received >= udpSent, 2_000);
    const udpReceived = stats.received;
    t.diagnostic(`udp: ${udpSent} sent, ${udpReceived} parsed, ${stalls} stalls, ${Date.now() - t0} ms`);
    assert.ok(udpReceived >= udpSent * 0.99, `only ${udpReceived} of ${udpSent} UDP datagrams reached the stack`);

    // TCP: 10 pipelined messages per connection, then a half-close; the stack answers and closes
    // (a fatal framing error — e.g. no Content-Length — closes it earlier and the rest of the batch
    // is discarded by design, so batches stay short for most messages to reach the parser)
    const beforeTcp = stats.received;
    for (let i = 0; i < COUNTS.tcp; i += 10) {
      const s: Socket = connect(tcp.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.on('data', (d) => record(d.toString('latin1')));
      await new Promise((r) => { s.once('connect', r); s.once('close', r); });
      for (let j = i; j < Math.min(i + 10, COUNTS.tcp) && !s.destroyed; j++) s.write(mutate(rng, 100_000 + j, 'TCP', '127.0.0.1', s.localPort ?? 1).bytes);
      s.end();
      await closed(s);
    }
    const tcpParsed = stats.received - beforeTcp;
    t.diagnostic(`tcp: ${tcpParsed} framed and parsed, ${stats.rejectedByLimit} connections closed on framing errors, ${Date.now() - t0} ms`);
    assert.ok(tcpParsed > COUNTS.tcp * 0.3, `only ${tcpParsed} of ${COUNTS.tcp} TCP messages were framed`);

    // WS: 100 messages per connection, then a clean close handshake
    for (let i = 0; i < COUNTS.ws; i += 100) {
      const c = new WebSocket(`ws://127.0.0.1:${ws.port}`, 'sip');
      c.on('error', () => undefined);
      c.on('message', (d) => record(d.toString()));
      await new Promise((r) => { c.once('open', r); c.once('close', r); });
      for (let j = i; j < Math.min(i + 100, COUNTS.ws) && c.readyState === WebSocket.OPEN; j++) c.send(mutate(rng, 200_000 + j, 'WS', '127.0.0.1', 1).bytes);
      c.close(1000);
      await closed(c);
    }
    const wsParsed = stats.received - beforeTcp - tcpParsed;
    t.diagnostic(`ws: ${wsParsed} delivered, ${Date.now() - t0} ms`);
    assert.ok(wsParsed >= COUNTS.ws * 0.99, `only ${wsParsed} of ${COUNTS.ws} WS messages reached the stack`);

    // still alive: a clean OPTIONS over UDP is answered 200
    sock.removeAllListeners('message');
    const ok = new Promise<string>((resolve) => sock.on('message', (m) => resolve(m.toString())));
    sock.send(
      `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKfinal;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: final\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      udp.port,
      '127.0.0.1',
    );
    assert.match(await ok, /^SIP\/2\.0 200 /);

    t.diagnostic(`answers by status: ${JSON.stringify([...statuses])}; transport stats ${JSON.stringify(stats)}`);
    for (const s of statuses.keys()) assert.ok((s >= 200 && s < 300) || (s >= 400 && s < 600) || s === 100, `unexpected status ${s}`);
    assert.ok((statuses.get(200) ?? 0) > COUNTS.udp * 0.1, 'clean requests are answered 200');
    assert.ok((statuses.get(400) ?? 0) > COUNTS.udp * 0.02, 'malformed requests are answered 400');
    assert.ok(stats.parseErrors > COUNTS.udp * 0.05, `parse errors: ${stats.parseErrors}`);

    // nothing left behind: transactions end with their timers, connections are closed
    const drained = await waitFor(() => stack.counts.server === 0 && stack.counts.client === 0, 64 * TIMERS.T1 + 3_000);
    assert.ok(drained, `transactions left: ${JSON.stringify(stack.counts)}`);
    assert.ok(await waitFor(() => stats.connectionsOpened === stats.connectionsClosed, 2_000), 'stream connections left open');
    const growth = settledHeap() - heapBaseline;
    t.diagnostic(`heap after warm-up ${Math.round(heapBaseline / 1e6)} MB, growth ${(growth / 1e6).toFixed(1)} MB, total ${Date.now() - t0} ms`);
    assert.ok(growth < 16 * 1024 * 1024, `heap grew by ${(growth / 1e6).toFixed(1)} MB over ${COUNTS.udp + COUNTS.tcp + COUNTS.ws} messages`);
  } finally {
    sock.close();
    await stack.close();
  }
});
