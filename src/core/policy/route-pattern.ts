/**
 * Unified CM route pattern syntax (digit patterns) and SIP route patterns (domains).
 *
 * Digit patterns, as the CUCM System Guide "Wildcards and special characters in route patterns":
 *   X        any single digit 0-9
 *   [1-5]    one digit from a set or range; [^0-3] one digit NOT in the set (complement over 0-9)
 *   !        one or more digits 0-9
 *   ?        zero or more occurrences of the preceding element
 *   +        one or more occurrences of the preceding element (a leading `+` is a literal plus)
 *   \+       a literal plus (E.164 prefix)
 *   .        PreDot separator: ignored for matching, remembered for digit discard
 *   # *      literal characters
 *   @        North American Numbering Plan macro: NOT supported (parse error)
 *
 * Rule 1: a pattern matches the whole dialed string, never a prefix.
 * Rule 2: among matching patterns the most specific wins: the one matching the fewest strings of the
 *         dialed length (CUCM "closest match"). Ties keep the earlier candidate (stable).
 * Rule 3: parsing never throws; a bad pattern is an `{ok:false, error, position}` value.
 */

const DIGITS = '0123456789';

/** One position of a pattern: a character set repeated between min and max times. */
export interface PatternSlot {
  /** allowed characters, e.g. "0123456789" for X, "#" for a literal */
  readonly chars: string;
  readonly min: 0 | 1;
  /** 1 = exactly one; Infinity = unbounded (`!`, `+`, `?`) */
  readonly max: number;
}

export interface ParsedRoutePattern {
  /** the pattern as written */
  readonly pattern: string;
  readonly slots: readonly PatternSlot[];
  /** index into `slots` where the first `.` stood (digits before it are PreDot), if any */
  readonly preDot?: number;
  readonly regex: RegExp;
}

export type ParseRoutePatternResult =
  | ({ readonly ok: true } & ParsedRoutePattern)
  | { readonly ok: false; readonly error: string; readonly position: number };

type Fail = { readonly ok: false; readonly error: string; readonly position: number };

function fail(error: string, position: number): Fail {
  return { ok: false, error, position };
}

/** Parses `[...]` starting at `start` (the `[`); returns the char set and the index after `]`. */
function parseBracket(p: string, start: number): { chars: string; next: number } | Fail {
  const close = p.indexOf(']', start);
  if (close < 0) return fail(`unclosed '[' at column ${start + 1}`, start);
  let body = p.slice(start + 1, close);
  const negate = body.startsWith('^');
  if (negate) body = body.slice(1);
  if (body.length === 0) return fail(`empty set '[]' at column ${start + 1}`, start);
  const set = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (!DIGITS.includes(c)) return fail(`'${c}' is not a digit inside [ ] at column ${start + 2 + i}`, start);
    if (body[i + 1] === '-') {
      const hi = body[i + 2];
      if (hi === undefined || !DIGITS.includes(hi) || hi < c) {
        return fail(`bad range '${body.slice(i, i + 3)}' at column ${start + 2 + i}`, start);
      }
      for (let d = Number(c); d <= Number(hi); d++) set.add(String(d));
      i += 2;
    } else set.add(c);
  }
  const chars = [...DIGITS].filter((d) => set.has(d) !== negate).join('');
  if (chars.length === 0) return fail(`set at column ${start + 1} excludes every digit`, start);
  return { chars, next: close + 1 };
}

/** Applies a `?` or `+` quantifier to the last slot. */
function quantify(slots: PatternSlot[], q: '?' | '+', i: number): Fail | undefined {
  const last = slots.pop();
  if (!last) return fail(`'${q}' at column ${i + 1} has no preceding element`, i);
  if (last.max !== 1) return fail(`'${q}' at column ${i + 1} follows a repeated element`, i);
  slots.push({ chars: last.chars, min: q === '?' ? 0 : 1, max: Infinity });
  return undefined;
}

/** Parses a Unified CM digit pattern. */
export function parseRoutePattern(pattern: string): ParseRoutePatternResult {
  if (pattern.length === 0) return fail('empty route pattern', 0);
  const slots: PatternSlot[] = [];
  let preDot: number | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (DIGITS.includes(c) || c === '#' || c === '*') slots.push({ chars: c, min: 1, max: 1 });
    else if (c === 'X' || c === 'x') slots.push({ chars: DIGITS, min: 1, max: 1 });
    else if (c === '!') slots.push({ chars: DIGITS, min: 1, max: Infinity });
    else if (c === '.') preDot ??= slots.length;
    else if (c === '\\') {
      if (pattern[i + 1] !== '+') return fail(`'\\' at column ${i + 1} must be followed by '+'`, i);
      slots.push({ chars: '+', min: 1, max: 1 });
      i++;
    } else if (c === '+' && slots.length === 0) slots.push({ chars: '+', min: 1, max: 1 });
    else if (c === '+' || c === '?') {
      const err = quantify(slots, c, i);
      if (err) return err;
    } else if (c === '[') {
      const r = parseBracket(pattern, i);
      if ('ok' in r) return r;
      slots.push({ chars: r.chars, min: 1, max: 1 });
      i = r.next - 1;
    } else if (c === '@') return fail(`'@' (North American Numbering Plan) at column ${i + 1} is not supported`, i);
    else return fail(`unexpected '${c}' at column ${i + 1}`, i);
  }
  if (slots.length === 0) return fail('route pattern has no digits', 0);
  const parsed: ParsedRoutePattern = { pattern, slots, regex: compileRegex(slots), ...(preDot === undefined ? {} : { preDot }) };
  return { ok: true, ...parsed };
}

function compileRegex(slots: readonly PatternSlot[]): RegExp {
  const body = slots
    .map((s) => {
      const cls = s.chars.length === 1 ? s.chars.replace(/[*+#]/, (m) => `\\${m}`) : `[${s.chars}]`;
      if (s.max === 1) return cls;
      return s.min === 0 ? `${cls}*` : `${cls}+`;
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/** True when the whole dialed string matches (Rule 1). The PreDot `.` is ignored. */
export function matchRoutePattern(parsed: ParsedRoutePattern, digits: string): boolean {
  return parsed.regex.test(digits);
}

/**
 * How many distinct strings of `length` characters the pattern can match (an upper bound for
 * patterns with several repeated elements). Fewer = more specific (Rule 2).
 */
export function countPatternMatches(parsed: ParsedRoutePattern, length: number): number {
  // ways[n] = number of (slot-path) ways the slots so far produce n characters
  let ways: number[] = new Array<number>(length + 1).fill(0);
  ways[0] = 1;
  for (const slot of parsed.slots) {
    const next = new Array<number>(length + 1).fill(0);
    for (let n = 0; n <= length; n++) {
      if (ways[n] === 0) continue;
      let factor = 1;
      for (let k = 0; n + k <= length && k <= slot.max; k++) {
        if (k >= slot.min) next[n + k]! += ways[n]! * factor;
        factor *= slot.chars.length;
      }
    }
    ways = next;
  }
  return ways[length]!;
}

/**
 * Picks the most specific candidate whose pattern matches `digits` (Rule 2), or undefined.
 * `parsedOf` returns undefined for candidates whose pattern did not parse (they never match).
 */
export function pickMostSpecific<T>(
  candidates: readonly T[],
  parsedOf: (candidate: T) => ParsedRoutePattern | undefined,
  digits: string,
): T | undefined {
  let best: T | undefined;
  let bestCount = Infinity;
  for (const candidate of candidates) {
    const parsed = parsedOf(candidate);
    if (!parsed || !matchRoutePattern(parsed, digits)) continue;
    const count = countPatternMatches(parsed, digits.length);
    if (best === undefined || count < bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * SIP route pattern (domain routing): case-insensitive whole-host match; `*` stands for one or more
 * characters (`*.partner.test` matches `a.partner.test`, not `partner.test`). A trailing dot and a
 * `:port` on the host are ignored.
 */
export function matchSipRoutePattern(domainPattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const p = domainPattern.toLowerCase().replace(/\.$/, '');
  if (p.length === 0) return false;
  const body = p
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`).test(h);
}

/** Specificity of a SIP route pattern: more literal characters = more specific. */
export function sipRoutePatternSpecificity(domainPattern: string): number {
  return domainPattern.replace(/\*/g, '').length;
}
