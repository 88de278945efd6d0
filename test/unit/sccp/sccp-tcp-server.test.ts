/**
 * SccpTcpServer on loopback (port 0) with hostile peers: bad lengths, truncated frames, unknown ids,
 * floods before registration → the connection is closed or the frame ignored with a log line, the
 * server keeps serving, and per-connection buffers stay bounded. Keepalive timeout on a ManualClock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { buildFlat, encode, ManualClock, SccpTcpServer, type SccpDeviceRecord, type SccpServerDelegate } from '../../../src/sccp/index.js';
import { SccpPhone } from '../../../src/rigs/index.js';

const RECORD: SccpDeviceRecord = { lines: [{ dn: '1001' }], blfSpeedDials: [{ index: 1, label: 'Bob', targetDn: '1002' }] };

interface Harness {
  server: SccpTcpServer;
  logs: string[];
  events: string[];
  port: number;
}

async function startServer(extra: Partial<SccpServerDelegate> = {}, clock?: ManualClock): Promise<Harness> {
  const logs: string[] = [];
  const events: string[] = [];
  const server = new SccpTcpServer(
    { host: '127.0.0.1', port: 0, maxConnections: 20, ...(clock ? { clock } : {}), session: { maxPreRegisterMessages: 10, maxBadFrames: 5 } },
    {
      lookup: (name) => (name.startsWith('SEP') ? RECORD : undefined),
      onLog: (level, text) => logs.push(`${level}: ${text}`),
      onRegistered: (d) => events.push(`registered ${d.deviceName}`),
      onUnregistered: (n, reason) => events.push(`unregistered ${n}: ${reason}`),
      ...extra,
    },
  );
  const { port } = await server.listen();
  return { server, logs, events, port };
}

function rawClient(port: number): Promise<{ socket: Socket; closed: Promise<void>; received: () => number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const socket = connect({ host: '127.0.0.1', port }, () => resolve({ socket, closed, received: () => bytes }));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (d) => (bytes += d.length));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms)))]).finally(() => clearTimeout(t));
}

async function phone(port: number, name = 'SEP000000000001'): Promise<SccpPhone> {
  const p = new SccpPhone({ host: '127.0.0.1', port, deviceName: name, keepAliveMs: 0 });
  await p.connect();
  return p;
}

const header = (dataLength: number, id = 0) => {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, dataLength >>> 0, true);
  v.setUint32(8, id, true);
  return b;
};

test('hostile lengths close the connection with a log; the server keeps serving', async () => {
  const h = await startServer();
  try {
    for (const [what, bytes] of [
      ['zero length', header(0)],
      ['length 3', header(3)],
      ['negative length', header(-8)],
      ['huge length', header(0x7ffffff0)],
      ['just above max PDU', header(2000 - 8 + 1)],
    ] as const) {
      const c = await rawClient(h.port);
      c.socket.write(bytes);
      await within(c.closed, 10_000, what);
      assert.ok(h.logs.some((l) => /framing error/.test(l)), what);
      h.logs.length = 0;
    }
    const p = await phone(h.port);
    await p.register();
    assert.deepEqual(h.server.registeredDevices(), ['SEP000000000001']);
    p.close();
  } finally {
    await h.server.close();
  }
});

test('truncated known frames and unknown ids are ignored with a log, then too many close', async () => {
  const h = await startServer();
  try {
    const p = await phone(h.port);
    await p.register();
    const shortStimulus = header(4 + 4, 0x0005); // Stimulus needs ≥ 8 payload bytes
    p.sendRaw(new Uint8Array([...shortStimulus, 9, 0, 0, 0]));
    p.send({ type: 'Unknown', id: 0x4242, payload: new Uint8Array(8) });
    p.keepAlive();
    await p.waitFor((v) => v.keepAliveAcks === 1, 10_000);
    assert.ok(h.logs.some((l) => /truncated-payload|Stimulus: payload/.test(l)), h.logs.join('\n'));
    assert.ok(h.logs.some((l) => /Unknown 0x4242/.test(l)), h.logs.join('\n'));
    assert.ok(p.view.registered, 'still registered after two bad frames');
    for (let i = 0; i < 5; i++) p.send({ type: 'Unknown', id: 0x4242, payload: new Uint8Array(0) });
    await p.waitFor((v) => v.closed, 10_000);
    await within((async () => { while (!h.events.some((e) => /unregistered/.test(e))) await new Promise((r) => setTimeout(r, 20)); })(), 10_000, 'unregistered');
    assert.ok(h.events.some((e) => /unregistered SEP000000000001: too many bad frames/.test(e)));
  } finally {
    await h.server.close();
  }
});

test('a flood before registration closes; a partial frame keeps the buffer bounded', async () => {
  const h = await startServer();
  try {
    const c = await rawClient(h.port);
    const flood = new Uint8Array(Array.from({ length: 50 }, () => [...encode(buildFlat('OffHook'))]).flat());
    c.socket.write(flood);
    await within(c.closed, 10_000, 'flood close');
    assert.ok(h.logs.some((l) => /flood before registration/.test(l)));

    const d = await rawClient(h.port);
    const big = header(1900, 0x0020); // a legal 1908-byte PDU, sent all but its last byte
    d.socket.write(new Uint8Array([...big, ...new Uint8Array(1895)]));
    await within((async () => { while (!h.server.bufferedBytes().some((b) => b > 0)) await new Promise((r) => setTimeout(r, 20)); })(), 10_000, 'buffered');
    assert.ok(Math.max(...h.server.bufferedBytes()) < 2000);
    d.socket.destroy();
    await d.closed;
  } finally {
    await h.server.close();
  }
});

test('unknown device is rejected; max connections enforced', async () => {
  const h = await startServer();
  try {
    const p = new SccpPhone({ host: '127.0.0.1', port: h.port, deviceName: 'XYZ', keepAliveMs: 0 });
    await p.connect();
    await assert.rejects(p.register(), /Unknown device/);
    await p.waitFor((v) => v.closed, 10_000);
    const clients = await Promise.all(Array.from({ length: 21 }, () => rawClient(h.port)));
    await within(Promise.race(clients.map((c) => c.closed)), 10_000, 'one over the limit is closed');
    assert.ok(h.logs.some((l) => /too many connections/.test(l)));
    for (const c of clients) c.socket.destroy();
  } finally {
    await h.server.close();
  }
});

test('keepalive timeout on the injected clock unregisters; re-registration replaces the old connection', async () => {
  const clock = new ManualClock(1_000_000);
  const h = await startServer({}, clock);
  try {
    const p = await phone(h.port);
    await p.register();
    assert.deepEqual(h.events, ['registered SEP000000000001']);
    clock.advance(30_000 * 3 - 1);
    assert.equal(h.server.registeredDevices().length, 1);
    clock.advance(1);
    assert.deepEqual(h.events, ['registered SEP000000000001', 'unregistered SEP000000000001: keepalive timeout']);
    await p.waitFor((v) => v.closed, 10_000);

    const a = await phone(h.port, 'SEP00000000000A');
    await a.register();
    const b = await phone(h.port, 'SEP00000000000A');
    await b.register();
    await a.waitFor((v) => v.closed, 10_000);
    assert.deepEqual(h.server.registeredDevices(), ['SEP00000000000A']);
    assert.ok(h.events.includes('unregistered SEP00000000000A: connection closed by peer'));
    assert.equal(h.server.setBlfStatus('SEP00000000000A', 1, 'inUse'), true);
    await b.waitFor((v) => v.blf.get(2) !== undefined || v.lamps.get('9:2') === 2, 10_000);
    b.close();
  } finally {
    await h.server.close();
  }
});
