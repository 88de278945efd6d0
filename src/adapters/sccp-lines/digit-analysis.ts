/**
 * Digit collection on an off-hook Skinny phone (CUCM digit analysis, reduced to DNs and route
 * patterns): after each digit, is the dialled string complete, worth waiting for, or hopeless?
 *
 * Rule 1: the device's *calling* CSS is searched (css-search.ts), partitions in order, then <None>.
 * Rule 2: `complete` = a DN or route pattern matches and no longer DN or pattern could: dial now.
 *         `ambiguous` = it matches, but more digits could match something else: dial after the
 *         inter-digit timeout (T302). `partial` = nothing matches yet but could: wait (T302 too).
 *         `invalid` = nothing can ever match: dial now (the call fails with 404 → reorder tone).
 */
import {
  parseRoutePattern, searchCssForDn, type Device, type Directory, type PatternSlot,
} from '../../core/index.js';

export type DigitVerdict = 'complete' | 'ambiguous' | 'partial' | 'invalid';

function partitionsOf(dir: Directory, device: Device): ReadonlySet<string | null> {
  const css = device.callingCss === null ? undefined : dir.callingSearchSpaces.get(device.callingCss);
  return new Set<string | null>([...(css?.partitions ?? []), null]);
}

/** Can `digits` be followed by at least one more character and still be on a path of the slots? */
function slotsAcceptLonger(slots: readonly PatternSlot[], digits: string): boolean {
  // NFA states: `${i}` = before slot i; `${i}+` = inside a repeating slot i with its minimum met
  const close = (states: Set<string>) => {
    const todo = [...states];
    for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
      const i = Number.parseInt(s, 10);
      if (i >= slots.length || !(s.endsWith('+') || slots[i]!.min === 0)) continue;
      const n = String(i + 1);
      if (!states.has(n)) todo.push(n);
      states.add(n);
    }
    return states;
  };
  let states = close(new Set(['0']));
  for (const ch of digits) {
    const next = new Set<string>();
    for (const s of states) {
      const i = Number.parseInt(s, 10);
      const slot = slots[i];
      if (!slot || !slot.chars.includes(ch)) continue;
      next.add(slot.max > 1 ? `${i}+` : String(i + 1));
    }
    states = close(next);
    if (states.size === 0) return false;
  }
  return [...states].some((s) => {
    const i = Number.parseInt(s, 10);
    return i < slots.length;
  });
}

/** Rule 2 for `digits` dialled on `device`. */
export function analyseDigits(dir: Directory, device: Device, digits: string): DigitVerdict {
  const partitions = partitionsOf(dir, device);
  const matched = searchCssForDn(dir, device.callingCss ?? '', digits, []).kind !== 'none';
  let longer = false;
  for (const key of dir.lines.keys()) {
    const line = dir.lines.get(key)!;
    if (partitions.has(line.partition) && line.dn.length > digits.length && line.dn.startsWith(digits)) longer = true;
  }
  for (const rp of dir.routePatterns) {
    if (longer || !partitions.has(rp.partition)) continue;
    const parsed = parseRoutePattern(rp.pattern);
    if (parsed.ok && slotsAcceptLonger(parsed.slots, digits)) longer = true;
  }
  if (matched) return longer ? 'ambiguous' : 'complete';
  return longer ? 'partial' : 'invalid';
}
