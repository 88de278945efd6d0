/**
 * Issue 4 "Subscriptions survive a restart" (DESIGN.md "Runtime state"; blf-facts §4.2 "persist the
 * version per subscription across restarts"): 1,000 live dialog subscriptions, made from the canned
 * SUBSCRIBE fixtures/sip/requests/501 over UDP, survive a restart of the presence gateway on the same
 * SQLite file and port. After the restart one line-state change NOTIFYs every watcher with the next
 * version (1) and a NOTIFY CSeq above the pre-restart one, and the original expiry still holds: each
 * subscription ends with `terminated;reason=timeout` (version 2) no earlier than it was due.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSocket, type Socket } from 'node:dgram';
import { createResponse, isParseError, parseMessage, serializeMessage, type SipRequest } from '../../src/sip/index.js';
import { copyDialplan, freePort, until } from '../support/sipp.js';
import { fillCannedRequest } from '../support/canned-request.js';
import { startPresenceGateway, type PresenceGateway } from './presence-gateway.js';

const COUNT = Number(process.env.RESTART_COUNT ?? 1_000);
/** long enough to subscribe 1,000 and restart on a loaded CI machine; short enough for the expiry to be seen */
const EXPIRES_S = 25;
const TEMPLATE = readFileSync('fixtures/sip/requests/501-subscribe-blf-speed-dial-allowed.sip', 'latin1');

interface Seen {
  readonly callId: string;
  readonly cseq: number;
  readonly version: number;
  readonly state: string;
  readonly at: number;
}

/** One UDP watcher socket for all subscriptions: answers every NOTIFY 200 and records it. */
class Watchers {
  readonly notifies: Seen[] = [];
  readonly finals = new Map<string, number>();
  constructor(readonly sock: Socket) {
    sock.on('message', (buf, rinfo) => {
      const m = parseMessage(buf);
      if (isParseError(m)) return;
      if (m.kind === 'response') {
        if (m.status >= 200) this.finals.set(m.headers.get('call-id') ?? '', m.status);
        return;
      }
      if (m.method !== 'NOTIFY') return;
      this.notifies.push(notifySeen(m));
      sock.send(serializeMessage(createResponse(m, 200, 'OK')), rinfo.port, rinfo.address);
    });
  }

  /** the first NOTIFY of each subscription with this version and state (retransmitted copies count once) */
  of(version: number, state: RegExp): Seen[] {
    const first = new Map<string, Seen>();
    for (const n of this.notifies) if (n.version === version && state.test(n.state) && !first.has(n.callId)) first.set(n.callId, n);
    return [...first.values()];
  }
}

function notifySeen(m: SipRequest): Seen {
  return {
    callId: m.headers.get('call-id') ?? '',
    cseq: Number.parseInt(m.headers.get('cseq') ?? '0', 10),
    version: Number(/<dialog-info [^>]*version="(\d+)"/.exec(m.body.toString('utf8'))?.[1] ?? -1),
    state: m.headers.get('subscription-state') ?? '',
    at: Date.now(),
  };
}

function subscribeText(i: number, local: number, remote: number): string {
  return fillCannedRequest(TEMPLATE, {
    localPort: local, remotePort: remote, branch: `z9hG4bK-restart-${i}`, callId: `restart-${i}@127.0.0.1`, callNumber: i,
  }).replace('Expires: 3600', `Expires: ${EXPIRES_S}`);
}

function ringing(): Parameters<PresenceGateway['ctx']['engine']['submit']>[0] {
  return {
    type: 'call-event',
    appearance: { device: 'SEP000000002001', index: 1 },
    dialog: {
      id: 'restart-call', callId: 'restart-call@acme.test', localTag: 'l1', remoteTag: 'r1', direction: 'recipient', state: 'early',
      local: { uri: 'sip:2001@acme.test' }, remote: { uri: 'sip:1002@acme.test' },
    },
  };
}

test(`${COUNT} live subscriptions survive a restart on the same SQLite file and port: next version, CSeq up, expiry kept`, { timeout: 120_000 }, async () => {
  // the sample minimum (60 s) is too long for a test: a temp copy lowers it
  const dialplanDir = copyDialplan({ 'service.yaml': (s) => s.replace('subscribeMinExpires: 60', 'subscribeMinExpires: 5') });
  const dbFile = join(mkdtempSync(join(tmpdir(), 'blfgw-restart-')), 'gw.db');
  const port = await freePort();
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const w = new Watchers(sock);
  let gw: PresenceGateway | undefined = await startPresenceGateway({ dialplanDir, dbFile, requireDigest: false }, { port });
  try {
    const subscribedAt = Date.now();
    // 50 in flight at a time, retransmitted like a UAC's Timer E (same branch: the server transaction
    // answers again) — loopback drops datagrams once a socket's receive buffer is full
    for (let i = 0; i < COUNT; i += 50) {
      const batch = Array.from({ length: Math.min(50, COUNT - i) }, (_, k) => i + k);
      for (let attempt = 0; batch.some((k) => !w.finals.has(`restart-${k}@127.0.0.1`)); attempt++) {
        if (attempt === 10) assert.fail(`no final response for SUBSCRIBEs ${i}..${i + 49} after 10 attempts`);
        for (const k of batch) if (!w.finals.has(`restart-${k}@127.0.0.1`)) sock.send(subscribeText(k, sock.address().port, port), port, '127.0.0.1');
        await until('the batch answered', () => batch.every((k) => w.finals.has(`restart-${k}@127.0.0.1`)), 1_000).catch(() => undefined);
      }
    }
    assert.ok([...w.finals.values()].every((s) => s === 200), 'every SUBSCRIBE accepted');
    await until('every initial NOTIFY', () => w.of(0, /^active/).length >= COUNT);
    const before = new Map(w.of(0, /^active/).map((n) => [n.callId, n.cseq]));
    await new Promise((r) => setTimeout(r, 300)); // the 200s to the NOTIFYs reach the gateway
    gw.wiring.flush();
    await gw.close();
    gw = undefined;

    gw = await startPresenceGateway({ dialplanDir, dbFile, requireDigest: false }, { port });
    assert.equal(gw.wiring.notifier.size, COUNT, 'every dialog restored');
    gw.ctx.engine.submit(ringing());
    await until('a NOTIFY with version 1 to every watcher', () => w.of(1, /^active/).length >= COUNT, 30_000);
    const after = w.of(1, /^active/);
    assert.equal(after.length, COUNT, 'every subscription notified');
    assert.ok(after.every((n) => n.cseq > before.get(n.callId)!), 'NOTIFY CSeq goes up across the restart');

    await until('every subscription timed out', () => w.of(2, /^terminated;reason=timeout/).length >= COUNT, (EXPIRES_S + 20) * 1000);
    const ends = w.of(2, /^terminated;reason=timeout/);
    assert.equal(ends.length, COUNT);
    assert.ok(ends.every((n) => n.at >= subscribedAt + EXPIRES_S * 1000 - 1000), 'no subscription ended before its expiry');
    assert.deepEqual([...new Set(w.notifies.map((n) => n.version))].sort(), [0, 1, 2], 'no other document in between (the restart itself sends none)');
    assert.equal(gw.wiring.notifier.size, 0, 'every dialog gone');
  } finally {
    await gw?.close();
    sock.close();
    rmSync(dialplanDir, { recursive: true, force: true });
    rmSync(dirname(dbFile), { recursive: true, force: true });
  }
});
