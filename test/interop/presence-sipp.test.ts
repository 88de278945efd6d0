/**
 * Interop (issue 4 "Prove it"): SIPp watchers subscribe to BLF over the full gateway (`startGateway` on
 * the sample dialplan, loopback, free ports) and SIPp phones call each other meanwhile. The wire checks
 * (status codes, Subscription-State, dialog-info version / entity / states) live in the scenarios as
 * `<ereg check_it>` actions, so a wrong gateway fails the SIPp call and SIPp exits non-zero; what SIPp
 * cannot compare itself (the terminated reason, retransmitted copies) it logs, and the test reads it.
 * SIPp missing → skipped with a reason (REQUIRE_INTEROP=1 → fail).
 *
 * Sample credentials: device SEP00000000NNNN authenticates with password secretNNNN (dialplans/phones.yaml).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIX, copyDialplan, dialogStates, editDialplanFile, freePort, runSipp, sippSkip, sippTransport,
  sippListening, startRecordingGateway, until, type RecordingGateway, type SippRun,
} from '../support/sipp.js';

const skip = sippSkip();
const TMP = mkdtempSync(join(tmpdir(), 'blfgw-presence-sipp-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

type Transport = 'udp' | 'tcp';

/** Digest and identity arguments of one sample device: `-au` device, `-ap` password, From user. */
function device(name: string): string[] {
  return ['-au', name, '-ap', `secret${name.slice(-4)}`];
}

function common(port: number, t: Transport): string[] {
  return ['-i', '127.0.0.1', '-p', String(port), '-t', sippTransport(t)];
}

/** REGISTER dn from device on `port` (the phone's later UAS listens on the same port). */
async function register(rec: RecordingGateway, dn: string, dev: string, port: number, t: Transport): Promise<void> {
  const r = await runSipp([`127.0.0.1:${rec.gw.ports.sip}`, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', dn, ...device(dev),
    '-auth_uri', 'acme.test', ...common(port, t)]).done;
  assert.equal(r.code, 0, `register ${dn}: ${r.output}`);
}

/** 1001 (caller) and 1002 (callee) register at once: independent SIPp runs, so in parallel. */
async function registerPhones(rec: RecordingGateway, callerPort: number, calleePort: number, t: Transport): Promise<void> {
  await Promise.all([register(rec, '1002', 'SEP000000001002', calleePort, t), register(rec, '1001', 'SEP000000001001', callerPort, t)]);
}

interface WatchOptions {
  readonly expires?: number;
  /** SIPp -trace_logs file (the scenario's <log> lines) */
  readonly logFile?: string;
  /** SIPp -trace_msg file (every message sent and received) */
  readonly messageFile?: string;
  readonly timeoutMs?: number;
}

/** A SIPp watcher (`scenario`) from device `watcher` subscribing to `dn` (digest uri = the Request-URI). */
function watch(rec: RecordingGateway, scenario: string, watcher: string, dn: string, port: number, t: Transport, o: WatchOptions = {}): SippRun {
  const args = [`127.0.0.1:${rec.gw.ports.sip}`, '-sf', `${FIX}/${scenario}.xml`, '-s', dn, '-key', 'watcher', watcher,
    '-key', 'expires', String(o.expires ?? 3600), ...device(watcher), '-auth_uri', `${dn}@acme.test`, ...common(port, t)];
  if (o.logFile) args.push('-trace_logs', '-log_file', o.logFile);
  if (o.messageFile) args.push('-trace_msg', '-message_file', o.messageFile);
  return runSipp(args, o.timeoutMs ?? 40_000);
}

/** A SIPp UAC call (`scenario`) from device `caller` to `dn`; extra args last (e.g. -d, -key replaces). */
function call(rec: RecordingGateway, scenario: string, caller: string, dn: string, port: number, t: Transport, extra: string[] = []): SippRun {
  return runSipp([`127.0.0.1:${rec.gw.ports.sip}`, '-sf', `${FIX}/${scenario}.xml`, '-s', dn, '-key', 'caller', caller.slice(-4),
    ...device(caller), '-auth_uri', `${dn}@acme.test`, ...common(port, t), ...extra]);
}

/** A SIPp UAS phone (`scenario`) answering for `dn` on its registered port. */
function phone(scenario: string, dn: string, port: number, t: Transport): SippRun {
  return runSipp(['-sf', `${FIX}/${scenario}.xml`, '-s', dn, ...common(port, t)], 40_000);
}

/** Waits until `n` initial NOTIFYs (version 0) were answered 200, i.e. the watchers are in place. */
async function subscribed(rec: RecordingGateway, n = 1): Promise<void> {
  await until(`${n} answered initial NOTIFY`, () =>
    rec.seen.filter((i) => i.type === 'notify-outcome' && i.version === 0 && i.outcome === 'ok').length >= n);
}

/** The text after `prefix` on the first line of a SIPp log file that has it (polls until it appears). */
async function logLine(file: string, prefix: string, ms = 20_000): Promise<string> {
  let found: string | undefined;
  await until(`"${prefix}" in ${file}`, () => {
    if (!existsSync(file)) return false;
    found = readFileSync(file, 'utf8').split('\n').find((l) => l.includes(prefix));
    return found !== undefined;
  }, ms);
  return found!.slice(found!.indexOf(prefix) + prefix.length).trim();
}

async function withGateway(fn: (rec: RecordingGateway) => Promise<void>, dialplanDir = 'dialplans'): Promise<void> {
  const rec = await startRecordingGateway({ dialplanDir });
  try {
    await fn(rec);
  } finally {
    await rec.gw.close();
    if (dialplanDir !== 'dialplans') rmSync(dialplanDir, { recursive: true, force: true });
  }
}

function expectOk(name: string, r: { code: number | null; output: string }): void {
  assert.equal(r.code, 0, `${name}: ${r.output}`);
}

// 1) RFC 6665 SUBSCRIBE / refresh / unsubscribe, over UDP and over TCP (the NOTIFYs reuse the
//    watcher's connection). The contractor's BLF speed dial to 2001 is exempt from presence groups.
for (const t of ['udp', 'tcp'] as const) {
  test(`SIPp watcher: BLF speed dial SUBSCRIBE → 200 + NOTIFY v0, refresh → v1, Expires 0 → terminated v2 (${t.toUpperCase()})`, { skip, timeout: 90_000 }, async () => {
    await withGateway(async (rec) => {
      const r = await watch(rec, 'uac-subscribe-dialog-expect-notify-refresh-unsubscribe', 'SEP000000003001', '2001', await freePort(), t).done;
      expectOk('watcher', r);
      assert.equal(rec.engine.exportSubscriptions().length, 0, 'the unsubscribed subscription is gone');
    });
  });
}

// 2) The sample dialplan's policy cases (BLF speed dial allowed is test 1).
test('SIPp policy: contractor call-list to 2002 → 403; restricted CSS and no CSS → 404 User Unknown', { skip, timeout: 90_000 }, async () => {
  await withGateway(async (rec) => {
    const [contractor, restricted, noCss] = [await freePort(), await freePort(), await freePort()];
    const [r403, r404restricted, r404none] = await Promise.all([
      watch(rec, 'uac-subscribe-dialog-expect-403', 'SEP000000003001', '2002', contractor, 'udp').done,
      watch(rec, 'uac-subscribe-dialog-expect-404', 'SEP000000001006', '2001', restricted, 'udp').done,
      watch(rec, 'uac-subscribe-dialog-expect-404', 'SEP000000001009', '1001', noCss, 'udp').done,
    ]);
    expectOk('contractor call-list → 2002', r403);
    expectOk('restricted CSS → 2001', r404restricted);
    expectOk('no CSS → 1001', r404none);
    assert.equal(rec.engine.exportSubscriptions().length, 0, 'no refused SUBSCRIBE left a subscription');
    assert.ok(!rec.seen.some((i) => i.type === 'notify-outcome'), 'no NOTIFY was sent for a refused SUBSCRIBE');
  });
});

// 3) RFC 6665 §4.1.3 timeout: the sample minimum (60 s) is too long for a test, so a temp copy of the
//    dialplan lowers subscribeMinExpires to 2 s; no refresh → terminated;reason=timeout.
test('SIPp watcher: Expires 2 without refresh ends with NOTIFY terminated;reason=timeout', { skip, timeout: 60_000 }, async () => {
  const dir = copyDialplan({ 'service.yaml': (s) => s.replace('subscribeMinExpires: 60', 'subscribeMinExpires: 2') });
  await withGateway(async (rec) => {
    const logFile = join(TMP, 'timeout.log');
    const started = Date.now();
    const r = await watch(rec, 'uac-subscribe-dialog-expect-notify-terminated', 'SEP000000001005', '2001', await freePort(), 'udp', { expires: 2, logFile }).done;
    expectOk('watcher', r);
    assert.equal(await logLine(logFile, 'SUBSTATE'), 'terminated;reason=timeout');
    assert.ok(Date.now() - started >= 2_000, 'not terminated before the 2 s expiry');
  }, dir);
});

// 4) RFC 3261 §17.1.2.2: a NOTIFY left unanswered over UDP is retransmitted (Timer E, T1 = 500 ms).
test('SIPp watcher over UDP: an unanswered NOTIFY is retransmitted (same CSeq and branch) after T1', { skip, timeout: 60_000 }, async () => {
  await withGateway(async (rec) => {
    const messageFile = join(TMP, 'retransmit-messages.log');
    const r = await watch(rec, 'uac-subscribe-dialog-ignore-notify-expect-retransmit', 'SEP000000003001', '2001', await freePort(), 'udp', { messageFile }).done;
    expectOk('watcher', r);
    // SIPp's -trace_msg entries: "----- <date> <time>\nUDP message received [n] bytes :\n<message>"
    const entries = readFileSync(messageFile, 'utf8').split(/^-{20,} /m).slice(1);
    const notifies = entries.flatMap((e) => {
      const m = /^\S+ (\d+):(\d+):([\d.]+)\r?\nUDP message received[^\n]*\n\s*(NOTIFY [^]*)$/.exec(e);
      if (!m) return [];
      const msg = m[4]!;
      return [{
        at: (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000,
        cseq: /^CSeq: *([^\r\n]*)/im.exec(msg)?.[1]?.trim(),
        branch: /^Via: [^\n]*branch=([^;\s]+)/im.exec(msg)?.[1],
      }];
    });
    const first = notifies.filter((n) => n.cseq === notifies[0]?.cseq);
    assert.ok(first.length >= 2, `the first NOTIFY came again: ${JSON.stringify(notifies)}`);
    assert.ok(first.every((n) => n.branch === first[0]!.branch), 'a retransmission keeps the Via branch');
    const gap = first[1]!.at - first[0]!.at;
    // Timer E = T1 = 500 ms; the upper bound leaves room for a loaded CI machine
    assert.ok(gap >= 400 && gap < 2_000, `retransmitted after about T1 (500 ms), got ${gap} ms`);
    assert.equal(rec.engine.exportSubscriptions().length, 0, 'the late 200 kept the subscription; the unsubscribe ended it');
  });
});

// 5) The main scenario: 1001 calls 1002 through the gateway while carol (1003) watches 1002 by call list.
for (const t of ['udp', 'tcp'] as const) {
  test(`SIPp: 1001 calls 1002 (180, 200, ACK, BYE) while a watcher of 1002 gets early → confirmed → terminated, versions +1 (${t.toUpperCase()})`, { skip, timeout: 120_000 }, async () => {
    await withGateway(async (rec) => {
      const callerPort = await freePort();
      const calleePort = await freePort();
      await registerPhones(rec, callerPort, calleePort, t);
      const watcher = watch(rec, 'uac-subscribe-dialog-expect-notify-early-recipient-confirmed-terminated', 'SEP000000001003', '1002', await freePort(), t);
      await subscribed(rec);
      const callee = phone('uas-call-answer-expect-bye', '1002', calleePort, t);
      await sippListening(calleePort, t);
      const caller = call(rec, 'uac-call-expect-200-bye', 'SEP000000001001', '1002', callerPort, t);
      expectOk('caller', await caller.done);
      expectOk('callee', await callee.done);
      expectOk('watcher', await watcher.done);
      assert.deepEqual(dialogStates(rec.seen, 'SEP000000001002'), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
    });
  });
}

// 6) BLF pickup (RFC 3891 Replaces from the early NOTIFY), then 486 once answered and 481 for no match.
test('SIPp BLF pickup: the watcher picks up the ringing call with Replaces; again → 486; unknown dialog → 481', { skip, timeout: 120_000 }, async () => {
  await withGateway(async (rec) => {
    const callerPort = await freePort();
    const calleePort = await freePort();
    await registerPhones(rec, callerPort, calleePort, 'udp');
    const logFile = join(TMP, 'pickup-watcher.log');
    const watcher = watch(rec, 'uac-subscribe-dialog-expect-notify-early-terminated', 'SEP000000001003', '1002', await freePort(), 'udp', { logFile });
    await subscribed(rec);
    const callee = phone('uas-call-ring-expect-cancel', '1002', calleePort, 'udp');
    await sippListening(calleePort, 'udp');
    const caller = call(rec, 'uac-call-expect-200-recv-bye', 'SEP000000001001', '1002', callerPort, 'udp');
    const replaces = await logLine(logFile, 'REPLACES');
    assert.match(replaces, /^[^;]+;to-tag=[^;]+;from-tag=[^;]+;early-only$/);
    // the picker talks 6 s, then hangs up: room for the second pickup attempt while the call is up
    const picker = call(rec, 'uac-invite-replaces-expect-200-bye', 'SEP000000001003', '1002', await freePort(), 'udp',
      ['-key', 'replaces', replaces, '-d', '6000']);
    await until('the picker is connected', () => dialogStates(rec.seen, 'SEP000000001003').some((s) => s.endsWith(':confirmed')));
    expectOk('second pickup → 486', await call(rec, 'uac-invite-replaces-expect-486', 'SEP000000001004', '1002', await freePort(), 'udp', ['-key', 'replaces', replaces]).done);
    const bogus = `no-such-call@acme.test;to-tag=x1;from-tag=x2;early-only`;
    expectOk('no match → 481', await call(rec, 'uac-invite-replaces-expect-481', 'SEP000000001004', '1002', await freePort(), 'udp', ['-key', 'replaces', bogus]).done);
    expectOk('caller', await caller.done);
    expectOk('picker', await picker.done);
    expectOk('callee (cancelled)', await callee.done);
    expectOk('watcher', await watcher.done);
    assert.deepEqual(dialogStates(rec.seen, 'SEP000000001002'), ['recipient:early', 'recipient:terminated/replaced']);
  });
});

// 6a) The Cisco form: INVITE sip:x-cisco-serviceuri-blfpickup-<DN> picks up what rings on the DN.
test('SIPp BLF pickup, Cisco form: INVITE x-cisco-serviceuri-blfpickup-1002 answers the ringing call', { skip, timeout: 90_000 }, async () => {
  await withGateway(async (rec) => {
    const callerPort = await freePort();
    const calleePort = await freePort();
    await registerPhones(rec, callerPort, calleePort, 'udp');
    const callee = phone('uas-call-ring-expect-cancel', '1002', calleePort, 'udp');
    await sippListening(calleePort, 'udp');
    const caller = call(rec, 'uac-call-expect-200-recv-bye', 'SEP000000001001', '1002', callerPort, 'udp');
    await until('1002 rings', () => dialogStates(rec.seen, 'SEP000000001002').includes('recipient:early'));
    const service = 'x-cisco-serviceuri-blfpickup-1002';
    expectOk('picker', await call(rec, 'uac-call-expect-200-bye', 'SEP000000001003', service, await freePort(), 'udp').done);
    expectOk('caller', await caller.done);
    expectOk('callee (cancelled)', await callee.done);
    assert.deepEqual(dialogStates(rec.seen, 'SEP000000001002'), ['recipient:early', 'recipient:terminated/replaced']);
  });
});

// 6b) CANCEL while ringing: the watcher sees the early dialog end.
test('SIPp: the caller CANCELs while 1002 rings → 487, and the watcher of 1002 sees early → terminated', { skip, timeout: 90_000 }, async () => {
  await withGateway(async (rec) => {
    const callerPort = await freePort();
    const calleePort = await freePort();
    await registerPhones(rec, callerPort, calleePort, 'udp');
    const watcher = watch(rec, 'uac-subscribe-dialog-expect-notify-early-terminated', 'SEP000000001003', '1002', await freePort(), 'udp',
      { logFile: join(TMP, 'cancel-watcher.log') });
    await subscribed(rec);
    const callee = phone('uas-call-ring-expect-cancel', '1002', calleePort, 'udp');
    await sippListening(calleePort, 'udp');
    expectOk('caller', await call(rec, 'uac-call-ring-cancel-expect-487', 'SEP000000001001', '1002', callerPort, 'udp').done);
    expectOk('callee', await callee.done);
    expectOk('watcher', await watcher.done);
    assert.deepEqual(dialogStates(rec.seen, 'SEP000000001002'), ['recipient:early', 'recipient:terminated/cancelled']);
  });
});

// 6c) Busy: the only phone of 1002 answers 486 → the caller gets 486.
test('SIPp: the callee answers 486 → the caller gets 486 Busy Here', { skip, timeout: 90_000 }, async () => {
  await withGateway(async (rec) => {
    const callerPort = await freePort();
    const calleePort = await freePort();
    await registerPhones(rec, callerPort, calleePort, 'udp');
    const callee = phone('uas-call-reject-486', '1002', calleePort, 'udp');
    await sippListening(calleePort, 'udp');
    expectOk('caller', await call(rec, 'uac-call-expect-486', 'SEP000000001001', '1002', callerPort, 'udp').done);
    expectOk('callee', await callee.done);
  });
});

// Issue 4 notifier: "A dialplan or directory change that forbids a live subscription ends it with a
// terminated NOTIFY" — through the DialplanWatcher's hot reload of a temp copy of the dialplan.
test('SIPp watcher: a dialplan edit that forbids the live call-list subscription ends it (terminated;reason=rejected)', { skip, timeout: 60_000 }, async () => {
  const dir = copyDialplan();
  await withGateway(async (rec) => {
    const logFile = join(TMP, 'dialplan-change.log');
    // carol (Standard Presence Group) watches 2001 (Executives) as call-list presence: allowed by the
    // system default "Allowed"
    const watcher = watch(rec, 'uac-subscribe-dialog-expect-notify-terminated', 'SEP000000001003', '2001', await freePort(), 'udp', { logFile });
    await subscribed(rec);
    editDialplanFile(dir, 'service.yaml', (s) => s.replace('interPresenceGroupPolicy: Allowed', 'interPresenceGroupPolicy: Disallowed'));
    expectOk('watcher', await watcher.done);
    assert.equal(await logLine(logFile, 'SUBSTATE'), 'terminated;reason=rejected');
    assert.equal(rec.engine.exportSubscriptions().length, 0);
  }, dir);
});
