/**
 * Cross-reference checks for the non-device objects: every partition, calling search space,
 * presence group and trunk a name points at must exist (CUCM refuses to save such a record).
 *
 * Rule 1: a null reference is the CUCM "<None>" and is always valid.
 * Rule 2: each check reports at the field that holds the bad name, never at the whole object.
 */
import type { DirectoryParts, Origin } from '../model/index.js';
import type { DialplanErrorCode } from './errors.js';
import type { ErrorSink, FieldPath } from './locate.js';
import type { NameIndex } from './name-index.js';

/** What a reference points at: the set to look in, the code and the wording. */
interface RefKind {
  readonly code: DialplanErrorCode;
  readonly noun: string;
  readonly names: (index: NameIndex) => ReadonlySet<string>;
}

export const REF = {
  partition: { code: 'unknown-partition', noun: 'partition', names: (i) => i.partitions },
  css: { code: 'unknown-css', noun: 'calling search space', names: (i) => i.callingSearchSpaces },
  group: { code: 'unknown-presence-group', noun: 'presence group', names: (i) => i.presenceGroups },
  trunk: { code: 'unknown-trunk', noun: 'trunk', names: (i) => i.trunks },
  user: { code: 'unknown-user', noun: 'user', names: (i) => i.users },
  device: { code: 'unknown-device', noun: 'device', names: (i) => i.devices },
} as const satisfies Record<string, RefKind>;

/** Checks reference fields against the name index and reports unknown names. */
export class RefChecker {
  constructor(
    private readonly index: NameIndex,
    private readonly sink: ErrorSink,
  ) {}

  /** Reports when `name` (non-null) is not a known object of `kind`. */
  check(
    owner: object,
    origin: Origin | undefined,
    path: FieldPath,
    kind: RefKind,
    name: string | null | undefined,
    context: string,
  ): void {
    if (name === null || name === undefined) return;
    if (kind.names(this.index).has(name)) return;
    this.sink.report(owner, origin, path, kind.code, `${context}: unknown ${kind.noun} '${name}'`);
  }
}

function checkCssAndPatterns(parts: DirectoryParts, refs: RefChecker): void {
  for (const css of parts.callingSearchSpaces ?? []) {
    css.partitions.forEach((pt, i) =>
      refs.check(css, css.origin, ['partitions', i], REF.partition, pt, `calling search space '${css.name}'`),
    );
  }
  for (const rp of parts.routePatterns ?? []) {
    const ctx = `route pattern ${rp.pattern}`;
    refs.check(rp, rp.origin, ['partition'], REF.partition, rp.partition, ctx);
    refs.check(rp, rp.origin, ['trunk'], REF.trunk, rp.trunk, ctx);
  }
  for (const sp of parts.sipRoutePatterns ?? []) {
    const ctx = `SIP route pattern ${sp.domain}`;
    refs.check(sp, sp.origin, ['partition'], REF.partition, sp.partition, ctx);
    refs.check(sp, sp.origin, ['trunk'], REF.trunk, sp.trunk, ctx);
  }
}

function checkGroupsAndLines(parts: DirectoryParts, refs: RefChecker): void {
  for (const g of parts.presenceGroups ?? []) {
    for (const target of g.permissions.keys()) {
      refs.check(g, g.origin, ['permissions', target], REF.group, target, `presence group '${g.name}'`);
    }
  }
  for (const line of parts.lines ?? []) {
    const ctx = `line ${line.dn}`;
    refs.check(line, line.origin, ['partition'], REF.partition, line.partition, ctx);
    refs.check(line, line.origin, ['presenceGroup'], REF.group, line.presenceGroup, ctx);
  }
}

function checkTrunksAndUsers(parts: DirectoryParts, refs: RefChecker): void {
  for (const t of parts.trunks ?? []) {
    const ctx = `trunk '${t.name}'`;
    refs.check(t, t.origin, ['subscribeCss'], REF.css, t.subscribeCss, ctx);
    refs.check(t, t.origin, ['callingCss'], REF.css, t.callingCss, ctx);
    refs.check(t, t.origin, ['presenceGroup'], REF.group, t.presenceGroup, ctx);
  }
  for (const u of parts.users ?? []) {
    const ctx = `user '${u.id}'`;
    refs.check(u, u.origin, ['subscribeCss'], REF.css, u.subscribeCss, ctx);
    refs.check(u, u.origin, ['presenceGroup'], REF.group, u.presenceGroup, ctx);
    u.devices.forEach((d, i) => refs.check(u, u.origin, ['devices', i], REF.device, d, ctx));
  }
  const params = parts.params;
  if (params) {
    refs.check(params, undefined, ['impPublishTrunk'], REF.trunk, params.impPublishTrunk, 'service parameter impPublishTrunk');
  }
}

/** Checks every reference outside devices (devices are checked by `validateDevices`). */
export function validateReferences(parts: DirectoryParts, refs: RefChecker): void {
  checkCssAndPatterns(parts, refs);
  checkGroupsAndLines(parts, refs);
  checkTrunksAndUsers(parts, refs);
}
