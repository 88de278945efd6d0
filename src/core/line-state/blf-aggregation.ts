/**
 * BLF aggregation: the line-level state of a DN+partition over all its appearances
 * (DESIGN.md "Presence semantics" → States; blf-facts §3).
 *
 * Rule 1: unknown when no device with an appearance of the line is registered.
 * Rule 2: ringing when any dialog is early with direction recipient (alerting).
 * Rule 3: busy when any dialog is trying, proceeding, early as initiator, or confirmed.
 * Rule 4: dnd when BLF Status Depicts DND is on, every device of the line is DND and nothing above
 *         applies; the `dnd` flag is reported separately so PIDF can combine it with busy/ringing.
 * Rule 5: otherwise idle. Ringing outranks busy (a second call alerting on a busy line).
 */
import type { BlfState, LineDialog } from '../engine/engine-io.js';

export interface AggregationInput {
  /** active (non-terminated) dialogs over all appearances of the line */
  readonly dialogs: readonly LineDialog[];
  /** how many distinct devices carry the line, and how many of them are registered / DND */
  readonly devices: number;
  readonly registeredDevices: number;
  readonly dndDevices: number;
  readonly blfStatusDepictsDnd: boolean;
}

export interface AggregatedState {
  readonly state: BlfState;
  /** every device of the line is DND and the parameter is on */
  readonly dnd: boolean;
}

/** Rules 2-3 for one dialog: is it alerting, off-hook/up, or neither? */
export function classifyDialog(d: LineDialog): 'ringing' | 'busy' | 'none' {
  if (d.state === 'terminated') return 'none';
  if (d.state === 'early' && d.direction === 'recipient') return 'ringing';
  return 'busy';
}

/** Aggregates one line (Rules 1-5). */
export function aggregateBlfState(input: AggregationInput): AggregatedState {
  const dnd = input.blfStatusDepictsDnd && input.devices > 0 && input.dndDevices === input.devices;
  if (input.registeredDevices === 0) return { state: 'unknown', dnd };
  let busy = false;
  for (const d of input.dialogs) {
    const c = classifyDialog(d);
    if (c === 'ringing') return { state: 'ringing', dnd };
    if (c === 'busy') busy = true;
  }
  if (busy) return { state: 'busy', dnd };
  return { state: dnd ? 'dnd' : 'idle', dnd };
}

const USER_RANK: Record<BlfState, number> = { ringing: 4, busy: 3, dnd: 2, idle: 1, unknown: 0 };

/** Aggregates a user's lines (PUBLISH trunk): the most telling state wins; unknown only if all are. */
export function aggregateUserState(states: readonly BlfState[]): BlfState {
  let best: BlfState = 'unknown';
  for (const s of states) if (USER_RANK[s] > USER_RANK[best]) best = s;
  return best;
}
