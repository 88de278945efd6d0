/**
 * A NOTIFY that fails ends the subscription and its SIP dialog (RFC 6665 §4.2.2; issue 4 "a NOTIFY
 * answered 481/408 or timing out removes the subscription"): the core forgets it, the notifier's
 * dialog count and its flow go with it — for a watcher that vanished (no answer) as much as for 481.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createResponse, isParseError, parseMessage, serializeMessage, type SipRequest } from '../../src/sip/index.js';
import type { Engine } from '../../src/core/index.js';
import { until } from '../support/sipp.js';
import { fillCannedRequest } from '../support/canned-request.js';
import { startPresenceGateway } from './presence-gateway.js';

const TEMPLATE = readFileSync('fixtures/sip/requests/501-subscribe-blf-speed-dial-allowed.sip', 'latin1');

/** The watcher answers the initial NOTIFY with `status`, or not at all (null). */
async function subscribeThenFail(status: number | null): Promise<void> {
  // T1 = 20 ms: the unanswered NOTIFY's Timer F (64*T1) fires after 1.28 s
  const gw = await startPresenceGateway({ requireDigest: false, t1Ms: 20 }, { persistIntervalMs: null });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  try {
    const port = gw.ctx.sip.listeners.find((l) => l.transport === 'udp')!.port;
    const notifies: SipRequest[] = [];
    let final = 0;
    sock.on('message', (buf) => {
      const m = parseMessage(buf);
      if (isParseError(m)) return;
      if (m.kind === 'response') final = m.status;
      else if (m.method === 'NOTIFY') notifies.push(m);
    });
    const text = fillCannedRequest(TEMPLATE, {
      localPort: sock.address().port, remotePort: port, branch: 'z9hG4bK-fail-1', callId: `fail-${status}@127.0.0.1`, callNumber: 1,
    });
    sock.send(text, port, '127.0.0.1');
    await until('the SUBSCRIBE accepted and NOTIFYed', () => final === 200 && notifies.length > 0, 5_000);
    assert.equal(gw.wiring.notifier.size, 1);
    assert.equal(gw.wiring.notifier.flows.size, 1);
    if (status !== null) sock.send(serializeMessage(createResponse(notifies[0]!, status, 'Test')), port, '127.0.0.1');
    const engine = gw.ctx.engine.engine as unknown as Engine;
    await until('the subscription removed', () => engine.exportSubscriptions().length === 0, 10_000);
    assert.equal(gw.wiring.notifier.size, 0, 'the dialog is no longer counted');
    assert.equal(gw.wiring.notifier.flows.size, 0, 'its flow is released');
  } finally {
    sock.close();
    await gw.close();
  }
}

test('a NOTIFY answered 481 ends the subscription and its dialog', () => subscribeThenFail(481));
test('a NOTIFY answered 500 ends the subscription and its dialog', () => subscribeThenFail(500));
test('a NOTIFY nobody answers (Timer F) ends the subscription and its dialog', () => subscribeThenFail(null));
