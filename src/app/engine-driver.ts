/**
 * Runs the pure engine on the real clock: feeds inputs in with `now`, hands each effect to the adapter
 * that registered for its type, and keeps one timer armed at `engine.nextDeadline()` (the core never
 * sleeps). Effects are dispatched in order; a handler that throws is logged, the rest still run.
 *
 * Rule 1: each effect is dispatched as the engine decides it, not when the input is done: a state
 *         change seen by 5,000 watchers puts its first NOTIFY on the wire before the last is built,
 *         and no list of 5,000 effects outlives the fan-out.
 * Rule 2: run to completion: an input submitted by a handler while the engine is still handling one
 *         (e.g. a NOTIFY outcome reported at once) waits until that input is done, then runs.
 */
import type { EngineInput } from '../core/index.js';
import type { Logger } from './logger.js';

/** The slice of the core engine the driver needs. */
export interface DrivableEngine<E extends { readonly type: string }> {
  handleInto(input: EngineInput, now: number, out: { push(effect: E): unknown }): void;
  nextDeadline(): number | undefined;
}

export type EffectHandler<E> = (effect: E) => void;

export class EngineDriver<E extends { readonly type: string }> {
  private readonly handlers = new Map<string, EffectHandler<E>[]>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;
  private closed = false;
  /** Rule 2 */
  private handling = false;
  private readonly waiting: EngineInput[] = [];
  /** Rule 1: the engine's sink */
  private readonly sink = { push: (effect: E): void => this.dispatch(effect) };

  constructor(
    readonly engine: DrivableEngine<E>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a handler for one effect type (several handlers per type run in registration order). */
  on<T extends E['type']>(type: T, handler: EffectHandler<Extract<E, { type: T }>>): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as EffectHandler<E>);
    this.handlers.set(type, list);
  }

  /** Feeds one input; its effects are dispatched before this returns (Rule 2: unless nested). */
  submit(input: EngineInput): void {
    if (this.closed) return;
    if (this.handling) {
      this.waiting.push(input);
      return;
    }
    this.handling = true;
    try {
      for (let next: EngineInput | undefined = input; next !== undefined && !this.closed; next = this.waiting.shift()) {
        this.handleSafely(next);
      }
    } finally {
      this.handling = false;
      this.waiting.length = 0;
    }
    this.arm();
  }

  /**
   * Dispatches effects the engine returned outside `handle` (e.g. `restoreSubscriptions`: the
   * trunk relay must see restored `route-subscribe`s) and re-arms the timer.
   */
  deliver(effects: readonly E[]): void {
    if (this.closed) return;
    for (const effect of effects) this.dispatch(effect);
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An engine that throws must not leave the driver stuck in `handling`, nor drop the next input. */
  private handleSafely(input: EngineInput): void {
    try {
      this.engine.handleInto(input, this.now(), this.sink);
    } catch (err) {
      this.logger.error('engine failed on an input', { input: input.type, error: String((err as Error)?.stack ?? err) });
    }
  }

  private dispatch(effect: E): void {
    if (effect.type === 'log') return this.log(effect as unknown as LogEffect);
    for (const handler of this.handlers.get(effect.type) ?? []) {
      try {
        handler(effect);
      } catch (err) {
        this.logger.error('effect handler failed', { effect: effect.type, error: String((err as Error)?.stack ?? err) });
      }
    }
  }

  private log(effect: LogEffect): void {
    const level = effect.level in this.logger ? effect.level : 'info';
    this.logger[level as 'info'](effect.message, effect.fields);
  }

  private arm(): void {
    const deadline = this.engine.nextDeadline();
    if (deadline === undefined || this.closed) return;
    if (this.armedAt !== undefined && this.armedAt <= deadline && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = deadline;
    // setTimeout's ceiling is 2^31-1 ms; re-arming on wake covers longer waits.
    const delay = Math.min(Math.max(0, deadline - this.now()), 0x7fffffff);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedAt = undefined;
      this.submit({ type: 'tick' });
    }, delay);
    this.timer.unref?.();
  }
}

interface LogEffect {
  readonly type: 'log';
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}
