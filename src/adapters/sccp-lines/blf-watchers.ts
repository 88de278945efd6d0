/**
 * BLF speed dials on SCCP devices as watchers (DESIGN.md "Presence semantics"; sccp-facts.md §6).
 *
 * Rule 1: the same policy as SIP watchers: `decide()` for the watcher device and the speed dial's
 *         target as `blf-speed-dial` (exempt from presence groups, subject to the SUBSCRIBE CSS).
 *         Allowed → the button follows that line; rejected or routed out a trunk → unknown.
 * Rule 2: the line's aggregated BLF state maps onto the Skinny BLF status values: idle → idle,
 *         ringing → alerting, busy → in use, dnd → DND, unknown → unknown.
 */
import { decide, type BlfState, type Directory, type LineKey } from '../../core/index.js';
import type { BlfStatus } from '../../sccp/index.js';

/** One BLF speed dial of a device and the line it follows (null = none: shows unknown). */
export interface BlfWatch {
  readonly index: number;
  readonly line: LineKey | null;
}

/** Rule 2. */
export const BLF_STATUS_OF: Readonly<Record<BlfState, BlfStatus>> = {
  idle: 'idle', ringing: 'alerting', busy: 'inUse', dnd: 'dnd', unknown: 'unknown',
};

/** Rule 1 for every BLF speed dial of a device. */
export function blfWatchesOf(dir: Directory, device: string): BlfWatch[] {
  const d = dir.devices.get(device);
  if (!d) return [];
  return d.blfSpeedDials.map((sd) => {
    const target = sd.target.kind === 'dn' ? { kind: 'dn' as const, dn: sd.target.dn } : { kind: 'uri' as const, uri: sd.target.uri };
    const decision = decide(dir, { kind: 'device', name: device }, target, 'blf-speed-dial');
    return { index: sd.index, line: decision.outcome === 'allow' ? decision.line : null };
  });
}
