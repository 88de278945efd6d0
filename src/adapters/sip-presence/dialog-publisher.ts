/**
 * Line-side PUBLISH of dialog-info (RFC 3903 event state compositor, RFC 4235 body): a device
 * reports the calls on one of its own line appearances; each `<dialog>` becomes a core `CallEvent`
 * on that appearance. The core aggregates and NOTIFYs the watchers.
 *
 * Rule 1: only the device that owns an appearance of the published DN may publish it (else 403).
 * Rule 2: RFC 3903 §6: initial (body, no SIP-If-Match), refresh (If-Match, no body), modify
 *         (If-Match + body), remove (If-Match + Expires 0). Unknown ETag → 412; a fresh ETag after
 *         every success; 2xx carries SIP-ETag and Expires; too brief → 423 + Min-Expires;
 *         other events → 489; other bodies → 415.
 * Rule 3: when a publication ends (remove or expiry) its dialogs are reported `terminated`.
 * Rule 4: the publisher is answered before the watchers are notified: the fan-out of one change to
 *         thousands runs synchronously, and a 200 queued behind 5,000 NOTIFYs left ~100 ms late; a
 *         larger fan-out would reach the publisher's Timer E (500 ms) and draw a retransmission.
 */
import { createResponse, getExpires, randomToken, type SipRequest } from '../../sip/index.js';
import {
  linesOfDirectoryUri, parseDialogInfo, lineKey,
  type AppearanceRef, type CallEvent, type Directory, type LineDialog,
} from '../../core/index.js';
import { readPresentity, type ParseSubscribeOptions } from './parse-subscribe.js';
import type { IncomingRequest, SubmitInput, WatcherIdentifier } from './notifier-ports.js';

interface Publication {
  readonly appearance: AppearanceRef;
  readonly entity: string;
  dialogs: LineDialog[];
  expiresAt: number;
}

export interface DialogPublisherOptions extends ParseSubscribeOptions {
  readonly submit: SubmitInput;
  readonly watchers: WatcherIdentifier;
  readonly directory: () => Directory;
  readonly now?: () => number;
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly defaultExpires?: number;
}

export class DialogPublisher {
  private readonly publications = new Map<string, Publication>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: DialogPublisherOptions) {}

  handlePublish(tx: IncomingRequest): void {
    const req = tx.request;
    const answer = (status: number, reason?: string, headers: Array<[string, string]> = []): void => {
      tx.respond(createResponse(req, status, reason, { toTag: true, headers }));
    };
    const event = (req.headers.get('event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== 'dialog') return answer(489, 'Bad Event', [['Allow-Events', 'dialog']]);
    const who = this.opts.watchers.identify(req, tx.flow);
    if (who.kind === 'respond') {
      tx.respond(who.response);
      return;
    }
    const now = (this.opts.now ?? Date.now)();
    const min = this.opts.minExpires ?? 60;
    const asked = getExpires(req) ?? this.opts.defaultExpires ?? 3600;
    if (asked > 0 && asked < min) return answer(423, 'Interval Too Brief', [['Min-Expires', String(min)]]);
    const expires = Math.min(asked, this.opts.maxExpires ?? 7200);
    const ifMatch = req.headers.get('sip-if-match')?.trim();
    const hasBody = req.body.length > 0;
    let pub: Publication | undefined;
    if (ifMatch !== undefined) {
      pub = this.publications.get(ifMatch);
      if (pub === undefined || pub.expiresAt <= now) return answer(412, 'Conditional Request Failed');
      this.publications.delete(ifMatch);
      if (expires === 0) {
        answer(200, 'OK', [['Expires', '0']]);
        return this.end(pub); // Rule 4
      }
    } else {
      if (!hasBody) return answer(400, 'Initial PUBLISH Without Body');
      const appearance = this.findAppearance(req, who.watcher);
      if (appearance === undefined) return answer(403, 'Not Your Line');
      pub = { appearance, entity: `sip:${req.uri.replace(/^sips?:/, '')}`, dialogs: [], expiresAt: 0 };
    }
    let published: LineDialog[] | undefined;
    if (hasBody) {
      const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/dialog-info+xml') return answer(415, 'Unsupported Media Type', [['Accept', 'application/dialog-info+xml']]);
      const parsed = parseDialogInfo(req.body.toString('utf8'), pub.entity);
      if ('error' in parsed) return answer(400, parsed.error);
      published = parsed.dialogs;
    }
    pub.expiresAt = now + expires * 1000;
    const etag = randomToken(96);
    this.publications.set(etag, pub);
    this.armSweep();
    answer(200, 'OK', [['SIP-ETag', etag], ['Expires', String(expires)]]);
    if (published !== undefined) this.apply(pub, published); // Rule 4
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Rule 1: the identified device's appearance of the DN (or directory URI) named by the Request-URI. */
  private findAppearance(req: SipRequest, watcher: { kind: string; name?: string }): AppearanceRef | undefined {
    if (watcher.kind !== 'device' || watcher.name === undefined) return undefined;
    const target = readPresentity(req, this.opts);
    if (target === undefined) return undefined;
    const dir = this.opts.directory();
    const device = dir.devices.get(watcher.name);
    const byUri = new Set(target.kind === 'uri' ? linesOfDirectoryUri(dir, target.uri) : []);
    const app = target.kind === 'dn'
      ? device?.lines.find((l) => l.dn === target.dn)
      : device?.lines.find((l) => byUri.has(lineKey(l.dn, l.partition)));
    return app === undefined ? undefined : { device: watcher.name, index: app.index };
  }

  /** New full state: dialogs that disappeared are terminated, the rest reported as published. */
  private apply(pub: Publication, dialogs: LineDialog[]): void {
    const keep = new Set(dialogs.map((d) => d.id));
    for (const old of pub.dialogs) if (!keep.has(old.id)) this.emit(pub.appearance, { ...old, state: 'terminated' });
    for (const d of dialogs) this.emit(pub.appearance, d);
    pub.dialogs = dialogs.filter((d) => d.state !== 'terminated');
  }

  private end(pub: Publication): void {
    for (const d of pub.dialogs) this.emit(pub.appearance, { ...d, state: 'terminated' });
    pub.dialogs = [];
  }

  private emit(appearance: AppearanceRef, dialog: LineDialog): void {
    const input: CallEvent = { type: 'call-event', appearance, dialog };
    this.opts.submit(input);
  }

  private armSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
    this.sweepTimer.unref?.();
  }

  private sweep(): void {
    const now = (this.opts.now ?? Date.now)();
    for (const [etag, pub] of this.publications) {
      if (pub.expiresAt > now) continue;
      this.publications.delete(etag);
      this.end(pub);
    }
    if (this.publications.size === 0) this.close();
  }
}
