/**
 * Dialplan validation: the cross-reference rules of issue 2 over any `DirectoryParts` (files alone,
 * or files merged with the store). Pure: positions come from the caller's `LocateFn`.
 *
 * Rules checked (CUCM refuses each of these at save time):
 *  - a name defined twice (partition, CSS, presence group, user, device, trunk, route pattern);
 *    a DN defined twice in one partition;
 *  - unknown partition / CSS / presence group / trunk / user / device / line references;
 *  - route pattern syntax (`parseRoutePattern`);
 *  - SCCP BLF speed dial to a SIP URI; more than 5 users on a line appearance; duplicate button
 *    indexes; busy trigger above max calls;
 *  - IMP PUBLISH Trunk on while a user is not associated with any line appearance.
 */
import type { DirectoryParts } from '../model/index.js';
import { parseRoutePattern } from '../policy/index.js';
import { sortDialplanErrors, type DialplanError } from './errors.js';
import { ErrorSink, type LocateFn } from './locate.js';
import { indexNames } from './name-index.js';
import { validateDevices } from './validate-devices.js';
import { RefChecker, validateReferences } from './validate-references.js';

function checkRoutePatternSyntax(parts: DirectoryParts, sink: ErrorSink): void {
  for (const rp of parts.routePatterns ?? []) {
    const parsed = parseRoutePattern(rp.pattern);
    if (parsed.ok) continue;
    const msg = `route pattern '${rp.pattern}': ${parsed.error}`;
    sink.report(rp, rp.origin, ['pattern'], 'route-pattern-syntax', msg);
  }
}

/** IMP PUBLISH Trunk: "users must be associated with a line appearance" (DESIGN.md). */
function checkPublishTrunkUsers(parts: DirectoryParts, sink: ErrorSink): void {
  const trunk = parts.params?.impPublishTrunk;
  if (trunk === null || trunk === undefined) return;
  const associated = new Set<string>();
  for (const d of parts.devices ?? []) {
    for (const app of d.lines) for (const u of app.users) associated.add(u);
  }
  for (const u of parts.users ?? []) {
    if (associated.has(u.id)) continue;
    const msg =
      `user '${u.id}' is not associated with any line appearance, ` +
      `but IMP PUBLISH Trunk is on (trunk '${trunk}')`;
    sink.report(u, u.origin, ['id'], 'publish-user-without-line', msg);
  }
}

/** Validates parts; returns every error, sorted by file and line (empty = valid). */
export function validateDirectoryParts(parts: DirectoryParts, locate?: LocateFn): DialplanError[] {
  const sink = new ErrorSink(locate);
  const index = indexNames(parts, sink);
  const refs = new RefChecker(index, sink);
  validateReferences(parts, refs);
  validateDevices(parts, { index, refs, sink });
  checkRoutePatternSyntax(parts, sink);
  checkPublishTrunkUsers(parts, sink);
  return sortDialplanErrors(sink.errors);
}
