/**
 * Shared lines carried by SIP and SCCP devices at once (issue 4 forking, issue 5 SCCP): the B2BUA
 * with its registrar on a loopback SipStack, the sccp-lines adapter on a real SccpTcpServer, the pure
 * engine, and emulated phones from src/rigs (SipPhone over UDP, SccpPhone over TCP).
 *
 * Directory: the sample enterprise plus SEP00000000A007, a SIP phone that shares DN 1007 with the
 * SCCP phone SEP00000000C007 (busyTrigger 1 on both).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildDirectory, createEngine, type Device, type EngineInput } from '../../../../src/core/index.js';
import { CallStateValue, createSystemClock, SccpTcpServer } from '../../../../src/sccp/index.js';
import { SipStack } from '../../../../src/sip/index.js';
import { SccpLines } from '../../../../src/adapters/sccp-lines/index.js';
import { B2buaCalls, DeviceAuthenticator, Registrar } from '../../../../src/adapters/b2bua/index.js';
import { SccpPhone, SipPhone } from '../../../../src/rigs/index.js';
import { appearance, device, sampleParts } from '../../core/sample-directory.js';

const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const SHARED_SIP = 'SEP00000000A007';
const SCCP_1007 = 'SEP00000000C007';
const SCCP_1008 = 'SEP00000000C008';

function directory() {
  const parts = sampleParts();
  const devices = (parts.devices ?? []).map((d): Device => {
    if (d.name === SCCP_1007) return { ...d, model: 'Cisco 7975' };
    if (d.name === SCCP_1008) return { ...d, model: 'Cisco 7960' };
    return d;
  });
  return buildDirectory({ ...parts, devices: [...devices, device(SHARED_SIP, { lines: [appearance(1, '1007', 'Internal_PT')] })] }, 1);
}

async function rig() {
  const dir = directory();
  const engine = createEngine(dir);
  const inputs: EngineInput[] = [];
  let server: SccpTcpServer | undefined;
  const feed = (input: EngineInput): void => {
    inputs.push(input);
    for (const e of engine.handle(input, Date.now())) if (e.type === 'line-state-changed') lines.lineStateChanged(e);
  };
  const lines: SccpLines = new SccpLines({
    directory: () => dir, submit: feed, clock: createSystemClock(), logger: QUIET,
    command: (d, c) => server?.command(d, c) ?? false,
    setBlfStatus: (d, i, s) => server?.setBlfStatus(d, i, s) ?? false,
  });
  server = new SccpTcpServer({ host: '127.0.0.1', port: 0 }, lines.delegate());
  const stack = new SipStack({ timers: { T1: 50, T2: 400, T4: 500 } });
  const sipPort = (await stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 })).port;
  const auth = new DeviceAuthenticator(undefined as never, () => dir, false);
  const registrar = new Registrar({ directory: () => dir, auth, clock: stack.clock, now: Date.now, submit: feed });
  const calls = new B2buaCalls({
    directory: () => dir, auth, bindings: registrar.bindings, stack, now: Date.now, submit: feed,
    contactFor: () => `sip:127.0.0.1:${sipPort}`, logger: QUIET,
  });
  stack.delegate = {
    onRequest: (tx) => {
      if (tx.request.method === 'REGISTER') return registrar.handle(tx);
      if (tx.request.method === 'INVITE') return calls.handleInvite(tx);
      return calls.handleInDialog(tx);
    },
    onAck: (ack) => calls.handleAck(ack),
  };
  calls.setLocalEndpoints(lines.port);
  lines.setPlaceCall((r, l) => calls.placeLocalCall(r, l));
  const sccpPort = (await server.listen()).port;
  const closers: Array<() => unknown> = [];
  const sip = async (dn: string) => {
    const p = new SipPhone({ gatewayPort: sipPort, domain: 'acme.test', dn });
    closers.push(() => p.close());
    await p.start();
    assert.equal(await p.register(), 200);
    return p;
  };
  const sccp = async (deviceName: string, deviceType: number) => {
    const p = new SccpPhone({ host: '127.0.0.1', port: sccpPort, deviceName, deviceType, protocolVersion: 17, rtpPort: 20000 });
    closers.push(() => p.close());
    await p.connect();
    await p.register();
    return p;
  };
  const close = async () => {
    calls.close();
    for (const c of closers) await c();
    lines.close();
    registrar.close();
    await server!.close();
    await stack.close();
  };
  const events = (dev: string) => inputs.flatMap((i) => (i.type === 'call-event' && i.appearance.device === dev
    ? [`${i.dialog.direction}:${i.dialog.state}${i.dialog.terminationEvent ? `/${i.dialog.terminationEvent}` : ''}`] : []));
  return { sip, sccp, close, events, calls };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Both devices of 1007 ring once the fork is out. */
async function bothRing(sipCallee: SipPhone, sccpCallee: SccpPhone): Promise<void> {
  await sipCallee.waitFor('the SIP fork', () => sipCallee.incoming.length === 1);
  await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringIn);
}

/** SIP 1001 calls 1007 (shared by the SIP phone and the SCCP 7975); resolves once both ring. */
async function sipCallsShared(r: Awaited<ReturnType<typeof rig>>) {
  const [caller, sipCallee, sccpCallee] = [await r.sip('1001'), await r.sip('1007'), await r.sccp(SCCP_1007, 437)];
  const call = caller.call('1007');
  await bothRing(sipCallee, sccpCallee);
  return { caller, sipCallee, sccpCallee, call };
}

/** The SCCP 7960 (1008) dials 1007; resolves once both devices of 1007 ring. */
async function sccpCallsShared(r: Awaited<ReturnType<typeof rig>>) {
  const [sipCallee, sccpCallee, caller] = [await r.sip('1007'), await r.sccp(SCCP_1007, 437), await r.sccp(SCCP_1008, 7)];
  caller.offHook();
  caller.dial('1007');
  await bothRing(sipCallee, sccpCallee);
  return { caller, sipCallee, sccpCallee };
}

describe('b2bua: a SIP caller and a line shared by SIP and SCCP devices', () => {
  it('rings the SIP and the SCCP device; the SIP device answers, the SCCP phone stops ringing', async () => {
    const r = await rig();
    try {
      const { caller, sipCallee, sccpCallee, call } = await sipCallsShared(r);
      await caller.waitFor('180', () => call.responses.includes(180));
      sipCallee.answer(sipCallee.incoming[0]!);
      await caller.waitFor('200', () => call.final?.status === 200);
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      caller.hangUp(call);
      await sipCallee.waitFor('BYE', () => sipCallee.incoming[0]!.state === 'ended');
      assert.deepEqual(r.events(SCCP_1007), ['recipient:early', 'recipient:terminated/cancelled']);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
      assert.deepEqual(r.events('SEP000000001001'), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated/local-bye']);
    } finally {
      await r.close();
    }
  });

  it('the SCCP phone answers: the SIP fork is CANCELled as completed elsewhere, the caller talks to the phone', async () => {
    const r = await rig();
    try {
      const { caller, sipCallee, sccpCallee, call } = await sipCallsShared(r);
      sccpCallee.answer();
      await caller.waitFor('200', () => call.final?.status === 200);
      assert.match(call.final!.body.toString('utf8'), /^m=audio 20000 /m, 'the SCCP phone SDP');
      await sipCallee.waitFor('CANCEL', () => sipCallee.incoming[0]!.state === 'cancelled');
      assert.match(sipCallee.incoming[0]!.endedBy?.headers.get('reason') ?? '', /cause=200/);
      caller.hangUp(call);
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:terminated/cancelled']);
      assert.deepEqual(r.events(SCCP_1007), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
      assert.deepEqual(r.events('SEP000000001001'), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated/local-bye']);
      assert.equal(r.calls.activeCalls, 0);
    } finally {
      await r.close();
    }
  });

  it('a busy device is skipped and the other rings; 486 only when every device is busy', async () => {
    const r = await rig();
    try {
      const [caller, other, sipCallee, sccpCallee] = [await r.sip('1001'), await r.sip('1002'), await r.sip('1007'), await r.sccp(SCCP_1007, 437)];
      sccpCallee.offHook();
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.offHook);
      const first = caller.call('1007');
      await sipCallee.waitFor('the SIP fork', () => sipCallee.incoming.length === 1);
      sipCallee.answer(sipCallee.incoming[0]!);
      await caller.waitFor('200', () => first.final?.status === 200);
      const second = other.call('1007');
      await other.waitFor('486', () => second.final !== undefined);
      assert.equal(second.final!.status, 486);
      assert.equal(sipCallee.incoming.length, 1, 'the busy SIP device was not offered the call');
      caller.hangUp(first);
      await sipCallee.waitFor('BYE', () => sipCallee.incoming[0]!.state === 'ended');
    } finally {
      await r.close();
    }
  });

  it('the caller CANCELs: every fork ends, SIP and SCCP', async () => {
    const r = await rig();
    try {
      const { caller, sipCallee, sccpCallee, call } = await sipCallsShared(r);
      caller.cancel(call);
      await caller.waitFor('487', () => call.final?.status === 487);
      await sipCallee.waitFor('CANCEL', () => sipCallee.incoming[0]!.state === 'cancelled');
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      assert.deepEqual(r.events(SCCP_1007), ['recipient:early', 'recipient:terminated/cancelled']);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:terminated/cancelled']);
      assert.equal(r.calls.activeCalls, 0);
    } finally {
      await r.close();
    }
  });
});

describe('b2bua: an SCCP caller and a line shared by SIP and SCCP devices', () => {
  it('rings both; the SIP device answers, the other SCCP phone stops ringing; on hook → BYE', async () => {
    const r = await rig();
    try {
      const { caller, sipCallee, sccpCallee } = await sccpCallsShared(r);
      sipCallee.answer(sipCallee.incoming[0]!);
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected);
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      caller.hangUp();
      await sipCallee.waitFor('BYE', () => sipCallee.incoming[0]!.state === 'ended');
      assert.deepEqual(r.events(SCCP_1007), ['recipient:early', 'recipient:terminated/cancelled']);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
    } finally {
      await r.close();
    }
  });

  it('the other SCCP phone answers: the SIP fork is CANCELled as completed elsewhere', async () => {
    const r = await rig();
    try {
      const { caller, sipCallee, sccpCallee } = await sccpCallsShared(r);
      sccpCallee.answer();
      await sipCallee.waitFor('CANCEL', () => sipCallee.incoming[0]!.state === 'cancelled');
      assert.match(sipCallee.incoming[0]!.endedBy?.headers.get('reason') ?? '', /cause=200/);
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:terminated/cancelled']);
    } finally {
      await r.close();
    }
  });

  it('a SIP device busy in a call is not offered the call; the SCCP phone rings and answers', async () => {
    const r = await rig();
    try {
      const [sipCaller, sipCallee, sccpCallee, caller] = [await r.sip('1001'), await r.sip('1007'), await r.sccp(SCCP_1007, 437), await r.sccp(SCCP_1008, 7)];
      const busy = sipCaller.call('1007');
      await sipCallee.waitFor('the SIP fork', () => sipCallee.incoming.length === 1);
      sipCallee.answer(sipCallee.incoming[0]!);
      await sipCaller.waitFor('200', () => busy.final?.status === 200);
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      caller.offHook();
      caller.dial('1007');
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringIn);
      await pause(200);
      assert.equal(sipCallee.incoming.length, 1, 'the busy SIP device got no second INVITE');
      sccpCallee.answer();
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected);
      caller.hangUp();
      await sccpCallee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      assert.deepEqual(r.events(SCCP_1007), ['recipient:early', 'recipient:terminated/cancelled', 'recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
      assert.deepEqual(r.events(SHARED_SIP), ['recipient:early', 'recipient:confirmed'], 'the busy SIP device kept its one call');
    } finally {
      await r.close();
    }
  });
});
