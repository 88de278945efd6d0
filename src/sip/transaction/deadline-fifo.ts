/**
 * A queue of deadlines that all share one delay: entries are due in the order they were pushed
 * (now + the same delay is never earlier than the entry before), so the head is always the next
 * one due and push/pop are O(1) — no heap, no host timer per entry.
 *
 * Entries carry a stamp so their owner can tell a stale one (re-armed or cancelled since) at pop.
 */
export class DeadlineFifo<T> {
  private items: Array<T | undefined> = [];
  private stamps: number[] = [];
  private dues: number[] = [];
  private head = 0;

  constructor(readonly delayMs: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Due time of the head entry, or undefined when empty. */
  get nextDue(): number | undefined {
    return this.head < this.items.length ? this.dues[this.head] : undefined;
  }

  push(item: T, stamp: number, now: number): void {
    this.items.push(item);
    this.stamps.push(stamp);
    this.dues.push(now + this.delayMs);
  }

  /** Pops every entry due at `now`, oldest first. */
  popDue(now: number, each: (item: T, stamp: number) => void): void {
    while (this.head < this.items.length && this.dues[this.head]! <= now) {
      const item = this.items[this.head]!;
      const stamp = this.stamps[this.head]!;
      this.items[this.head] = undefined; // the row may go before the arrays are compacted
      this.head++;
      each(item, stamp);
    }
    if (this.head === this.items.length) this.reset();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) this.compact();
  }

  /** Keeps only the entries `keep` accepts (owners drop entries of ended items in bulk). */
  retain(keep: (item: T, stamp: number) => boolean): void {
    const items: T[] = [];
    const stamps: number[] = [];
    const dues: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      if (!keep(this.items[i]!, this.stamps[i]!)) continue;
      items.push(this.items[i]!);
      stamps.push(this.stamps[i]!);
      dues.push(this.dues[i]!);
    }
    this.items = items;
    this.stamps = stamps;
    this.dues = dues;
    this.head = 0;
  }

  reset(): void {
    this.items = [];
    this.stamps = [];
    this.dues = [];
    this.head = 0;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.stamps = this.stamps.slice(this.head);
    this.dues = this.dues.slice(this.head);
    this.head = 0;
  }
}
