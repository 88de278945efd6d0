/**
 * DirectoryStore port: what the store adapters (SQLite, in-memory) offer to AXL, CSV import and the
 * app (DESIGN.md "Who owns which data": users, phones, lines, line appearances, BLF speed dials, and
 * partitions / CSSs / presence groups created over AXL).
 *
 * Rule 1: records are AXL-shaped (field names follow AXL: `routePartitionName`, `blfDirn`…), so the
 *         facade maps them 1:1; `loadParts()` turns them into the core's Directory model.
 * Rule 2: expected failures (not found, duplicate, unknown reference, still in use) are values
 *         (`StoreResult`), each with an AXL error code; bugs throw.
 * Rule 3: every successful write appends to the change log (AXL listChange), one entry per object.
 * Rule 4: uuids are AXL-format `{UPPERCASE-GUID}` and never change; the key (userid, name,
 *         pattern+partition) may change through an update.
 */
import type { DirectoryParts, DeviceProtocol } from '../model/index.js';
import type { StoreError } from './errors.js';

export interface StoredPartition {
  readonly uuid: string;
  readonly name: string;
  readonly description?: string;
}

export interface StoredCss {
  readonly uuid: string;
  readonly name: string;
  readonly description?: string;
  /** partition names in search order */
  readonly members: readonly string[];
}

export type StoredPermission = 'allow' | 'disallow' | 'system-default';

export interface StoredPresenceGroup {
  readonly uuid: string;
  readonly name: string;
  readonly description?: string;
  /** this group's permission towards each listed group */
  readonly permissions: readonly { readonly group: string; readonly permission: StoredPermission }[];
}

export interface StoredLine {
  readonly uuid: string;
  readonly pattern: string;
  /** null = the <None> partition */
  readonly routePartitionName: string | null;
  readonly description?: string;
  readonly alertingName?: string;
  /** AXL `usage`, `Device` for ordinary DNs */
  readonly usage: string;
  /** presentity-side presence group; null = Standard Presence Group */
  readonly presenceGroupName: string | null;
}

export interface StoredLineAppearance {
  readonly index: number;
  readonly pattern: string;
  readonly routePartitionName: string | null;
  readonly label?: string;
  readonly display?: string;
  readonly maxNumCalls: number;
  readonly busyTrigger: number;
  /** users associated with this line appearance (≤ 5) */
  readonly associatedEndusers: readonly string[];
}

/** BLF speed dial: `blfDest` (DN or SIP URI) wins over `blfDirn` + `routePartition` (AXL rule). */
export interface StoredBlfSpeedDial {
  readonly index: number;
  readonly label?: string;
  readonly blfDest?: string;
  readonly blfDirn?: string;
  readonly routePartition?: string;
  readonly pickup: boolean;
}

export interface StoredPhone {
  readonly uuid: string;
  readonly name: string;
  readonly description?: string;
  /** AXL `product`, e.g. `Cisco 8845`; the directory's device model */
  readonly product: string;
  readonly protocol: DeviceProtocol;
  readonly devicePoolName?: string;
  readonly callingSearchSpaceName: string | null;
  readonly subscribeCallingSearchSpaceName: string | null;
  readonly presenceGroupName: string | null;
  readonly ownerUserName: string | null;
  readonly lines: readonly StoredLineAppearance[];
  readonly busyLampFields: readonly StoredBlfSpeedDial[];
  /** SIP digest password (not exposed over AXL; set by CSV import) */
  readonly digestPassword?: string;
}

export interface StoredUser {
  readonly uuid: string;
  readonly userid: string;
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName: string;
  readonly displayName?: string;
  readonly mailid?: string;
  readonly department?: string;
  readonly telephoneNumber?: string;
  readonly directoryUri?: string;
  readonly primaryExtension?: { readonly pattern: string; readonly routePartitionName: string | null };
  /** null = Standard Presence Group */
  readonly presenceGroupName: string | null;
  readonly subscribeCallingSearchSpaceName: string | null;
  /** controlled devices (phone names) */
  readonly associatedDevices: readonly string[];
}

export interface EntityMap {
  user: StoredUser;
  phone: StoredPhone;
  line: StoredLine;
  partition: StoredPartition;
  css: StoredCss;
  presenceGroup: StoredPresenceGroup;
}

export type EntityKind = keyof EntityMap;

export const ENTITY_KINDS: readonly EntityKind[] = ['partition', 'css', 'presenceGroup', 'line', 'phone', 'user'];

/** A record to add: everything but the uuid (which the store assigns unless given). */
export type NewRecord<K extends EntityKind> = Omit<EntityMap[K], 'uuid'> & { readonly uuid?: string };

/** A partial update; list fields replace the whole list (AXL semantics). */
export type RecordPatch<K extends EntityKind> = Partial<Omit<EntityMap[K], 'uuid'>>;

/**
 * How to name an object: by uuid, or by key — userid (user), name (phone, partition, css,
 * presenceGroup) or `pattern/partition` (line; see `lineKey` in the model).
 */
export type ObjectRef = { readonly uuid: string } | { readonly key: string };

/** Fields each kind can be searched on (AXL searchCriteria, SQL LIKE patterns with `%` and `_`). */
export const SEARCH_FIELDS = {
  user: ['userid', 'firstName', 'lastName', 'department'],
  phone: ['name', 'description', 'protocol', 'callingSearchSpaceName'],
  line: ['pattern', 'description', 'routePartitionName'],
  partition: ['name', 'description'],
  css: ['name', 'description'],
  presenceGroup: ['name', 'description'],
} as const satisfies Record<EntityKind, readonly string[]>;

export type SearchField<K extends EntityKind> = (typeof SEARCH_FIELDS)[K][number];

export interface ListQuery<K extends EntityKind> {
  /** field → LIKE pattern (case-insensitive; `%` any run, `_` one character); all must match */
  readonly where?: Partial<Record<SearchField<K>, string>>;
  readonly skip?: number;
  readonly first?: number;
}

export type StoreResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StoreError };

/** AXL listChange object types. */
export type ChangeType = 'User' | 'Phone' | 'Line' | 'RoutePartition' | 'Css' | 'PresenceGroup';
export type ChangeAction = 'a' | 'u' | 'r';

export interface ChangeEntry {
  readonly id: number;
  readonly type: ChangeType;
  readonly uuid: string;
  readonly action: ChangeAction;
  /** the object's key after the change (before it, for a removal) */
  readonly key: string;
}

export interface ChangePage {
  /** identifies this change queue; a different value than before means resync in full */
  readonly queueId: string;
  readonly firstChangeId: number;
  readonly lastChangeId: number;
  readonly changes: readonly ChangeEntry[];
}

/** Names of objects that exist outside the store (dialplan files), for reference checks. */
export type ExternalNames = (kind: EntityKind, key: string) => boolean;

export interface WriteOptions {
  /** objects defined elsewhere (e.g. dialplan files) that store records may reference */
  readonly external?: ExternalNames;
}

/** The port. Synchronous: both implementations are (better-sqlite3 is synchronous). */
export interface DirectoryStore {
  add<K extends EntityKind>(kind: K, record: NewRecord<K>, opts?: WriteOptions): StoreResult<EntityMap[K]>;
  get<K extends EntityKind>(kind: K, ref: ObjectRef): StoreResult<EntityMap[K]>;
  /** records ordered by key */
  list<K extends EntityKind>(kind: K, query?: ListQuery<K>): readonly EntityMap[K][];
  count<K extends EntityKind>(kind: K, query?: ListQuery<K>): number;
  update<K extends EntityKind>(kind: K, ref: ObjectRef, patch: RecordPatch<K>, opts?: WriteOptions): StoreResult<EntityMap[K]>;
  remove<K extends EntityKind>(kind: K, ref: ObjectRef): StoreResult<EntityMap[K]>;
  /** changes with id > sinceId, oldest first, at most `max` (default 1000) */
  listChanges(sinceId: number, types?: readonly ChangeType[], max?: number): ChangePage;
  /** runs `fn` atomically: if it throws, none of its writes stay (nor their change log entries) */
  transaction<T>(fn: () => T): T;
  /** all store records as directory parts, each with Origin {kind:'store'} */
  loadParts(): DirectoryParts;
}
