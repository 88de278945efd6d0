/**
 * Device checks: line appearances, BLF speed dials and the device's own references.
 * CUCM concepts: a line appearance is device × button index × line (DN in a partition) with at most
 * five associated users; a BLF speed dial targets a DN or a SIP URI; SCCP phones cannot hold a
 * SIP URI BLF speed dial (Skinny has no way to dial a URI); busy trigger ≤ max calls.
 *
 * Rule 1: button indexes are unique per kind on a device (lines among lines, BLF speed dials among
 *         BLF speed dials); AXL numbers the two lists separately.
 * Rule 2: a line appearance must name a line that is defined (DN + partition).
 */
import { lineKey, type BlfSpeedDial, type Device, type DirectoryParts, type LineAppearance } from '../model/index.js';
import type { ErrorSink } from './locate.js';
import type { NameIndex } from './name-index.js';
import { REF, type RefChecker } from './validate-references.js';

/** CUCM limit on users associated with one line appearance. */
export const MAX_USERS_PER_APPEARANCE = 5;

interface DeviceCheck {
  readonly index: NameIndex;
  readonly refs: RefChecker;
  readonly sink: ErrorSink;
}

function checkDeviceRefs(d: Device, c: DeviceCheck): void {
  const ctx = `device ${d.name}`;
  c.refs.check(d, d.origin, ['subscribeCss'], REF.css, d.subscribeCss, ctx);
  c.refs.check(d, d.origin, ['callingCss'], REF.css, d.callingCss, ctx);
  c.refs.check(d, d.origin, ['presenceGroup'], REF.group, d.presenceGroup, ctx);
  c.refs.check(d, d.origin, ['owner'], REF.user, d.ownerUser, ctx);
}

function checkAppearance(d: Device, app: LineAppearance, i: number, c: DeviceCheck): void {
  const ctx = `device ${d.name} line ${app.index}`;
  const at = ['lines', i];
  c.refs.check(d, d.origin, [...at, 'partition'], REF.partition, app.partition, ctx);
  const known = app.partition === null || c.index.partitions.has(app.partition);
  if (known && !c.index.lines.has(lineKey(app.dn, app.partition))) {
    const msg = `${ctx}: DN ${app.dn} is not defined in partition ${app.partition ?? '<None>'}`;
    c.sink.report(d, d.origin, [...at, 'dn'], 'unknown-line', msg);
  }
  app.users.forEach((u, k) => c.refs.check(d, d.origin, [...at, 'users', k], REF.user, u, ctx));
  if (app.users.length > MAX_USERS_PER_APPEARANCE) {
    const msg = `${ctx}: ${app.users.length} users associated, at most ${MAX_USERS_PER_APPEARANCE} allowed`;
    c.sink.report(d, d.origin, [...at, 'users'], 'too-many-users', msg);
  }
  if (app.busyTrigger > app.maxCalls) {
    const msg = `${ctx}: busyTrigger ${app.busyTrigger} exceeds maxCalls ${app.maxCalls}`;
    c.sink.report(d, d.origin, [...at, 'busyTrigger'], 'busy-trigger', msg);
  }
}

function checkSpeedDial(d: Device, sd: BlfSpeedDial, i: number, c: DeviceCheck): void {
  const ctx = `device ${d.name} BLF speed dial ${sd.index}`;
  const at = ['blfSpeedDials', i];
  if (sd.target.kind === 'dn') {
    c.refs.check(d, d.origin, [...at, 'partition'], REF.partition, sd.target.partition, ctx);
    return;
  }
  if (d.protocol === 'sccp') {
    const msg = `${ctx}: an SCCP device cannot have a BLF speed dial to a SIP URI (${sd.target.uri})`;
    c.sink.report(d, d.origin, [...at, 'uri'], 'sccp-blf-uri', msg);
  }
}

/** Reports every index used twice within `items` (at the later use). */
function checkIndexes(
  d: Device,
  items: readonly { readonly index: number }[],
  list: 'lines' | 'blfSpeedDials',
  c: DeviceCheck,
): void {
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (!seen.has(item.index)) {
      seen.add(item.index);
      return;
    }
    const what = list === 'lines' ? 'line' : 'BLF speed dial';
    const msg = `device ${d.name}: ${what} button index ${item.index} is used twice`;
    c.sink.report(d, d.origin, [list, i, 'index'], 'duplicate-index', msg);
  });
}

/** Checks every device of the parts. */
export function validateDevices(parts: DirectoryParts, c: DeviceCheck): void {
  for (const d of parts.devices ?? []) {
    checkDeviceRefs(d, c);
    d.lines.forEach((app, i) => checkAppearance(d, app, i, c));
    d.blfSpeedDials.forEach((sd, i) => checkSpeedDial(d, sd, i, c));
    checkIndexes(d, d.lines, 'lines', c);
    checkIndexes(d, d.blfSpeedDials, 'blfSpeedDials', c);
  }
}
