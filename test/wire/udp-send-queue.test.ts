/**
 * UDP send batching on loopback (src/sip/transport/udp-send-queue.ts): a burst leaves in sendmmsg
 * batches, whole and in order; one bad datagram fails alone; without batching the same holds.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpSendQueue } from '../../src/sip/transport/udp-send-queue.js';
import { loadUdpAddon } from '../../src/sip/transport/udp-addon.js';
import { SipTransportLayer, type Flow } from '../../src/sip/index.js';

const open: Socket[] = [];
after(() => open.splice(0).forEach((s) => s.close())); // a failed assertion must not leave the run waiting on a socket

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  open.push(s);
  return s;
}

/** Collects `count` datagrams (bounded by a 5 s deadline). */
function receive(s: Socket, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`received ${got.length} of ${count}`)), 5000);
    s.on('message', (d) => {
      got.push(d.toString());
      if (got.length === count) {
        clearTimeout(deadline);
        resolve(got);
      }
    });
  });
}

async function burst(batching: boolean, count: number): Promise<{ got: string[]; errors: number; batched: boolean }> {
  const [rx, tx] = [await bound(), await bound()];
  rx.setRecvBufferSize(4 * 1024 * 1024);
  const q = UdpSendQueue.forSocket(tx, batching);
  const arriving = receive(rx, count);
  let errors = 0;
  let done = 0;
  for (let i = 0; i < count; i++) q.send(Buffer.from(`datagram ${i}`), rx.address().port, '127.0.0.1', (err) => (err ? errors++ : done++));
  const got = await arriving;
  assert.equal(done, count, 'every datagram heard its outcome once');
  return { got, errors, batched: q.batching };
}

test('the sendmmsg addon is built on Linux (npm ci runs node-gyp)', { skip: process.platform !== 'linux' }, () => {
  assert.ok(loadUdpAddon() !== null, 'build/Release/udp_batch.node missing: run `npm ci` (needs g++ and make)');
});

test('a burst of 500 datagrams arrives whole and in order, batched and not', async () => {
  for (const batching of [true, false]) {
    const r = await burst(batching, 500);
    assert.equal(r.batched, batching && loadUdpAddon() !== null);
    assert.equal(r.errors, 0);
    assert.deepEqual(r.got, Array.from({ length: 500 }, (_, i) => `datagram ${i}`), `batching ${batching}`);
  }
});

test('text datagrams leave as their UTF-8 bytes, mixed with Buffers in one batch', async () => {
  const [rx, tx] = [await bound(), await bound()];
  const q = UdpSendQueue.forSocket(tx, true);
  const texts = ['NOTIFY sip:a SIP/2.0', '"Dé Ñ 2003 ☎" <sip:2003@x>', 'x'.repeat(1400) + 'é', '𝄞 𝄞'];
  const arriving = receive(rx, texts.length * 2);
  let errors = 0;
  for (const t of texts) {
    q.send(t, rx.address().port, '127.0.0.1', (err) => (err ? errors++ : undefined));
    q.send(Buffer.from(t), rx.address().port, '127.0.0.1', (err) => (err ? errors++ : undefined));
  }
  const got = await arriving;
  assert.equal(errors, 0);
  assert.deepEqual(got, texts.flatMap((t) => [t, t]), 'both forms arrive byte-identical, in order');
});

test('a datagram that cannot be sent fails alone; the rest of its batch still leaves', async () => {
  const [rx, tx] = [await bound(), await bound()];
  const q = UdpSendQueue.forSocket(tx, true);
  const arriving = receive(rx, 4);
  const outcome: (string | null)[] = [];
  const port = rx.address().port;
  const note = (i: number) => (err: Error | null) => (outcome[i] = err === null ? null : (err as NodeJS.ErrnoException).code ?? err.message);
  q.send(Buffer.from('a'), port, '127.0.0.1', note(0));
  q.send(Buffer.alloc(70_000), port, '127.0.0.1', note(1)); // over the 65,507-byte UDP limit: EMSGSIZE
  q.send(Buffer.from('b'), port, '127.0.0.1', note(2));
  q.send(Buffer.from('c'), port, '999.0.0.1', note(3)); // not an address
  q.send(Buffer.from('d'), port, '127.0.0.1', note(4));
  q.send(Buffer.from('e'), port, '127.0.0.1', note(5));
  assert.deepEqual((await arriving).sort(), ['a', 'b', 'd', 'e']);
  await new Promise((r) => setTimeout(r, 50)); // dgram reports its errors asynchronously when not batching
  assert.equal(outcome[0], null);
  assert.equal(outcome[1], 'EMSGSIZE');
  assert.ok(outcome[3] !== null && outcome[3] !== undefined, 'the bad address is reported');
  assert.deepEqual([outcome[2], outcome[4], outcome[5]], [null, null, null]);
});

test('transport layer: sendBytesQuietly delivers without a Promise and reports a failure once, never inside the call', async () => {
  const layer = new SipTransportLayer();
  const lp = await layer.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const rx = await bound();
  try {
    const flow = (host: string, port: number): Flow => ({ transport: 'udp', local: { host: lp.host, port: lp.port }, remote: { host, port } });
    const arriving = receive(rx, 1);
    const errors: unknown[] = [];
    layer.sendBytesQuietly('OPTIONS sip:x SIP/2.0\r\n\r\n', flow('127.0.0.1', rx.address().port), (e) => errors.push(e));
    layer.sendBytesQuietly('OPTIONS sip:y SIP/2.0\r\n\r\n', flow('999.0.0.1', 5060), (e) => errors.push(e));
    assert.equal(errors.length, 0, 'nothing reported inside the call');
    assert.deepEqual(await arriving, ['OPTIONS sip:x SIP/2.0\r\n\r\n']);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(errors.length, 1, 'the bad address is reported once');
  } finally {
    await layer.close();
  }
});

test('datagrams queued on a socket that closes before the batch leaves fail one by one; nothing throws', async () => {
  for (const batching of [true, false]) {
    const tx = createSocket('udp4');
    await new Promise<void>((resolve) => tx.bind(0, '127.0.0.1', resolve));
    const q = UdpSendQueue.forSocket(tx, batching);
    const outcomes: Array<Error | null> = [];
    // queued before the close (batching: still in the queue; dgram: its callback is dropped by the close)
    if (batching) q.send(Buffer.from('a'), 9, '127.0.0.1', (err) => outcomes.push(err));
    await new Promise<void>((resolve) => tx.close(() => resolve()));
    q.send('b', 9, '127.0.0.1', (err) => outcomes.push(err));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(outcomes.length, batching ? 2 : 1, `batching ${batching}: each datagram heard once`);
    assert.ok(outcomes.every((e) => e instanceof Error), `batching ${batching}: ${outcomes.map(String).join(', ')}`);
  }
});
