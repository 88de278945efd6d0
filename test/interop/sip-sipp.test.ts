/**
 * SIPp interop against a small UAS built on our stack (a test TU): OPTIONS and INVITE/ACK/BYE over
 * UDP and TCP; SIPp retransmitting (we absorb: one TU call per request); SIPp ignoring our first
 * 200 (we retransmit it, RFC 3261 §13.3.1.4). Skipped with a reason when `sipp` is missing,
 * unless REQUIRE_INTEROP=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../support/free-port.js';
import { SipStack, type TransportProtocol } from '../../src/sip/index.js';

const HAVE_SIPP = spawnSync('sipp', ['-v']).error === undefined;
if (!HAVE_SIPP && process.env.REQUIRE_INTEROP === '1') throw new Error('REQUIRE_INTEROP=1 but sipp is not installed');
const skip = HAVE_SIPP ? false : 'sipp binary not found (Debian package sip-tester)';


async function uas(transport: TransportProtocol, opts: { delayMs?: number } = {}) {
  const stack = new SipStack({ timers: { T1: 500 } });
  const seen: string[] = [];
  stack.delegate = {
    onRequest(tx) {
      seen.push(tx.request.method);
      const answer = () => tx.reply(200, 'OK', { toTag: true, headers: tx.request.method === 'INVITE' ? [['Contact', `<sip:uas@127.0.0.1:${lp.port};transport=${transport}>`]] : [] });
      if (opts.delayMs) setTimeout(answer, opts.delayMs);
      else answer();
    },
  };
  const lp = await stack.listen({ transport, host: '127.0.0.1', port: 0 });
  return { stack, lp, seen };
}

async function runSipp(scenario: string, transport: TransportProtocol, port: number, calls: number): Promise<{ code: number | null; out: string }> {
  const local = await freePort();
  const args = ['-sf', `fixtures/sipp/${scenario}.xml`, '-m', String(calls), '-r', '10', '-t', transport === 'udp' ? 'u1' : 't1',
    '-i', '127.0.0.1', '-p', String(local), '-timeout', '60s', '-timeout_error', '-nostdin', '-trace_err', '-error_file', `/tmp/sipp-${scenario}-${local}.err`,
    '-s', 'uas', `127.0.0.1:${port}`];
  return new Promise((resolve) => {
    const p = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out: out.slice(-2000) }));
  });
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`sipp uac-options-expect-200 over ${transport}`, { skip, timeout: 120_000 }, async () => {
    const { stack, lp } = await uas(transport);
    try {
      const r = await runSipp('uac-options-expect-200', transport, lp.port, 5);
      assert.equal(r.code, 0, r.out);
    } finally {
      await stack.close();
    }
  });

  test(`sipp uac-invite-expect-200-bye over ${transport}`, { skip, timeout: 120_000 }, async () => {
    const { stack, lp, seen } = await uas(transport);
    try {
      const r = await runSipp('uac-invite-expect-200-bye', transport, lp.port, 3);
      assert.equal(r.code, 0, r.out);
      assert.equal(seen.filter((m) => m === 'INVITE').length, 3);
    } finally {
      await stack.close();
    }
  });
}

test('sipp retransmits OPTIONS while our TU is slow: retransmissions absorbed (one TU call per request)', { skip, timeout: 120_000 }, async () => {
  const { stack, lp, seen } = await uas('udp', { delayMs: 1300 });
  try {
    const r = await runSipp('uac-options-expect-200', 'udp', lp.port, 2);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(seen, ['OPTIONS', 'OPTIONS']);
  } finally {
    await stack.close();
  }
});

test('sipp ignores our first 200 to INVITE: we retransmit it (RFC 3261 §13.3.1.4)', { skip, timeout: 120_000 }, async () => {
  const { stack, lp } = await uas('udp');
  try {
    const r = await runSipp('uac-invite-late-ack-expect-200-retransmit', 'udp', lp.port, 1);
    assert.equal(r.code, 0, r.out);
    // 200 at 0 ms, retransmitted at 500 and 1500 ms (T1 doubling), then the 200 to BYE
    assert.ok(stack.transport.stats.sent >= 4, `sent ${stack.transport.stats.sent}`);
  } finally {
    await stack.close();
  }
});
