/**
 * Indexed binary min-heap of timer slots (style guide §6: one timer slot per subscription; no
 * global timers). Items carry their own `timerAt` and `heapIndex`, so re-arming is O(log n) and no
 * per-item closure or side Map is needed.
 *
 * Rule 1: an item is in the heap iff its heapIndex >= 0.
 * Rule 2: `peek()` is the earliest deadline; ties leave insertion order unspecified.
 */

export interface TimerSlot {
  timerAt: number;
  heapIndex: number;
}

export class TimerHeap<T extends TimerSlot> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Arms or re-arms `item` at `at`. */
  schedule(item: T, at: number): void {
    item.timerAt = at;
    if (item.heapIndex < 0) {
      item.heapIndex = this.items.length;
      this.items.push(item);
    }
    this.siftUp(item.heapIndex);
    this.siftDown(item.heapIndex);
  }

  cancel(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.siftUp(i);
    this.siftDown(last.heapIndex);
  }

  /** Removes and returns the earliest item due at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.items[0];
    if (!top || top.timerAt > now) return undefined;
    this.cancel(top);
    return top;
  }

  private swap(a: number, b: number): void {
    const x = this.items[a]!;
    const y = this.items[b]!;
    this.items[a] = y;
    this.items[b] = x;
    x.heapIndex = b;
    y.heapIndex = a;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.items[parent]!.timerAt <= this.items[i]!.timerAt) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.items[l]!.timerAt < this.items[m]!.timerAt) m = l;
      if (r < n && this.items[r]!.timerAt < this.items[m]!.timerAt) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
