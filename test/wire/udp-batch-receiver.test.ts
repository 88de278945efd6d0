/**
 * Batched UDP reads on loopback (src/sip/transport/udp-batch-receiver.ts, native/udp-recv.c): a
 * burst arrives whole, in order, each datagram its own Buffer with its sender; oversize datagrams are
 * dropped and counted like dgram's; IPv6; a transport closed mid-batch delivers nothing more and
 * frees its port at once; without batching the same holds.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpTransport } from '../../src/sip/transport/udp-transport.js';
import { loadUdpAddon } from '../../src/sip/transport/udp-addon.js';
import { createTransportStats, DEFAULT_LIMITS, type TransportLimits } from '../../src/sip/transport/transport-options.js';
import type { TransportSink } from '../../src/sip/transport/transport-sink.js';
import type { Flow } from '../../src/sip/index.js';

const closing: Array<() => unknown> = [];
after(() => closing.splice(0).forEach((c) => c())); // a failed assertion must not leave the run waiting on a socket

interface Got { readonly text: string; readonly remote: string; readonly buffer: Buffer }

function sink(limits: Partial<TransportLimits>, got: Got[], onDeliver?: () => void) {
  const warnings: string[] = [];
  const s: TransportSink = {
    limits: { ...DEFAULT_LIMITS, ...limits },
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => void warnings.push(m), error: () => {} },
    stats: createTransportStats(),
    nextConnectionId: () => 0,
    deliver(bytes: Buffer, flow: Flow) {
      got.push({ text: bytes.toString(), remote: `${flow.remote.host}:${flow.remote.port}`, buffer: bytes });
      onDeliver?.();
    },
    rejectStream: () => {},
    connectionClosed: () => {},
  };
  return { sink: s, warnings };
}

async function sender(family: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const s = createSocket(family);
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  closing.push(() => s.close());
  return s;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

const addonBuilt = process.platform === 'linux' && loadUdpAddon() !== null;

test('the recvmmsg reader is in use when the addon is built, and not when disabled', async () => {
  for (const udpReceiveBatching of [true, false]) {
    const t = await UdpTransport.bind('127.0.0.1', 0, sink({ udpReceiveBatching }, []).sink);
    closing.push(() => t.close());
    assert.equal(t.batchedReads, udpReceiveBatching && addonBuilt);
    await t.close();
  }
});

test('a burst of 2,000 datagrams arrives whole and in order with its sender, batched and not', async () => {
  for (const udpReceiveBatching of [true, false]) {
    const got: Got[] = [];
    const t = await UdpTransport.bind('127.0.0.1', 0, sink({ udpReceiveBatching }, got).sink);
    closing.push(() => t.close());
    const tx = await sender('udp4', '127.0.0.1');
    for (let i = 0; i < 2000; i++) tx.send(`OPTIONS sip:x SIP/2.0\r\nX-Seq: ${i}\r\n\r\n`, t.local.port, '127.0.0.1');
    await until('2,000 datagrams', () => got.length >= 2000);
    assert.deepEqual(got.map((g) => g.text), Array.from({ length: 2000 }, (_, i) => `OPTIONS sip:x SIP/2.0\r\nX-Seq: ${i}\r\n\r\n`));
    assert.ok(got.every((g) => g.remote === `127.0.0.1:${tx.address().port}`));
    if (udpReceiveBatching && addonBuilt) {
      assert.equal(new Set(got.map((g) => g.buffer.buffer)).size, 2000, 'each datagram owns its bytes (a kept body pins only its datagram)');
    }
    await t.close();
  }
});

test('IPv6: datagrams from ::1 arrive with their sender', async () => {
  const got: Got[] = [];
  const t = await UdpTransport.bind('::1', 0, sink({}, got).sink);
  closing.push(() => t.close());
  const tx = await sender('udp6', '::1');
  tx.send('hello over v6', t.local.port, '::1');
  await until('one datagram', () => got.length === 1);
  assert.deepEqual(got.map((g) => [g.text, g.remote]), [['hello over v6', `::1:${tx.address().port}`]]);
  await t.close();
});

test('a datagram over maxMessageSize is dropped and counted, also past the read slot; the next one arrives', async () => {
  for (const udpReceiveBatching of [true, false]) {
    const got: Got[] = [];
    const { sink: s, warnings } = sink({ udpReceiveBatching, maxMessageSize: 1000 }, got);
    const t = await UdpTransport.bind('127.0.0.1', 0, s);
    closing.push(() => t.close());
    const tx = await sender('udp4', '127.0.0.1');
    tx.send('x'.repeat(1001), t.local.port, '127.0.0.1');
    tx.send('y'.repeat(30_000), t.local.port, '127.0.0.1');
    tx.send('z'.repeat(1000), t.local.port, '127.0.0.1');
    await until('the datagram within the limit', () => got.length === 1);
    assert.equal(got[0]!.text, 'z'.repeat(1000));
    assert.equal(s.stats.rejectedByLimit, 2, `batching ${udpReceiveBatching}`);
    assert.deepEqual(warnings, ['udp datagram over maxMessageSize dropped', 'udp datagram over maxMessageSize dropped']);
    await t.close();
  }
});

test('a transport closed while handling a batch delivers nothing more, and its port is free at once', async () => {
  const got: Got[] = [];
  let t: UdpTransport | undefined;
  let closed: Promise<void> | undefined;
  t = await UdpTransport.bind('127.0.0.1', 0, sink({}, got, () => {
    if (got.length === 5) closed = t!.close();
  }).sink);
  const port = t.local.port;
  const tx = await sender('udp4', '127.0.0.1');
  for (let i = 0; i < 200; i++) tx.send(`d${i}`, port, '127.0.0.1');
  await until('the close', () => closed !== undefined);
  await closed;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(got.length, 5, 'no datagram after the close');
  const again = await UdpTransport.bind('127.0.0.1', port, sink({}, []).sink);
  await again.close();
});

test('a deliver that throws reaches uncaughtException, as from dgram, and the rest of the batch still arrives', async () => {
  const { execFileSync } = await import('node:child_process');
  for (const mode of ['batched', 'dgram']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/support/udp-throwing-handler.ts', mode], { encoding: 'utf8', timeout: 20_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { batchedReads: boolean; uncaught: string[]; delivered: string[] };
    assert.equal(r.batchedReads, mode === 'batched' && addonBuilt, mode);
    assert.deepEqual(r.uncaught, ['handler bug'], mode);
    assert.deepEqual(r.delivered, ['d0', 'd1', 'd2', 'd3', 'd4'], mode);
  }
});
