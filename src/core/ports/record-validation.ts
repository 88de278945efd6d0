/**
 * Record validation for store writes: required values, and references to other objects (which
 * may live in the store, in dialplan files — `ExternalNames` — or be built in, like the Standard
 * Presence Group). Returns the first problem as a StoreError value, or undefined.
 */
import { STANDARD_PRESENCE_GROUP, lineKey } from '../model/index.js';
import type { EntityKind, EntityMap, StoredPhone, StoredUser, WriteOptions } from './directory-store.js';
import { invalidReference, invalidValue, type StoreError } from './errors.js';
import type { StoreBackend } from './store-backend.js';

type Exists = (kind: EntityKind, key: string | null | undefined) => boolean;

/** A reference checker over the backend plus external names; null/undefined references always pass. */
export function referenceChecker(backend: StoreBackend, opts: WriteOptions | undefined): Exists {
  return (kind, key) => {
    if (key === null || key === undefined || key === '') return true;
    if (kind === 'presenceGroup' && key === STANDARD_PRESENCE_GROUP) return true;
    if (backend.findByKey(kind, key)) return true;
    return opts?.external?.(kind, key) ?? false;
  };
}

function firstMissing(
  kind: EntityKind,
  exists: Exists,
  refs: readonly (readonly [EntityKind, string | null | undefined])[],
): StoreError | undefined {
  for (const [refKind, name] of refs) {
    if (!exists(refKind, name)) return invalidReference(kind, refKind, String(name));
  }
  return undefined;
}

function validateUser(u: Omit<StoredUser, 'uuid'>, exists: Exists): StoreError | undefined {
  if (!u.userid?.trim()) return invalidValue('user', 'userid is required');
  if (!u.lastName?.trim()) return invalidValue('user', 'lastName is required');
  return firstMissing('user', exists, [
    ['presenceGroup', u.presenceGroupName],
    ['css', u.subscribeCallingSearchSpaceName],
    ...u.associatedDevices.map((d) => ['phone', d] as const),
  ]);
}

function validatePhoneShape(p: Omit<StoredPhone, 'uuid'>): StoreError | undefined {
  if (!p.name?.trim()) return invalidValue('phone', 'name is required');
  if (p.protocol !== 'sip' && p.protocol !== 'sccp') return invalidValue('phone', `protocol must be SIP or SCCP`);
  const lineIdx = new Set<number>();
  for (const l of p.lines) {
    if (!Number.isInteger(l.index) || l.index < 1) return invalidValue('phone', `line index ${l.index} is not valid`);
    if (lineIdx.has(l.index)) return invalidValue('phone', `line index ${l.index} is used twice`);
    lineIdx.add(l.index);
    if (!l.pattern?.trim()) return invalidValue('phone', `line ${l.index} has no dirn pattern`);
    if (l.associatedEndusers.length > 5) return invalidValue('phone', `line ${l.index} has more than 5 users`);
  }
  const blfIdx = new Set<number>();
  for (const b of p.busyLampFields) {
    if (blfIdx.has(b.index)) return invalidValue('phone', `busyLampField index ${b.index} is used twice`);
    blfIdx.add(b.index);
    const dest = b.blfDest?.trim();
    if (!dest && !b.blfDirn?.trim()) return invalidValue('phone', `busyLampField ${b.index} needs blfDest or blfDirn`);
    if (p.protocol === 'sccp' && dest && (dest.includes('@') || /^sips?:/i.test(dest))) {
      return invalidValue('phone', `SCCP phone ${p.name} cannot have a BLF speed dial to a SIP URI (${dest})`);
    }
  }
  return undefined;
}

function validatePhone(p: Omit<StoredPhone, 'uuid'>, exists: Exists): StoreError | undefined {
  return (
    validatePhoneShape(p) ??
    firstMissing('phone', exists, [
      ['css', p.callingSearchSpaceName],
      ['css', p.subscribeCallingSearchSpaceName],
      ['presenceGroup', p.presenceGroupName],
      ['user', p.ownerUserName],
      ...p.lines.map((l) => ['partition', l.routePartitionName] as const),
      ...p.lines.flatMap((l) => l.associatedEndusers.map((u) => ['user', u] as const)),
      ...p.busyLampFields.map((b) => ['partition', b.blfDest?.trim() ? null : b.routePartition] as const),
    ])
  );
}

/** Validates a full record of `kind`; undefined when it may be written. */
export function validateRecord<K extends EntityKind>(
  kind: K,
  rec: Omit<EntityMap[K], 'uuid'>,
  exists: Exists,
): StoreError | undefined {
  switch (kind) {
    case 'user':
      return validateUser(rec as Omit<StoredUser, 'uuid'>, exists);
    case 'phone':
      return validatePhone(rec as Omit<StoredPhone, 'uuid'>, exists);
    case 'line': {
      const l = rec as Omit<EntityMap['line'], 'uuid'>;
      if (!l.pattern?.trim()) return invalidValue('line', 'pattern is required');
      return firstMissing('line', exists, [
        ['partition', l.routePartitionName],
        ['presenceGroup', l.presenceGroupName],
      ]);
    }
    case 'css': {
      const c = rec as Omit<EntityMap['css'], 'uuid'>;
      if (!c.name?.trim()) return invalidValue('css', 'name is required');
      return firstMissing('css', exists, c.members.map((m) => ['partition', m] as const));
    }
    case 'presenceGroup': {
      const g = rec as Omit<EntityMap['presenceGroup'], 'uuid'>;
      if (!g.name?.trim()) return invalidValue('presenceGroup', 'name is required');
      return firstMissing('presenceGroup', exists, g.permissions.map((p) => ['presenceGroup', p.group] as const));
    }
    default: {
      const p = rec as Omit<EntityMap['partition'], 'uuid'>;
      return p.name?.trim() ? undefined : invalidValue(kind, 'name is required');
    }
  }
}

/** Line keys a phone's appearances point at. */
export function appearanceLineKeys(p: Pick<StoredPhone, 'lines'>): { key: string; pattern: string; partition: string | null }[] {
  return p.lines.map((l) => ({ key: lineKey(l.pattern, l.routePartitionName), pattern: l.pattern, partition: l.routePartitionName }));
}
