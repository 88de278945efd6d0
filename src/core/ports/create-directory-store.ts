/**
 * createDirectoryStore: the DirectoryStore port built over a StoreBackend.
 *
 * Rule 1: a write is validated completely before anything is written, and runs inside one backend
 *         transaction together with its cascades and change-log entries.
 * Rule 2: adding or updating a phone creates the lines its appearances name when neither the store
 *         nor the external names (dialplan files) hold them (CUCM creates a DN on first use).
 * Rule 3: removing a phone takes it off its users' associated devices; removing a user clears it as
 *         owner and as associated end user of line appearances; removing or renaming a partition, CSS,
 *         presence group or line still referenced is refused (`in-use`).
 */
import { lineKey } from '../model/index.js';
import type {
  ChangePage,
  ChangeType,
  DirectoryStore,
  EntityKind,
  EntityMap,
  ListQuery,
  NewRecord,
  ObjectRef,
  RecordPatch,
  StoreResult,
  StoredPhone,
  StoredUser,
  WriteOptions,
} from './directory-store.js';
import { duplicate, inUse, invalidValue, notFound } from './errors.js';
import { appearanceLineKeys, referenceChecker, validateRecord } from './record-validation.js';
import type { StoreBackend } from './store-backend.js';
import { CHANGE_TYPES, normalizeUuid, recordKey, toDirectoryParts } from './store-records.js';

const ok = <T>(value: T): StoreResult<T> => ({ ok: true, value });

function stripUndefined<T extends object>(patch: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** Who still references `key` of `kind` (a short description), or undefined. */
function findReferrer(b: StoreBackend, kind: EntityKind, key: string): string | undefined {
  switch (kind) {
    case 'partition': {
      const line = b.all('line').find((l) => l.routePartitionName === key);
      if (line) return `line ${line.pattern}`;
      const css = b.all('css').find((c) => c.members.includes(key));
      if (css) return `calling search space ${css.name}`;
      const phone = b.all('phone').find((p) => p.busyLampFields.some((f) => !f.blfDest && f.routePartition === key));
      return phone ? `phone ${phone.name}` : undefined;
    }
    case 'css': {
      const user = b.all('user').find((u) => u.subscribeCallingSearchSpaceName === key);
      if (user) return `user ${user.userid}`;
      const phone = b.all('phone').find((p) => p.callingSearchSpaceName === key || p.subscribeCallingSearchSpaceName === key);
      return phone ? `phone ${phone.name}` : undefined;
    }
    case 'presenceGroup': {
      const user = b.all('user').find((u) => u.presenceGroupName === key);
      if (user) return `user ${user.userid}`;
      const phone = b.all('phone').find((p) => p.presenceGroupName === key);
      if (phone) return `phone ${phone.name}`;
      const line = b.all('line').find((l) => l.presenceGroupName === key);
      if (line) return `line ${line.pattern}`;
      const group = b.all('presenceGroup').find((g) => g.name !== key && g.permissions.some((p) => p.group === key));
      return group ? `presence group ${group.name}` : undefined;
    }
    case 'line': {
      const phone = b.all('phone').find((p) => p.lines.some((l) => lineKey(l.pattern, l.routePartitionName) === key));
      return phone ? `phone ${phone.name}` : undefined;
    }
    default:
      return undefined;
  }
}

function createMissingLines(b: StoreBackend, phone: Pick<StoredPhone, 'lines'>, opts: WriteOptions | undefined): void {
  for (const { key, pattern, partition } of appearanceLineKeys(phone)) {
    if (b.findByKey('line', key) || opts?.external?.('line', key)) continue;
    const uuid = b.newUuid();
    b.insert('line', key, { uuid, pattern, routePartitionName: partition, usage: 'Device', presenceGroupName: null });
    b.appendChange('Line', uuid, 'a', key);
  }
}

function cascadeRemove(b: StoreBackend, kind: EntityKind, key: string): void {
  if (kind === 'phone') {
    for (const u of b.all('user')) {
      if (!u.associatedDevices.includes(key)) continue;
      const next: StoredUser = { ...u, associatedDevices: u.associatedDevices.filter((d) => d !== key) };
      b.replace('user', u.userid, next);
      b.appendChange('User', u.uuid, 'u', u.userid);
    }
  }
  if (kind === 'user') {
    for (const p of b.all('phone')) {
      const touches = p.ownerUserName === key || p.lines.some((l) => l.associatedEndusers.includes(key));
      if (!touches) continue;
      const next: StoredPhone = {
        ...p,
        ownerUserName: p.ownerUserName === key ? null : p.ownerUserName,
        lines: p.lines.map((l) => ({ ...l, associatedEndusers: l.associatedEndusers.filter((x) => x !== key) })),
      };
      b.replace('phone', p.name, next);
      b.appendChange('Phone', p.uuid, 'u', p.name);
    }
  }
}

/** Builds the DirectoryStore port over a backend. */
export function createDirectoryStore(b: StoreBackend): DirectoryStore {
  function resolve<K extends EntityKind>(kind: K, ref: ObjectRef): EntityMap[K] | undefined {
    if ('uuid' in ref) {
      const uuid = normalizeUuid(ref.uuid);
      return uuid ? b.findByUuid(kind, uuid) : undefined;
    }
    return b.findByKey(kind, ref.key);
  }

  function add<K extends EntityKind>(kind: K, rec: NewRecord<K>, opts?: WriteOptions): StoreResult<EntityMap[K]> {
    return b.transaction(() => {
      const { uuid: given, ...fields } = rec as NewRecord<K> & { uuid?: string };
      const body = fields as unknown as Omit<EntityMap[K], 'uuid'>;
      const key = recordKey(kind, body);
      if (b.findByKey(kind, key)) return { ok: false, error: duplicate(kind, key) } as const;
      const uuid = given === undefined ? b.newUuid() : normalizeUuid(given);
      if (!uuid) return { ok: false, error: invalidValue(kind, `uuid ${given} is not a GUID`) } as const;
      if (b.findByUuid(kind, uuid)) return { ok: false, error: duplicate(kind, uuid) } as const;
      const err = validateRecord(kind, body, referenceChecker(b, opts));
      if (err) return { ok: false, error: err } as const;
      if (kind === 'phone') createMissingLines(b, body as unknown as StoredPhone, opts);
      const record = { uuid, ...body } as unknown as EntityMap[K];
      b.insert(kind, key, record);
      b.appendChange(CHANGE_TYPES[kind], uuid, 'a', key);
      return ok(record);
    });
  }

  function update<K extends EntityKind>(
    kind: K,
    ref: ObjectRef,
    patch: RecordPatch<K>,
    opts?: WriteOptions,
  ): StoreResult<EntityMap[K]> {
    return b.transaction(() => {
      const cur = resolve(kind, ref);
      if (!cur) return { ok: false, error: notFound(kind, describeRef(ref)) } as const;
      const next = { ...cur, ...stripUndefined(patch), uuid: cur.uuid } as EntityMap[K];
      const oldKey = recordKey(kind, cur);
      const newKey = recordKey(kind, next);
      if (newKey !== oldKey) {
        if (b.findByKey(kind, newKey)) return { ok: false, error: duplicate(kind, newKey) } as const;
        const by = findReferrer(b, kind, oldKey);
        if (by) return { ok: false, error: inUse(kind, oldKey, by) } as const;
      }
      const err = validateRecord(kind, next, referenceChecker(b, opts));
      if (err) return { ok: false, error: err } as const;
      if (kind === 'phone') createMissingLines(b, next as StoredPhone, opts);
      b.replace(kind, newKey, next);
      b.appendChange(CHANGE_TYPES[kind], cur.uuid, 'u', newKey);
      return ok(next);
    });
  }

  function remove<K extends EntityKind>(kind: K, ref: ObjectRef): StoreResult<EntityMap[K]> {
    return b.transaction(() => {
      const cur = resolve(kind, ref);
      if (!cur) return { ok: false, error: notFound(kind, describeRef(ref)) } as const;
      const key = recordKey(kind, cur);
      const by = findReferrer(b, kind, key);
      if (by) return { ok: false, error: inUse(kind, key, by) } as const;
      cascadeRemove(b, kind, key);
      b.delete(kind, cur.uuid);
      b.appendChange(CHANGE_TYPES[kind], cur.uuid, 'r', key);
      return ok(cur);
    });
  }

  function listChanges(sinceId: number, types?: readonly ChangeType[], max = 1000): ChangePage {
    const { first, last } = b.changeBounds();
    return { queueId: b.queueId, firstChangeId: first, lastChangeId: last, changes: b.changesSince(sinceId, types, max) };
  }

  return {
    add,
    get: (kind, ref) => {
      const rec = resolve(kind, ref);
      return rec ? ok(rec) : { ok: false, error: notFound(kind, describeRef(ref)) };
    },
    list: <K extends EntityKind>(kind: K, query: ListQuery<K> = {}) => b.query(kind, query),
    count: <K extends EntityKind>(kind: K, query: ListQuery<K> = {}) => b.count(kind, query),
    update,
    remove,
    listChanges,
    transaction: (fn) => b.transaction(fn),
    loadParts: () =>
      toDirectoryParts({
        user: b.all('user'),
        phone: b.all('phone'),
        line: b.all('line'),
        partition: b.all('partition'),
        css: b.all('css'),
        presenceGroup: b.all('presenceGroup'),
      }),
  };
}

function describeRef(ref: ObjectRef): string {
  return 'uuid' in ref ? ref.uuid : ref.key;
}
