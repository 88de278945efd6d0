/**
 * Name index over directory parts: the keys of every named collection, and the "defined twice"
 * check. CUCM rule: names are unique per object type (partition, CSS, presence group, user, device,
 * trunk); a DN is unique within its partition; a route pattern is unique within its partition.
 *
 * Rule 1: the first definition wins the index; every later one is an error that names the first.
 * Rule 2: the built-in Standard Presence Group is always known, defined or not.
 */
import {
  lineKey,
  STANDARD_PRESENCE_GROUP,
  type DirectoryParts,
  type Origin,
} from '../model/index.js';
import { describeOrigin, type ErrorSink, type FieldPath } from './locate.js';
import type { DialplanErrorCode } from './errors.js';

/** Keys of every named collection (first definition of each). */
export interface NameIndex {
  readonly partitions: ReadonlySet<string>;
  readonly callingSearchSpaces: ReadonlySet<string>;
  readonly presenceGroups: ReadonlySet<string>;
  readonly users: ReadonlySet<string>;
  readonly devices: ReadonlySet<string>;
  readonly trunks: ReadonlySet<string>;
  /** line keys (`dn/partition`) */
  readonly lines: ReadonlySet<string>;
}

interface Keyed {
  readonly origin: Origin;
}

/** How one collection is keyed and described in messages. */
export interface CollectionSpec<T extends Keyed> {
  readonly kind: string;
  readonly key: (item: T) => string;
  /** field holding the key, for the error position */
  readonly keyField: FieldPath;
  readonly describe: (item: T) => string;
  readonly code: DialplanErrorCode;
}

/** Key, key field and wording for every collection of DirectoryParts. */
export const COLLECTIONS: { readonly [K in CollectionName]: CollectionSpec<ItemOf<K>> } = {
  partitions: spec('partitions', 'partition', (p) => p.name, ['name']),
  callingSearchSpaces: spec('callingSearchSpaces', 'calling search space', (c) => c.name, ['name']),
  presenceGroups: spec('presenceGroups', 'presence group', (g) => g.name, ['name']),
  users: spec('users', 'user', (u) => u.id, ['id']),
  devices: spec('devices', 'device', (d) => d.name, ['name']),
  trunks: spec('trunks', 'trunk', (t) => t.name, ['name']),
  lines: {
    kind: 'line',
    key: (l: ItemOf<'lines'>) => lineKey(l.dn, l.partition),
    keyField: ['dn'],
    describe: (l: ItemOf<'lines'>) => `DN ${l.dn} in partition ${l.partition ?? '<None>'}`,
    code: 'duplicate-dn',
  },
  routePatterns: {
    kind: 'route pattern',
    key: (r: ItemOf<'routePatterns'>) => `${r.pattern}/${r.partition ?? ''}`,
    keyField: ['pattern'],
    describe: (r: ItemOf<'routePatterns'>) =>
      `route pattern ${r.pattern} in partition ${r.partition ?? '<None>'}`,
    code: 'duplicate-name',
  },
  sipRoutePatterns: {
    kind: 'SIP route pattern',
    key: (r: ItemOf<'sipRoutePatterns'>) => `${r.domain.toLowerCase()}/${r.partition ?? ''}`,
    keyField: ['domain'],
    describe: (r: ItemOf<'sipRoutePatterns'>) =>
      `SIP route pattern ${r.domain} in partition ${r.partition ?? '<None>'}`,
    code: 'duplicate-name',
  },
};

/** A directory URI is unique within its partition, like a DN (lines without one are skipped). */
const DIRECTORY_URIS: CollectionSpec<ItemOf<'lines'>> = {
  kind: 'directory URI',
  key: (l) => `${(l.directoryUri ?? '').toLowerCase()}/${l.partition ?? ''}`,
  keyField: ['directoryUri'],
  describe: (l) => `directory URI ${l.directoryUri} in partition ${l.partition ?? '<None>'}`,
  code: 'duplicate-dn',
};

/** Names of the keyed collections of DirectoryParts (everything but params). */
export type CollectionName = Exclude<keyof DirectoryParts, 'params'>;
export type ItemOf<K extends CollectionName> = NonNullable<DirectoryParts[K]>[number];

function spec<K extends CollectionName>(
  _collection: K,
  kind: string,
  key: (item: ItemOf<K>) => string,
  keyField: FieldPath,
): CollectionSpec<ItemOf<K>> {
  return { kind, key, keyField, describe: (i) => `${kind} '${key(i)}'`, code: 'duplicate-name' };
}

/** Indexes one collection, reporting every definition after the first as a duplicate. */
function indexCollection<T extends Keyed>(
  items: readonly T[] | undefined,
  s: CollectionSpec<T>,
  sink: ErrorSink,
): Set<string> {
  const first = new Map<string, T>();
  for (const item of items ?? []) {
    const key = s.key(item);
    const prior = first.get(key);
    if (prior === undefined) {
      first.set(key, item);
      continue;
    }
    const msg = `${s.describe(item)} is defined twice (first at ${describeOrigin(prior.origin)})`;
    sink.report(item, item.origin, s.keyField, s.code, msg);
  }
  return new Set(first.keys());
}

/** Builds the name index and reports duplicates into `sink`. */
export function indexNames(parts: DirectoryParts, sink: ErrorSink): NameIndex {
  const groups = indexCollection(parts.presenceGroups, COLLECTIONS.presenceGroups, sink);
  groups.add(STANDARD_PRESENCE_GROUP);
  indexCollection(parts.routePatterns, COLLECTIONS.routePatterns, sink);
  indexCollection(parts.sipRoutePatterns, COLLECTIONS.sipRoutePatterns, sink);
  indexCollection(parts.lines?.filter((l) => l.directoryUri), DIRECTORY_URIS, sink);
  return {
    partitions: indexCollection(parts.partitions, COLLECTIONS.partitions, sink),
    callingSearchSpaces: indexCollection(parts.callingSearchSpaces, COLLECTIONS.callingSearchSpaces, sink),
    presenceGroups: groups,
    users: indexCollection(parts.users, COLLECTIONS.users, sink),
    devices: indexCollection(parts.devices, COLLECTIONS.devices, sink),
    trunks: indexCollection(parts.trunks, COLLECTIONS.trunks, sink),
    lines: indexCollection(parts.lines, COLLECTIONS.lines, sink),
  };
}
