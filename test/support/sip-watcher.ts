/**
 * A BLF watcher built with our own SIP stack (client side) for interop tests: SUBSCRIBE (Event:
 * dialog) with one digest retry, answers every NOTIFY 200 and records the BLF state each one shows
 * (the core's aggregation over the dialogs of the document), refreshes and un-subscribes in dialog.
 */
import {
  SipStack, answerChallenge, createRequest, createResponse, createRequestInDialog, createUacDialog, generateCallId, generateTag,
  getSubscriptionState, type DialogState, type SipRequest, type SipResponse,
} from '../../src/sip/index.js';
import { aggregateBlfState, parseDialogInfo, type BlfState } from '../../src/core/index.js';

export interface SeenNotify {
  readonly callId: string;
  readonly state: BlfState | 'terminated';
  readonly body: string;
}

export interface WatcherSubscription {
  readonly status: number;
  readonly callId: string;
  /** SUBSCRIBE Expires: 0 in the dialog; resolves with the status */
  unsubscribe(): Promise<number>;
}

export interface SipWatcher {
  readonly port: number;
  readonly seen: SeenNotify[];
  subscribe(opts: {
    target: string; from: string; host: string; port: number; expires?: number; username?: string; password?: string;
  }): Promise<WatcherSubscription>;
  close(): Promise<void>;
}

/** The BLF state a NOTIFY body shows (empty or pending → unknown). */
export function stateOfNotify(req: SipRequest): SeenNotify['state'] {
  if (getSubscriptionState(req)?.state === 'terminated') return 'terminated';
  const text = req.body.toString('utf8');
  if (text.trim() === '') return 'unknown';
  const parsed = parseDialogInfo(text, '');
  if ('error' in parsed) return 'unknown';
  const active = parsed.dialogs.filter((d) => d.state !== 'terminated');
  return aggregateBlfState({ dialogs: active, devices: 1, registeredDevices: 1, dndDevices: 0, blfStatusDepictsDnd: false }).state;
}

function send(stack: SipStack, req: SipRequest, host: string, port: number): Promise<SipResponse | undefined> {
  return new Promise((resolve) => {
    stack.sendRequest(req, {
      destination: { transport: 'udp', host, port },
      delegate: {
        onResponse: (res) => { if (res.status >= 200) resolve(res); },
        onTimeout: () => resolve(undefined),
        onTransportError: () => resolve(undefined),
      },
    });
  });
}

/** Starts a watcher UA on `bindHost` (UDP, free port). */
export async function startSipWatcher(bindHost = '127.0.0.1'): Promise<SipWatcher> {
  const stack = new SipStack({ advertisedHost: bindHost });
  const bound = await stack.listen({ transport: 'udp', host: bindHost, port: 0 });
  const seen: SeenNotify[] = [];
  stack.delegate = {
    onRequest: (tx) => {
      if (tx.request.method === 'NOTIFY') {
        seen.push({ callId: tx.request.headers.get('call-id') ?? '', state: stateOfNotify(tx.request), body: tx.request.body.toString('utf8') });
      }
      tx.respond(createResponse(tx.request, 200, 'OK'));
    },
  };
  const contact = `<sip:watcher@${bindHost}:${bound.port}>`;
  return {
    port: bound.port,
    seen,
    async subscribe(o) {
      const callId = generateCallId();
      const fromTag = generateTag();
      const build = (cseq: number) => createRequest({
        method: 'SUBSCRIBE', uri: o.target,
        headers: [
          ['From', `<${o.from}>;tag=${fromTag}`], ['To', `<${o.target}>`], ['Call-ID', callId], ['CSeq', `${cseq} SUBSCRIBE`],
          ['Event', 'dialog'], ['Accept', 'application/dialog-info+xml'], ['Expires', String(o.expires ?? 600)], ['Contact', contact],
        ],
      });
      let req = build(1);
      let res = await send(stack, req, o.host, o.port);
      if (res && (res.status === 401 || res.status === 407) && o.username !== undefined) {
        const retry = answerChallenge(req, res, { username: o.username, password: o.password ?? '' });
        if (retry !== null) {
          req = retry;
          res = await send(stack, req, o.host, o.port);
        }
      }
      const dialog: DialogState | null = res && res.status < 300 ? createUacDialog(req, res) : null;
      return {
        status: res?.status ?? 408,
        callId,
        async unsubscribe() {
          if (dialog === null) return 0;
          const bye = createRequestInDialog(dialog, 'SUBSCRIBE', { headers: [['Event', 'dialog'], ['Expires', '0'], ['Contact', contact]] });
          let r = await send(stack, bye, o.host, o.port);
          if (r && (r.status === 401 || r.status === 407) && o.username !== undefined) {
            const retry = answerChallenge(bye, r, { username: o.username, password: o.password ?? '' });
            if (retry !== null) {
              dialog.localSeq++;
              r = await send(stack, retry, o.host, o.port);
            }
          }
          return r?.status ?? 408;
        },
      };
    },
    close: () => stack.close(),
  };
}
