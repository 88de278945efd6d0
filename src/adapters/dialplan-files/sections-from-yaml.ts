/**
 * Converts the list sections of every dialplan file (partitions … trunks) into core objects, in
 * file order then list order, each with its Origin and registered with the locator.
 */
import {
  STANDARD_PRESENCE_GROUP,
  type CallingSearchSpace,
  type Device,
  type DirectoryParts,
  type Line,
  type Origin,
  type Partition,
  type PresenceGroup,
  type PresencePermission,
  type RoutePattern,
  type SipRoutePattern,
  type Trunk,
  type User,
} from '../../core/index.js';
import type * as Y from './dialplan-file-types.js';
import type { SourceLocator } from './source-locator.js';
import type { DialplanSource } from './yaml-source.js';
import { deviceOf, dnOf, PERMISSION, ref, trunkOf, userOf } from './yaml-mappers.js';

type Section = Exclude<keyof Y.YamlDialplanFile, 'service'>;
type ItemOf<S extends Section> = NonNullable<Y.YamlDialplanFile[S]>[number];

/** Calls `build` for every item of `section` in every source, registering each result. */
function collect<S extends Section, T extends object>(
  sources: readonly DialplanSource[],
  loc: SourceLocator,
  section: S,
  build: (item: ItemOf<S>, origin: Origin) => T,
): T[] {
  const out: T[] = [];
  for (const src of sources) {
    const items = ((src.data as Y.YamlDialplanFile)[section] ?? []) as readonly ItemOf<S>[];
    items.forEach((item, i) => {
      const path = [section, i];
      out.push(loc.register(build(item, loc.origin(src, path)), src, path));
    });
  }
  return out;
}

function partitionOf(p: Y.YamlNamed, origin: Origin): Partition {
  return { name: p.name, description: p.description, origin };
}

function cssOf(c: Y.YamlCss, origin: Origin): CallingSearchSpace {
  return { name: c.name, description: c.description, partitions: [...c.partitions], origin };
}

function groupOf(g: Y.YamlPresenceGroup, origin: Origin): PresenceGroup {
  const permissions = new Map<string, PresencePermission>();
  for (const [target, p] of Object.entries(g.permissions ?? {})) permissions.set(target, PERMISSION[p]);
  return { name: g.name, description: g.description, permissions, origin };
}

function lineOf(l: Y.YamlLine, origin: Origin): Line {
  return {
    dn: dnOf(l.dn),
    partition: ref(l.partition),
    description: l.description,
    alertingName: l.alertingName,
    directoryUri: l.directoryUri,
    presenceGroup: l.presenceGroup ?? STANDARD_PRESENCE_GROUP,
    origin,
  };
}

function routePatternOf(r: Y.YamlRoutePattern, origin: Origin): RoutePattern {
  return { pattern: String(r.pattern), partition: ref(r.partition), trunk: r.trunk, description: r.description, origin };
}

function sipRoutePatternOf(r: Y.YamlSipRoutePattern, origin: Origin): SipRoutePattern {
  return { domain: r.domain, partition: ref(r.partition), trunk: r.trunk, description: r.description, origin };
}

/** Phone name → owner, over all files (first owner wins; duplicates are reported by the core). */
function ownedDevices(devices: readonly Device[]): Map<string, string[]> {
  const owned = new Map<string, string[]>();
  for (const d of devices) {
    if (d.ownerUser === undefined) continue;
    owned.set(d.ownerUser, [...(owned.get(d.ownerUser) ?? []), d.name]);
  }
  return owned;
}

/** All list sections of all sources as DirectoryParts (without params). */
export function convertNamedSections(sources: readonly DialplanSource[], loc: SourceLocator): DirectoryParts {
  const devices: Device[] = collect(sources, loc, 'phones', deviceOf);
  const owned = ownedDevices(devices);
  const users: User[] = collect(sources, loc, 'users', (u, o) => userOf(u, owned.get(u.id) ?? [], o));
  const trunks: Trunk[] = collect(sources, loc, 'trunks', trunkOf);
  return {
    partitions: collect(sources, loc, 'partitions', partitionOf),
    callingSearchSpaces: collect(sources, loc, 'callingSearchSpaces', cssOf),
    presenceGroups: collect(sources, loc, 'presenceGroups', groupOf),
    users,
    devices,
    lines: collect(sources, loc, 'lines', lineOf),
    routePatterns: collect(sources, loc, 'routePatterns', routePatternOf),
    sipRoutePatterns: collect(sources, loc, 'sipRoutePatterns', sipRoutePatternOf),
    trunks,
  };
}
