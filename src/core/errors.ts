/**
 * Named errors of the core (style guide §7). Expected domain outcomes (user unknown, presence group
 * disallowed, 423/489 for a SUBSCRIBE) are return values, never exceptions; these are OUR bugs and
 * must fail loudly.
 */

/** An internal invariant was broken (an illegal FSM move, a corrupt index). */
export class CoreInvariantError extends Error {
  override readonly name = 'CoreInvariantError';
}

/** An FSM was asked to make a move its transition table does not have. */
export class IllegalTransitionError extends CoreInvariantError {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly input: string,
  ) {
    super(`${machine}: no transition from '${from}' on '${input}'`);
  }
}
