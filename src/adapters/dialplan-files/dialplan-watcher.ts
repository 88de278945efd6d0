/**
 * Hot reload of a dialplan directory: `fs.watch` on the directory, debounced, re-runs
 * `loadDialplan` and reports the outcome to the delegate.
 *
 * Rule 1: a broken edit is reported (`ok: false` with the errors) and the last good dialplan stays
 *         live: `current` only ever changes to a fully validated result (atomic swap).
 * Rule 2: at most one load runs at a time; changes during a load trigger exactly one more load.
 * Rule 3: only *.yaml / *.yml names trigger a reload (editor swap files are ignored).
 */
import { watch, type FSWatcher } from 'node:fs';
import type { DialplanError } from '../../core/index.js';
import { loadDialplan, type LoadDialplanResult } from './load-dialplan.js';
import { isDialplanFileName } from './yaml-source.js';

export type LoadedDialplan = Extract<LoadDialplanResult, { ok: true }>;

/** What a reload produced: the new dialplan, or the errors and the dialplan that stays live. */
export type DialplanReload =
  | LoadedDialplan
  | { readonly ok: false; readonly errors: readonly DialplanError[]; readonly lastGood: LoadedDialplan | undefined };

export interface DialplanWatcherDelegate {
  /** every reload after `start`, good or broken */
  onReload?(result: DialplanReload): void;
  /** the watcher itself failed (directory removed, fs.watch error) */
  onWatchError?(error: Error): void;
}

export interface DialplanWatcherOptions {
  /** quiet time after the last change before reloading, milliseconds (default 150) */
  readonly debounceMs?: number;
}

export class DialplanWatcher {
  private lastGood: LoadedDialplan | undefined;
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<DialplanReload> | undefined;
  private again = false;
  private readonly debounceMs: number;
  private readonly delegate: DialplanWatcherDelegate;

  /** `delegate` may be a plain `onReload` function. */
  constructor(
    private readonly dir: string,
    delegate: DialplanWatcherDelegate | ((result: DialplanReload) => void),
    options: DialplanWatcherOptions = {},
  ) {
    this.delegate = typeof delegate === 'function' ? { onReload: delegate } : delegate;
    this.debounceMs = options.debounceMs ?? 150;
  }

  /** The dialplan in force (last good load), if any. */
  get current(): LoadedDialplan | undefined {
    return this.lastGood;
  }

  /** Loads once and starts watching; returns the initial result (not sent to `onReload`). */
  async start(): Promise<LoadDialplanResult> {
    const first = await loadDialplan(this.dir);
    if (first.ok) this.lastGood = first;
    this.watcher = watch(this.dir, (_event, name) => this.onChange(name));
    this.watcher.on('error', (err) => this.delegate.onWatchError?.(err));
    return first;
  }

  /** Stops watching; a load in progress still completes but is not followed by another. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.again = false;
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Same as `close()`. */
  stop(): void {
    this.close();
  }

  /** Reloads now (also what a change triggers after the debounce). */
  reload(): Promise<DialplanReload> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.loadOnce().finally(() => {
      this.loading = undefined;
      if (this.again && this.watcher) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private onChange(name: string | Buffer | null): void {
    if (name !== null && !isDialplanFileName(String(name))) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, this.debounceMs);
  }

  private async loadOnce(): Promise<DialplanReload> {
    const result = await loadDialplan(this.dir);
    const reload: DialplanReload = result.ok
      ? result
      : { ok: false, errors: result.errors, lastGood: this.lastGood };
    if (result.ok) this.lastGood = result;
    this.delegate.onReload?.(reload);
    return reload;
  }
}
