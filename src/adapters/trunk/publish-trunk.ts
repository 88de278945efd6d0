/**
 * PUBLISH trunk (CUCM "IMP PUBLISH Trunk", DESIGN.md; RFC 3903): publishes the telephony state of
 * every user associated with a line appearance to the IM server named by params.impPublishTrunk,
 * as Event presence (PIDF + Cisco RPID) and Event dialog (dialog-info), one publication each.
 *
 * Rule 1: inputs are the engine's `Publish` and `LineStateChanged` effects and directory swaps; the
 *         user's state is re-aggregated here from the line states (core `aggregateUserState`).
 * Rule 2: the ETag lifecycle is `sip/publication` (coalescing, 412 → initial, 423, backoff); this
 *         file only sends, sleeps until the next deadline and persists entity-tags.
 * Rule 3: a user who loses every line appearance, or the trunk being switched off, removes the
 *         publications (Expires 0); so does `close()` (bounded wait).
 * Rule 4: at start the stored entity-tags are reused (modify with SIP-If-Match); a restarted IM
 *         server answers 412 and the publication starts over with the current state.
 */
import {
  aggregateUserState, lineKey, type BlfState, type Directory, type LineKey, type LineStateChanged, type Publish, type Trunk,
} from '../../core/index.js';
import {
  Publication, PublicationSet, createPublishRequest, generateCallId, generateTag, readPublishResponse,
  type PublicationOptions, type PublicationRecord, type PublishAnswer, type PublishOperation, type SipStack,
} from '../../sip/index.js';
import {
  DIALOG_INFO_CONTENT_TYPE, PIDF_CONTENT_TYPE, renderUserDialogInfo, renderUserPidf, telephonyStatusOf, type UserLineState,
} from './publish-documents.js';
import { sendToTrunk, type TrunkAnswer } from './trunk-request.js';
import { SILENT_TRUNK_LOGGER, type TrunkLogger } from './trunk-logger.js';

/** Structural slice of the runtime store (SqliteRuntimeStore fits it). */
export interface PublicationStore {
  savePublication(pub: { key: string; etag: string; expiresAt: number; record: unknown; updatedAt: number }): void;
  deletePublication(key: string): boolean;
  loadPublications(): { key: string; etag: string; expiresAt: number; record: unknown; updatedAt: number }[];
}

export type PublishedEvent = 'presence' | 'dialog';

/** What is persisted per publication. */
export interface StoredPublishRecord {
  readonly trunk: string;
  readonly user: string;
  readonly event: PublishedEvent;
  readonly callId: string;
  readonly fromTag: string;
  readonly cseq: number;
  readonly publication: PublicationRecord;
}

export interface PublishTrunkOptions {
  readonly stack: SipStack;
  readonly directory: () => Directory;
  readonly store?: PublicationStore;
  readonly logger?: TrunkLogger;
  /** ms since the epoch (default Date.now) */
  readonly now?: () => number;
  /** at most this many PUBLISHes outstanding (default 64) */
  readonly maxInFlight?: number;
  readonly publication?: Omit<PublicationOptions, 'expires'>;
}

interface Entry {
  readonly key: string;
  readonly user: string;
  readonly event: PublishedEvent;
  readonly trunk: Trunk;
  readonly aor: string;
  callId: string;
  fromTag: string;
  cseq: number;
}

/** Counters for tests, metrics and the bench. */
export interface PublishTrunkStats {
  sent: number;
  byStatus: Record<number, number>;
  timeouts: number;
  transportErrors: number;
}

export class PublishTrunk {
  readonly stats: PublishTrunkStats = { sent: 0, byStatus: {}, timeouts: 0, transportErrors: 0 };
  private readonly set: PublicationSet;
  private readonly entries = new Map<string, Entry>();
  private readonly lineStates = new Map<LineKey, BlfState>();
  private readonly dialogVersions = new Map<string, number>();
  private readonly log: TrunkLogger;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PublishTrunkOptions) {
    this.set = new PublicationSet(opts.maxInFlight ?? 64);
    this.log = opts.logger ?? SILENT_TRUNK_LOGGER;
    this.now = opts.now ?? Date.now;
  }

  /** Restores stored entity-tags (Rule 4) and publishes every user with a line appearance. */
  start(): void {
    const dir = this.opts.directory();
    const trunk = this.trunkOf(dir);
    const now = this.now();
    for (const stored of this.opts.store?.loadPublications() ?? []) {
      const rec = stored.record as StoredPublishRecord;
      if (trunk === undefined || rec.trunk !== trunk.name || !dir.appearanceUsers.has(rec.user)) {
        this.opts.store?.deletePublication(stored.key);
        continue;
      }
      const entry = this.entryFor(trunk, rec.user, rec.event, rec);
      this.set.add(entry.key, Publication.restore(rec.publication, this.pubOptions(dir), now));
    }
    this.syncUsers(dir);
  }

  /** Engine `Publish` effect (Rule 1). */
  onPublish(effect: Publish): void {
    for (const l of effect.lines) this.lineStates.set(l.line, l.state);
    this.publishUser(this.opts.directory(), effect.user);
    this.pump();
  }

  /** Engine `LineStateChanged` effect: re-publish the users of that line (their dialog document). */
  onLineStateChanged(effect: LineStateChanged): void {
    this.lineStates.set(effect.line, effect.new);
    const dir = this.opts.directory();
    for (const user of usersOfLine(dir, effect.line)) this.publishUser(dir, user);
    this.pump();
  }

  /** A new directory snapshot: users who lost their appearances are removed (Rule 3). */
  onDirectoryReplaced(dir: Directory): void {
    this.syncUsers(dir);
  }

  /** Number of live publications (tests, metrics). */
  get size(): number {
    return this.set.size;
  }

  /** Resolves when nothing is due or in flight (tests, bench), or after `timeoutMs`. */
  whenIdle(timeoutMs = 5000): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Removes every publication (Expires 0) and waits for the answers, at most `timeoutMs`. */
  async close(timeoutMs = 2000): Promise<void> {
    const now = this.now();
    for (const key of [...this.set.keys()]) this.set.get(key)!.remove(now);
    this.pump();
    const deadline = Date.now() + timeoutMs;
    while (this.set.size > 0 && Date.now() < deadline) await this.whenIdle(deadline - Date.now());
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /* ---------------------------------------------------------------- users */

  private trunkOf(dir: Directory): Trunk | undefined {
    const name = dir.params.impPublishTrunk;
    return name === null ? undefined : dir.trunks.get(name);
  }

  private syncUsers(dir: Directory): void {
    const trunk = this.trunkOf(dir);
    const now = this.now();
    for (const entry of this.entries.values()) {
      if (trunk === undefined || entry.trunk.name !== trunk.name || !dir.appearanceUsers.has(entry.user)) {
        this.set.get(entry.key)?.remove(now);
      }
    }
    if (trunk !== undefined) for (const user of dir.appearanceUsers.keys()) this.publishUser(dir, user);
    this.pump();
  }

  private linesOf(dir: Directory, user: string): UserLineState[] {
    const seen = new Map<LineKey, UserLineState>();
    for (const ref of dir.appearanceUsers.get(user) ?? []) {
      const app = dir.devices.get(ref.device)?.lines.find((l) => l.index === ref.index);
      if (!app) continue;
      const key = lineKey(app.dn, app.partition);
      if (!seen.has(key)) seen.set(key, { dn: app.dn, state: this.lineStates.get(key) ?? 'unknown' });
    }
    return [...seen.values()];
  }

  private publishUser(dir: Directory, user: string): void {
    const trunk = this.trunkOf(dir);
    if (trunk === undefined || this.closed || !dir.appearanceUsers.has(user)) return;
    const lines = this.linesOf(dir, user);
    const status = telephonyStatusOf(aggregateUserState(lines.map((l) => l.state)), lines);
    const presence = this.entryFor(trunk, user, 'presence');
    this.setBody(dir, presence, { contentType: PIDF_CONTENT_TYPE, text: renderUserPidf(presence.aor, user, status) });
    const dialog = this.entryFor(trunk, user, 'dialog');
    const current = this.set.get(dialog.key)?.publishedBody?.text;
    const version = (this.dialogVersions.get(dialog.key) ?? 0) + 1;
    const text = renderUserDialogInfo(dialog.aor, lines, version);
    // a new version only when the dialogs changed (the version alone is not a state change)
    if (current !== undefined && stripVersion(current) === stripVersion(text)) return;
    this.dialogVersions.set(dialog.key, version);
    this.setBody(dir, dialog, { contentType: DIALOG_INFO_CONTENT_TYPE, text });
  }

  private setBody(dir: Directory, entry: Entry, body: { contentType: string; text: string }): void {
    let pub = this.set.get(entry.key);
    if (pub === undefined || pub.isTerminated || pub.state === 'terminated') {
      pub = new Publication(this.pubOptions(dir));
      this.set.add(entry.key, pub);
    }
    const pending = pub.pendingOperation;
    if (pending?.kind === 'remove') return; // a removal in flight; the next change starts a new one
    pub.set(body, this.now());
  }

  private pubOptions(dir: Directory): PublicationOptions {
    return { expires: dir.params.publishExpires, ...this.opts.publication };
  }

  private entryFor(trunk: Trunk, user: string, event: PublishedEvent, stored?: StoredPublishRecord): Entry {
    const aor = `sip:${user}@${trunk.domain ?? trunk.host}`;
    const key = `${trunk.name}|${aor}|${event}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {
        key, user, event, trunk, aor,
        callId: stored?.callId ?? generateCallId(),
        fromTag: stored?.fromTag ?? generateTag(),
        cseq: stored?.cseq ?? 0,
      };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /* ---------------------------------------------------------------- sending */

  private pump(): void {
    if (this.closed) return;
    const now = this.now();
    const { send, ended } = this.set.due(now);
    for (const key of ended) this.forget(key);
    for (const { key, op } of send) this.send(this.entries.get(key)!, op);
    this.arm();
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private send(entry: Entry, op: PublishOperation): void {
    entry.cseq++;
    const request = createPublishRequest(op, {
      aor: entry.aor, fromTag: entry.fromTag, callId: entry.callId, cseq: entry.cseq, event: entry.event,
    });
    this.stats.sent++;
    void sendToTrunk(this.opts.stack, entry.trunk, request).then((answer) => this.settle(entry, op, answer));
  }

  private settle(entry: Entry, op: PublishOperation, answer: TrunkAnswer): void {
    if (answer.kind === 'response') entry.cseq = Math.max(entry.cseq, cseqNumber(answer.request));
    const result: PublishAnswer = answerOf(answer, this.stats);
    if (result.status >= 300) {
      this.log.info('PUBLISH failed', { aor: entry.aor, event: entry.event, kind: op.kind, status: result.status });
    }
    const ended = this.set.settle(entry.key, op.seq, result, this.now());
    if (ended) this.forget(entry.key);
    else this.persist(entry);
    this.pump();
  }

  private persist(entry: Entry): void {
    const store = this.opts.store;
    const pub = this.set.get(entry.key);
    if (store === undefined || pub === undefined) return;
    const rec = pub.toRecord();
    if (rec === undefined) return;
    const record: StoredPublishRecord = {
      trunk: entry.trunk.name, user: entry.user, event: entry.event,
      callId: entry.callId, fromTag: entry.fromTag, cseq: entry.cseq, publication: rec,
    };
    store.savePublication({ key: entry.key, etag: rec.etag, expiresAt: rec.expiresAt, record, updatedAt: this.now() });
  }

  private forget(key: string): void {
    this.opts.store?.deletePublication(key);
    this.entries.delete(key);
    this.dialogVersions.delete(key);
  }

  private arm(): void {
    const next = this.set.nextDeadline();
    if (next === undefined) return;
    if (this.timer !== undefined && this.timerAt !== undefined && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.pump();
    }, Math.min(Math.max(0, next - this.now()), 0x7fffffff));
    this.timer.unref?.();
  }

  private isIdle(): boolean {
    const next = this.set.nextDeadline();
    return this.set.inFlightCount === 0 && (next === undefined || next > this.now() + 1000);
  }
}

function usersOfLine(dir: Directory, line: LineKey): Set<string> {
  const users = new Set<string>();
  for (const ref of dir.appearancesByLine.get(line) ?? []) {
    const app = dir.devices.get(ref.device)?.lines.find((l) => l.index === ref.index);
    for (const u of app?.users ?? []) users.add(u);
  }
  return users;
}

function stripVersion(text: string): string {
  return text.replace(/ version="\d+"/, '');
}

function cseqNumber(request: { headers: { get(name: string): string | undefined } }): number {
  return parseInt(request.headers.get('cseq') ?? '0', 10) || 0;
}

function answerOf(answer: TrunkAnswer, stats: PublishTrunkStats): PublishAnswer {
  if (answer.kind === 'timeout') {
    stats.timeouts++;
    return { status: 408 };
  }
  if (answer.kind === 'transport-error') {
    stats.transportErrors++;
    return { status: 503 };
  }
  const parsed = readPublishResponse(answer.response);
  stats.byStatus[parsed.status] = (stats.byStatus[parsed.status] ?? 0) + 1;
  return parsed;
}
