/**
 * A real WebSocket SIP client against the gateway: SIP.js (npm `sip.js`, what browser softphones and
 * the WebSocket rig clients use) REGISTERs and SUBSCRIBEs to a BLF speed dial over `ws` (RFC 7118),
 * answering the digest challenges itself, and reads the dialog-info NOTIFYs it gets for the watched
 * line: idle, ringing, and the terminated NOTIFY when it unsubscribes; a SIP.js Publisher on the
 * watched phone PUBLISHes its call (RFC 3903) and the watcher sees it; two SIP.js phones call each
 * other through the B2BUA over their WebSocket connections; an Event presence subscription gets PIDF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import {
  Inviter, Publisher, Registerer, RegistererState, SessionState, Subscriber, SubscriptionState, UserAgent,
  type Invitation, type Notification, type SessionDescriptionHandler,
} from 'sip.js';
import { parseDialogInfo, type EngineInput } from '../../src/core/index.js';
import { dialogStates, startRecordingGateway, type RecordingGateway } from '../support/sipp.js';
import { until } from '../support/until.js';

// SIP.js opens its transport with the WebSocket global of a browser
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** The gateway on the sample dialplan with a WebSocket listener on a free port, recording its inputs. */
function startWsGateway(): Promise<RecordingGateway> {
  return startRecordingGateway({ wsPort: 0, idleMemoryTrim: false });
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

/** SIP.js needs a media layer to offer and answer; Node has no WebRTC, so a fixed SDP stands in. */
class FixedSdp implements SessionDescriptionHandler {
  close(): void {}
  getDescription() {
    return Promise.resolve({ body: SDP, contentType: 'application/sdp' });
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  setDescription(): Promise<void> {
    return Promise.resolve();
  }
  sendDtmf(): boolean {
    return false;
  }
}

/** A SIP.js phone on a line: AOR = the DN, digest user = the device (as Cisco SIP phones register). */
function phone(wsPort: number, dn: string, device: string, password: string, onInvite?: (i: Invitation) => void): UserAgent {
  return new UserAgent({
    sessionDescriptionHandlerFactory: () => new FixedSdp(),
    delegate: onInvite ? { onInvite } : undefined,
    uri: UserAgent.makeURI(`sip:${dn}@acme.test`),
    authorizationUsername: device,
    authorizationPassword: password,
    transportOptions: { server: `ws://127.0.0.1:${wsPort}` },
    logLevel: (process.env.SIPJS_LOG as 'debug' | undefined) ?? 'error',
  });
}


test('SIP.js over WebSocket: digest REGISTER and BLF SUBSCRIBE to 2001; NOTIFYs idle → early; terminated NOTIFY on unsubscribe', async () => {
  const { gw } = await startWsGateway();
  const ua = phone(gw.ports.ws!, '3001', 'SEP000000003001', 'secret3001');
  const bodies: string[] = [];
  let subscriber: Subscriber | undefined;
  try {
    await ua.start();
    // what arrives on the WebSocket, as SIP.js's transport hands it up (its subscription ends on the
    // client side at once, so the final NOTIFY is seen here rather than by the delegate)
    const wire: string[] = [];
    const up = ua.transport.onMessage;
    ua.transport.onMessage = (message: string) => {
      wire.push(message);
      up?.(message);
    };
    const registerer = new Registerer(ua, { expires: 300 });
    await registerer.register();
    await until('registered', () => registerer.state === RegistererState.Registered);

    subscriber = new Subscriber(ua, UserAgent.makeURI('sip:2001@acme.test')!, 'dialog', {
      expires: 600, extraHeaders: ['Accept: application/dialog-info+xml'],
    });
    subscriber.delegate = {
      onNotify: (n: Notification) => {
        bodies.push(n.request.body);
        n.accept();
      },
    };
    await subscriber.subscribe();
    await until('the initial NOTIFY', () => bodies.length >= 1);
    await until('the subscription is active', () => subscriber!.state === SubscriptionState.Subscribed);
    const states = (body: string) => {
      const parsed = parseDialogInfo(body, 'sip:2001@acme.test');
      assert.ok('dialogs' in parsed, body);
      return parsed.dialogs.map((d) => d.state);
    };
    assert.deepEqual(states(bodies[0]!), ['terminated'], 'no call on 2001 yet');

    // 2001's phone registers and rings, as the registrar and the B2BUA report it to the core
    const submit = (input: EngineInput) => gw.context.engine.submit(input);
    submit({ type: 'registration', device: 'SEP000000002001', registered: true });
    submit({
      type: 'call-event', appearance: { device: 'SEP000000002001', index: 1 },
      dialog: { id: 'ws-1', callId: 'ws-call-1', localTag: 'l1', remoteTag: 'r1', direction: 'recipient', state: 'early',
        local: { uri: 'sip:2001@acme.test' }, remote: { uri: 'sip:1002@acme.test' } },
    });
    await until('the ringing NOTIFY', () => bodies.some((b) => states(b).includes('early')));
    const ringing = bodies.find((b) => states(b).includes('early'))!;
    assert.match(ringing, /call-id="ws-call-1"/, 'the ringing dialog carries its call-id (directed pickup)');

    await subscriber.unsubscribe();
    await until('the terminated NOTIFY', () => wire.some((m) => m.startsWith('NOTIFY ') && /\r\nSubscription-State: terminated/i.test(m)));
    assert.equal(subscriber.state, SubscriptionState.Terminated);
    await registerer.unregister();
  } finally {
    await subscriber?.dispose().catch(() => undefined);
    await ua.stop().catch(() => undefined);
    await gw.close();
  }
});

test('SIP.js Publisher over WebSocket: the watched phone PUBLISHes its call; the BLF watcher sees it, then idle on unpublish', async () => {
  const { gw } = await startWsGateway();
  const watcherUa = phone(gw.ports.ws!, '3001', 'SEP000000003001', 'secret3001');
  const publisherUa = phone(gw.ports.ws!, '2001', 'SEP000000002001', 'secret2001');
  const bodies: string[] = [];
  try {
    await Promise.all([watcherUa.start(), publisherUa.start()]);
    const registerer = new Registerer(publisherUa, { expires: 300 });
    await registerer.register();
    await until('2001 registered', () => registerer.state === RegistererState.Registered);
    const subscriber = new Subscriber(watcherUa, UserAgent.makeURI('sip:2001@acme.test')!, 'dialog', { expires: 600 });
    subscriber.delegate = { onNotify: (n: Notification) => { bodies.push(n.request.body); n.accept(); } };
    await subscriber.subscribe();
    await until('the initial NOTIFY', () => bodies.length >= 1);

    const publisher = new Publisher(publisherUa, UserAgent.makeURI('sip:2001@acme.test')!, 'dialog', {
      contentType: 'application/dialog-info+xml', expires: 120,
    });
    await publisher.publish('<?xml version="1.0"?>\n'
      + '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:2001@acme.test">'
      + '<dialog id="sipjs-1" call-id="sipjs-call-1" local-tag="a" remote-tag="b" direction="initiator"><state>confirmed</state>'
      + '<local><identity>sip:2001@acme.test</identity></local><remote><identity>sip:1002@acme.test</identity></remote></dialog>'
      + '</dialog-info>');
    const busy = (b: string) => /call-id="sipjs-call-1"/.test(b) && /<state>confirmed<\/state>/.test(b);
    await until('the watcher sees the published call', () => bodies.some(busy));
    const seen = bodies.length;
    await publisher.unpublish();
    await until('the watcher sees the line idle again', () => bodies.length > seen && !bodies.at(-1)!.includes('sipjs-call-1'));
    await subscriber.unsubscribe();
    await registerer.unregister();
  } finally {
    await Promise.all([watcherUa.stop().catch(() => undefined), publisherUa.stop().catch(() => undefined)]);
    await gw.close();
  }
});

test('SIP.js calls over WebSocket: 3001 calls 2001 through the B2BUA (digest INVITE, 180, 200, ACK, BYE); both lines go busy and back', async () => {
  const { gw, seen } = await startWsGateway();
  let offered: Invitation | undefined;
  const callee = phone(gw.ports.ws!, '2001', 'SEP000000002001', 'secret2001', (invitation) => {
    offered = invitation;
    invitation.progress().then(() => invitation.accept()).catch(() => undefined);
  });
  const caller = phone(gw.ports.ws!, '3001', 'SEP000000003001', 'secret3001');
  try {
    await Promise.all([callee.start(), caller.start()]);
    for (const ua of [callee, caller]) {
      const r = new Registerer(ua, { expires: 300 });
      await r.register();
      await until('registered', () => r.state === RegistererState.Registered);
    }
    const inviter = new Inviter(caller, UserAgent.makeURI('sip:2001@acme.test')!);
    await inviter.invite();
    await until('the call is established', () => inviter.state === SessionState.Established, 10_000);
    assert.ok(offered, 'the callee was offered the call');
    await until('the callee side is established', () => offered!.state === SessionState.Established);
    await inviter.bye();
    await until('the callee hears the BYE', () => offered!.state === SessionState.Terminated);
    // `direction:state`, without the termination event dialogStates appends (`/bye`, …)
    const states = (device: string) => dialogStates(seen, device).map((d) => d.split('/')[0]!);
    await until('both appearances are idle again', () => states('SEP000000003001').includes('initiator:terminated') && states('SEP000000002001').includes('recipient:terminated'));
    assert.ok(states('SEP000000003001').includes('initiator:confirmed'), `caller: ${states('SEP000000003001').join(' ')}`);
    assert.deepEqual(states('SEP000000002001').filter((x, i, a) => a.indexOf(x) === i), ['recipient:early', 'recipient:confirmed', 'recipient:terminated']);
  } finally {
    await Promise.all([callee.stop().catch(() => undefined), caller.stop().catch(() => undefined)]);
    await gw.close();
  }
});

test('SIP.js over WebSocket: Event presence to the BLF speed dial 2001 gets PIDF NOTIFYs that follow the line', async () => {
  const { gw } = await startWsGateway();
  const ua = phone(gw.ports.ws!, '3001', 'SEP000000003001', 'secret3001');
  const notifies: Array<{ type: string; body: string }> = [];
  try {
    await ua.start();
    const subscriber = new Subscriber(ua, UserAgent.makeURI('sip:2001@acme.test')!, 'presence', { expires: 600 });
    subscriber.delegate = {
      onNotify: (n: Notification) => {
        notifies.push({ type: n.request.getHeader('content-type') ?? '', body: n.request.body });
        n.accept();
      },
    };
    await subscriber.subscribe();
    await until('the initial NOTIFY', () => notifies.length >= 1);
    assert.match(notifies[0]!.type, /^application\/(cpim-)?pidf\+xml/);
    assert.match(notifies[0]!.body, /<presence\b[^>]*urn:ietf:params:xml:ns:pidf/);
    assert.doesNotMatch(notifies[0]!.body, /on-the-phone/, 'not busy before the call');
    gw.context.engine.submit({ type: 'registration', device: 'SEP000000002001', registered: true });
    gw.context.engine.submit({
      type: 'call-event', appearance: { device: 'SEP000000002001', index: 1 },
      dialog: { id: 'p-1', callId: 'p-call-1', localTag: 'l', remoteTag: 'r', direction: 'initiator', state: 'confirmed',
        local: { uri: 'sip:2001@acme.test' }, remote: { uri: 'sip:1002@acme.test' } },
    });
    await until('a NOTIFY showing 2001 busy (RPID on-the-phone)', () => notifies.some((n) => /<\w+:on-the-phone\/>/.test(n.body)));
    await subscriber.unsubscribe();
  } finally {
    await ua.stop().catch(() => undefined);
    await gw.close();
  }
});
