/**
 * The SUBSCRIBE relay's messages as values (style guide §3 "build the message, then send it"):
 * upstream SUBSCRIBEs (RFC 6665 §4.1.2), the reading of a NOTIFY that came back (§4.1.3), and the
 * relay's timing policy (refresh before expiry, bounded exponential backoff).
 *
 * Rule 1: the upstream subscription is always `Event: dialog` (RFC 4235): it carries line-level
 *         state that both the `dialog` and the `presence` package of the local watchers render from.
 * Rule 2: a DN target goes to `sip:<dn>@<trunk domain or host>`; a URI target is sent as is.
 * Rule 3: the BLF state behind a NOTIFY is the core's aggregation of the dialogs it carries
 *         (ringing > busy > idle); pending, an empty body or an unreadable one is `unknown`.
 * Rule 4: "The subscriber SHOULD refresh before expiry" (§4.1.2.2): at the granted expiry minus
 *         min(half of it, 60 s). Backoff doubles from `initialMs` up to `maxMs` and stays there.
 */
import {
  createRequest, createRequestInDialog, getSubscriptionState,
  type DialogState, type SipRequest,
} from '../../sip/index.js';
import {
  aggregateBlfState, parseDialogInfo, type BlfState, type LineDialog, type PresentityRef, type Trunk,
} from '../../core/index.js';

export const DIALOG_INFO_TYPE = 'application/dialog-info+xml';

/** Rule 2. */
export function upstreamUri(trunk: Trunk, target: PresentityRef): string {
  return target.kind === 'dn' ? `sip:${target.dn}@${trunk.domain ?? trunk.host}` : target.uri;
}

export interface SubscribeParts {
  readonly uri: string;
  /** our From: `sip:user@domain` (no tag) */
  readonly from: string;
  readonly fromTag: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact: string;
  readonly expires: number;
}

function subscribeHeaders(contact: string, expires: number): Array<[string, string]> {
  return [
    ['Event', 'dialog'], ['Accept', DIALOG_INFO_TYPE], ['Expires', String(expires)],
    ['Contact', `<${contact}>`], ['Allow', 'NOTIFY'],
  ];
}

/** An initial (out-of-dialog) SUBSCRIBE, or the un-SUBSCRIBE of one that never got a dialog. */
export function buildInitialSubscribe(p: SubscribeParts): SipRequest {
  return createRequest({
    method: 'SUBSCRIBE',
    uri: p.uri,
    headers: [
      ['From', `<${p.from}>;tag=${p.fromTag}`], ['To', `<${p.uri}>`], ['Call-ID', p.callId],
      ['CSeq', `${p.cseq} SUBSCRIBE`], ['Max-Forwards', '70'], ...subscribeHeaders(p.contact, p.expires),
    ],
  });
}

/** A refresh or un-SUBSCRIBE (Expires: 0) inside the dialog; advances `dialog.localSeq`. */
export function buildInDialogSubscribe(dialog: DialogState, contact: string, expires: number): SipRequest {
  return createRequestInDialog(dialog, 'SUBSCRIBE', { headers: subscribeHeaders(contact, expires) });
}

export type NotifyReading =
  | { readonly kind: 'state'; readonly state: BlfState; readonly dialogs: readonly LineDialog[]; readonly version?: number; readonly expires?: number }
  | { readonly kind: 'terminated'; readonly reason?: string; readonly retryAfter?: number }
  | { readonly kind: 'bad'; readonly status: 400 | 489; readonly reason: string };

const NO_DEVICE_FILTER = { devices: 1, registeredDevices: 1, dndDevices: 0, blfStatusDepictsDnd: false } as const;

/** Rule 3: what a NOTIFY on an upstream dialog says. */
export function readNotify(req: SipRequest): NotifyReading {
  const event = (req.headers.get('event') ?? '').split(';')[0]!.trim().toLowerCase();
  if (event !== 'dialog') return { kind: 'bad', status: 489, reason: 'Bad Event' };
  const ss = getSubscriptionState(req);
  if (ss === null) return { kind: 'bad', status: 400, reason: 'Missing Subscription-State' };
  if (ss.state === 'terminated') {
    return { kind: 'terminated', ...(ss.reason ? { reason: ss.reason } : {}), ...(ss.retryAfter !== undefined ? { retryAfter: ss.retryAfter } : {}) };
  }
  const expires = ss.expires;
  const text = req.body.toString('utf8');
  if (ss.state === 'pending' || text.trim().length === 0) return { kind: 'state', state: 'unknown', dialogs: [], ...(expires !== undefined ? { expires } : {}) };
  const entity = /\bentity\s*=\s*"([^"]*)"/.exec(text)?.[1] ?? req.headers.get('to') ?? '';
  const parsed = parseDialogInfo(text, entity);
  if ('error' in parsed) return { kind: 'bad', status: 400, reason: `Bad dialog-info: ${parsed.error}` };
  const versionText = /<(?:\w+:)?dialog-info\b[^>]*\bversion\s*=\s*"(\d+)"/.exec(text)?.[1];
  const active = parsed.dialogs.filter((d) => d.state !== 'terminated');
  const state = aggregateBlfState({ dialogs: active, ...NO_DEVICE_FILTER }).state;
  return {
    kind: 'state', state, dialogs: active,
    ...(versionText !== undefined ? { version: Number(versionText) } : {}),
    ...(expires !== undefined ? { expires } : {}),
  };
}

export interface RelayTiming {
  /** first retry delay after a failure (ms) */
  readonly initialBackoffMs: number;
  /** the backoff never grows past this (ms) */
  readonly maxBackoffMs: number;
  /** RFC 6665 Timer N: no NOTIFY this long after a 2xx = failed (ms) */
  readonly timerNMs: number;
}

export const DEFAULT_RELAY_TIMING: RelayTiming = { initialBackoffMs: 2000, maxBackoffMs: 300_000, timerNMs: 32_000 };

/** Rule 4: delay before the `failures`-th retry (1-based). */
export function backoffDelay(timing: RelayTiming, failures: number): number {
  const n = Math.max(1, failures);
  return Math.min(timing.maxBackoffMs, timing.initialBackoffMs * 2 ** Math.min(n - 1, 30));
}

/** Rule 4: when to refresh a subscription granted for `seconds`. */
export function refreshDelay(seconds: number): number {
  const ms = seconds * 1000;
  return Math.max(1000, ms - Math.min(ms / 2, 60_000));
}
