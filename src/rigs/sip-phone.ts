/**
 * Emulated SIP phone for tests (our `sip/` stack as a UA on loopback UDP): registers one line,
 * places calls (INVITE with SDP, ACK for the 2xx, CANCEL, BYE) and takes calls (180 at once, then
 * `answer()` / `reject()`; CANCEL → 487; BYE → 200), keeping what happened as plain data.
 *
 * Rule 1: no digest: the gateway under test runs with `requireDigest: false` (the From user names
 *         the device).
 * Rule 2: observable state is `phone.incoming` / `phone.outgoing`; `waitFor(predicate)` polls it.
 */
import {
  SipStack, createAckFor2xx, createCancel, createRequest, createRequestInDialog, createResponse, createUacDialog, createUasDialog,
  generateCallId, generateTag, type DialogState, type ServerTransaction, type SipRequest, type SipResponse,
} from '../sip/index.js';

export interface SipPhoneOptions {
  /** the gateway's UDP port on 127.0.0.1 */
  readonly gatewayPort: number;
  readonly domain: string;
  /** the line's DN (From user, REGISTER AOR) */
  readonly dn: string;
}

/** A call the phone was offered. */
export interface IncomingCall {
  readonly tx: ServerTransaction;
  state: 'ringing' | 'confirmed' | 'cancelled' | 'rejected' | 'ended';
  dialog?: DialogState;
  /** the request that ended it (CANCEL or BYE), when the far side ended it */
  endedBy?: SipRequest;
}

/** A call the phone placed. */
export interface OutgoingCall {
  readonly invite: SipRequest;
  readonly responses: number[];
  final?: SipResponse;
  dialog?: DialogState;
  byeReceived: boolean;
}

const SDP = (port: number) => `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\n`;

export class SipPhone {
  readonly incoming: IncomingCall[] = [];
  readonly outgoing: OutgoingCall[] = [];
  private readonly stack = new SipStack({ timers: { T1: 50, T2: 400, T4: 500 } });
  private port = 0;

  constructor(private readonly opts: SipPhoneOptions) {
    this.stack.delegate = { onRequest: (tx) => this.onRequest(tx), onAck: () => undefined };
  }

  async start(): Promise<void> {
    this.port = (await this.stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 })).port;
  }

  /** REGISTER the line; resolves with the final status. */
  register(expires = 600): Promise<number> {
    const aor = `sip:${this.opts.dn}@${this.opts.domain}`;
    const req = this.request('REGISTER', `sip:${this.opts.domain}`, aor, [['Contact', `<${this.contact()}>`], ['Expires', String(expires)]]);
    return new Promise((resolve) => this.send(req, (res) => resolve(res.status)));
  }

  /** INVITE `dn`; the returned record fills in as responses arrive (a 2xx is ACKed). */
  call(dn: string): OutgoingCall {
    const invite = this.request('INVITE', `sip:${dn}@${this.opts.domain}`, `sip:${dn}@${this.opts.domain}`,
      [['Contact', `<${this.contact()}>`], ['Content-Type', 'application/sdp']], SDP(this.port + 1));
    const call: OutgoingCall = { invite, responses: [], byeReceived: false };
    this.outgoing.push(call);
    this.send(invite, (res) => {
      call.responses.push(res.status);
      if (res.status < 200) return;
      call.final = res;
      if (res.status >= 300) return;
      call.dialog = call.dialog ?? createUacDialog(invite, res) ?? undefined;
      if (call.dialog) void this.stack.sendStateless(createAckFor2xx(call.dialog, invite), this.gateway()).catch(() => undefined);
    });
    return call;
  }

  cancel(call: OutgoingCall): void {
    this.stack.sendRequest(createCancel(call.invite), { destination: this.gateway(), delegate: {} });
  }

  /** BYE an answered call (placed or taken). */
  hangUp(call: OutgoingCall | IncomingCall): void {
    if (!call.dialog) throw new Error('no dialog to hang up');
    this.stack.sendRequest(createRequestInDialog(call.dialog, 'BYE'), { destination: this.gateway(), delegate: {} });
    if ('state' in call) call.state = 'ended';
  }

  answer(call: IncomingCall): void {
    const res = createResponse(call.tx.request, 200, 'OK', {
      toTag: this.tagOf(call), headers: [['Contact', `<${this.contact()}>`], ['Content-Type', 'application/sdp']], body: SDP(this.port + 3),
    });
    call.tx.respond(res);
    call.dialog = createUasDialog(call.tx.request, res) ?? undefined;
    call.state = 'confirmed';
  }

  reject(call: IncomingCall, status = 486): void {
    call.tx.reply(status, undefined, { toTag: this.tagOf(call) });
    call.state = 'rejected';
  }

  /** Polls until `cond` holds (Rule 2). */
  async waitFor(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`${this.opts.dn}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    return this.stack.close();
  }

  private onRequest(tx: ServerTransaction): void {
    const req = tx.request;
    if (req.method === 'INVITE' && !/;tag=/.test(req.headers.get('to') ?? '')) return this.offered(tx);
    tx.reply(200, 'OK');
    if (req.method !== 'BYE') return;
    const callId = req.headers.get('call-id');
    const placed = this.outgoing.find((c) => c.dialog?.callId === callId);
    if (placed) placed.byeReceived = true;
    const taken = this.incoming.find((c) => c.dialog?.callId === callId);
    if (taken) Object.assign(taken, { state: 'ended', endedBy: req });
  }

  private offered(tx: ServerTransaction): void {
    const call: IncomingCall = { tx, state: 'ringing' };
    this.incoming.push(call);
    tx.delegate = {
      onCancel: (cancel) => {
        tx.reply(487, 'Request Terminated', { toTag: this.tagOf(call) });
        Object.assign(call, { state: 'cancelled', endedBy: cancel });
      },
    };
    tx.reply(180, 'Ringing', { toTag: this.tagOf(call), headers: [['Contact', `<${this.contact()}>`]] });
  }

  /** One To-tag per offered call. */
  private tagOf(call: IncomingCall): string {
    const c = call as IncomingCall & { tag?: string };
    c.tag = c.tag ?? generateTag();
    return c.tag;
  }

  private request(method: string, uri: string, to: string, extra: Array<[string, string]>, body = ''): SipRequest {
    const from = `<sip:${this.opts.dn}@${this.opts.domain}>;tag=${generateTag()}`;
    const headers: Array<[string, string]> = [['From', from], ['To', `<${to}>`], ['Call-ID', generateCallId()], ['CSeq', `1 ${method}`], ...extra];
    return createRequest({ method, uri, headers, body });
  }

  private send(req: SipRequest, onResponse: (res: SipResponse) => void): void {
    this.stack.sendRequest(req, { destination: this.gateway(), delegate: { onResponse } });
  }

  private gateway() {
    return { transport: 'udp' as const, host: '127.0.0.1', port: this.opts.gatewayPort };
  }

  private contact(): string {
    return `sip:${this.opts.dn}@127.0.0.1:${this.port}`;
  }
}
