/**
 * Many publications towards one ESC with a shared send budget: the "never a storm" half of the
 * PUBLISH trunk (when 1,000 users change at once, at most `maxInFlight` PUBLISHes are outstanding;
 * the rest wait their turn, earliest deadline first).
 *
 * Rule 1: pure: `due(now)` hands out operations, `settle()` feeds answers back; the caller sends,
 *         and sleeps until `nextDeadline()`.
 * Rule 2: a publication that reaches `terminated` leaves the set and is reported once in `ended`.
 */
import type { Publication, PublishAnswer, PublishOperation } from './publication.js';

export interface DueOperation {
  readonly key: string;
  readonly op: PublishOperation;
}

export interface DueResult {
  readonly send: DueOperation[];
  /** keys whose publication ended (removed or nothing left to remove) */
  readonly ended: string[];
}

export class PublicationSet {
  private readonly pubs = new Map<string, Publication>();
  private readonly inFlight = new Set<string>();

  constructor(readonly maxInFlight = 64) {
    if (maxInFlight < 1) throw new Error('PublicationSet: maxInFlight must be ≥ 1');
  }

  get size(): number {
    return this.pubs.size;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get(key: string): Publication | undefined {
    return this.pubs.get(key);
  }

  keys(): IterableIterator<string> {
    return this.pubs.keys();
  }

  /** Adds (or replaces) a publication. */
  add(key: string, pub: Publication): void {
    this.pubs.set(key, pub);
    this.inFlight.delete(key);
  }

  /** Drops a publication without withdrawing it (shutdown after removal, tests). */
  delete(key: string): void {
    this.pubs.delete(key);
    this.inFlight.delete(key);
  }

  /** Operations due at `now`, earliest deadline first, within the in-flight budget (Rule 1). */
  due(now: number): DueResult {
    const ready: [string, Publication][] = [];
    for (const entry of this.pubs) {
      const d = entry[1].deadline;
      if (d !== undefined && d <= now && !this.inFlight.has(entry[0])) ready.push(entry);
    }
    ready.sort((a, b) => a[1].deadline! - b[1].deadline!);
    const send: DueOperation[] = [];
    const ended: string[] = [];
    for (const [key, pub] of ready) {
      if (this.inFlight.size >= this.maxInFlight) break;
      const op = pub.poll(now);
      if (op !== undefined) {
        this.inFlight.add(key);
        send.push({ key, op });
      } else if (pub.isTerminated) {
        this.pubs.delete(key);
        ended.push(key);
      }
    }
    return { send, ended };
  }

  /** Feeds an answer; returns true when the publication ended with it (Rule 2). */
  settle(key: string, seq: number, answer: PublishAnswer, now: number): boolean {
    const pub = this.pubs.get(key);
    if (pub === undefined) return false;
    if (!pub.receive(seq, answer, now)) return false;
    if (pub.pendingOperation === undefined) this.inFlight.delete(key);
    if (!pub.isTerminated) return false;
    this.pubs.delete(key);
    return true;
  }

  /** When `due()` should run next; undefined when nothing waits (or the budget is full). */
  nextDeadline(): number | undefined {
    if (this.inFlight.size >= this.maxInFlight) return undefined;
    let min: number | undefined;
    for (const [key, pub] of this.pubs) {
      const d = pub.deadline;
      if (d !== undefined && !this.inFlight.has(key) && (min === undefined || d < min)) min = d;
    }
    return min;
  }
}
