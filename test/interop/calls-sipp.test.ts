/**
 * Interop (issue 4): SIPp phones register with digest (sample dialplan credentials) and call each other
 * through the gateway over UDP and TCP; the engine must see the registrations and the BLF-grade
 * CallEvents of both line appearances. SIPp missing → skipped with a reason (REQUIRE_INTEROP=1 → fail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIX, dialogStates, freePort, runSipp, sippListening, sippSkip, startRecordingGateway, until } from '../support/sipp.js';

const skip = sippSkip();

// SIPp's digest `uri` defaults to remote_ip:port; `-auth_uri` makes it the Request-URI, as RFC 3261 §22.4 wants.
for (const transport of ['u1', 't1'] as const) {
  test(`SIPp: register 1001 and 1002, 1001 calls 1002, answered, BYE (${transport === 'u1' ? 'UDP' : 'TCP'})`, { skip, timeout: 300_000 }, async () => {
    const { gw, seen } = await startRecordingGateway();
    try {
      const gwAddr = `127.0.0.1:${gw.ports.sip}`;
      const calleePort = await freePort();
      const callerPort = await freePort();
      const common = ['-i', '127.0.0.1', '-t', transport];
      const reg2 = await runSipp([gwAddr, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', '1002', '-au', 'SEP000000001002', '-ap', 'secret1002', '-auth_uri', 'acme.test', '-p', String(calleePort), ...common]).done;
      assert.equal(reg2.code, 0, reg2.output);
      const reg1 = await runSipp([gwAddr, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', '1001', '-au', 'SEP000000001001', '-ap', 'secret1001', '-auth_uri', 'acme.test', '-p', String(callerPort), ...common]).done;
      assert.equal(reg1.code, 0, reg1.output);
      assert.deepEqual(
        seen.filter((i) => i.type === 'registration').map((i) => i.type === 'registration' && `${i.device}:${i.registered}`),
        ['SEP000000001002:true', 'SEP000000001001:true'],
      );
      const callee = runSipp(['-sf', `${FIX}/uas-call-answer-expect-bye.xml`, '-s', '1002', '-p', String(calleePort), ...common]);
      await sippListening(calleePort, transport === 'u1' ? 'udp' : 'tcp');
      const caller = await runSipp([gwAddr, '-sf', `${FIX}/uac-call-expect-200-bye.xml`, '-s', '1002', '-key', 'caller', '1001', '-au', 'SEP000000001001', '-ap', 'secret1001', '-auth_uri', '1002@acme.test', '-p', String(callerPort), ...common]).done;
      const calleeDone = await callee.done;
      assert.equal(caller.code, 0, caller.output);
      assert.equal(calleeDone.code, 0, calleeDone.output);
      await until('both appearances terminated', () => dialogStates(seen, 'SEP000000001002').some((s) => s.includes('terminated')));
      assert.deepEqual(dialogStates(seen, 'SEP000000001001'), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated/local-bye']);
      assert.deepEqual(dialogStates(seen, 'SEP000000001002'), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
      const ringing = seen.find((i) => i.type === 'call-event' && i.appearance.device === 'SEP000000001002');
      assert.ok(ringing && ringing.type === 'call-event' && ringing.dialog.localTag && ringing.dialog.remoteTag, 'pickup-grade tags on the ringing dialog');
    } finally {
      await gw.close();
    }
  });
}

test('SIPp: a call to an unknown DN gets 404 after digest', { skip, timeout: 180_000 }, async () => {
  const { gw, seen } = await startRecordingGateway();
  try {
    const gwAddr = `127.0.0.1:${gw.ports.sip}`;
    const r = await runSipp([gwAddr, '-sf', `${FIX}/uac-call-expect-404.xml`, '-s', '9999', '-key', 'caller', '1001', '-au', 'SEP000000001001', '-ap', 'secret1001', '-auth_uri', '9999@acme.test', '-p', String(await freePort()), '-i', '127.0.0.1', '-t', 'u1']).done;
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(seen.filter((i) => i.type === 'call-event'), []);
  } finally {
    await gw.close();
  }
});
