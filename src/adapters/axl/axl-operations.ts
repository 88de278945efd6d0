/**
 * The AXL operations the facade serves, as node-soap service methods over the DirectoryStore port.
 *
 * Rule 1: objects defined in dialplan files (`origin.kind === 'file'`) are read-only: add of the same
 *         name, update and remove fault with a message naming the file and line.
 * Rule 2: references may point at store objects or at objects of the effective directory (files).
 * Rule 3: after every successful write `onChanged()` runs, so the app rebuilds the directory live.
 * Rule 4: results are raw XML (`$xml`) in schema element order inside AXL's `return` wrapper
 *         (listChange has none, as in the schema).
 */
import { lineKey, type Directory, type Origin } from '../../core/index.js';
import type {
  ChangeType,
  DirectoryStore,
  EntityKind,
  ExternalNames,
  ListQuery,
  NewRecord,
  ObjectRef,
  StoreError,
  StoredLineAppearance,
} from '../../core/ports/index.js';
import { ADD_DEFAULTS, AXL_TAGS, PARSERS, parseAppearance, renderRecord } from './axl-mappers.js';
import { el, escapeXml, field, int, items, returnedTagSet, text, uuidAttr, wrap, type Parsed } from './axl-xml.js';
import { AXL_ERROR, axlFault, isAxlFault } from './errors.js';

export interface AxlOperationsContext {
  readonly store: DirectoryStore;
  readonly getDirectory: () => Directory;
  readonly onChanged: () => void;
  /** reported by getCCMVersion */
  readonly ccmVersion: string;
}

/** AXL object names → store kinds. */
export const AXL_OBJECTS: Readonly<Record<string, EntityKind>> = {
  User: 'user',
  Phone: 'phone',
  Line: 'line',
  RoutePartition: 'partition',
  Css: 'css',
  PresenceGroup: 'presenceGroup',
};

/** Every operation name this facade serves. */
export const AXL_OPERATIONS: readonly string[] = [
  'getCCMVersion',
  'listChange',
  ...Object.keys(AXL_OBJECTS).flatMap((o) => ['add', 'get', 'list', 'update', 'remove'].map((v) => `${v}${o}`)),
];

const KEY_FIELD: Readonly<Record<EntityKind, string>> = {
  user: 'userid',
  phone: 'name',
  line: 'pattern',
  partition: 'name',
  css: 'name',
  presenceGroup: 'name',
};
const RENAME_FIELD: Readonly<Record<EntityKind, string>> = {
  user: 'newUserid',
  phone: 'newName',
  line: 'newPattern',
  partition: 'newName',
  css: 'newName',
  presenceGroup: 'newName',
};
const SEARCH: Readonly<Record<EntityKind, readonly string[]>> = {
  user: ['userid', 'firstName', 'lastName', 'department'],
  phone: ['name', 'description', 'protocol', 'callingSearchSpaceName'],
  line: ['pattern', 'description', 'routePartitionName'],
  partition: ['name', 'description'],
  css: ['name', 'description'],
  presenceGroup: ['name', 'description'],
};

type Result = { $xml: string };
const ret = (inner: string): Result => ({ $xml: `<return>${inner}</return>` });

function lookup(dir: Directory, kind: EntityKind, key: string): { origin: Origin } | undefined {
  switch (kind) {
    case 'user':
      return dir.users.get(key);
    case 'phone':
      return dir.devices.get(key);
    case 'line':
      return dir.lines.get(key);
    case 'partition':
      return dir.partitions.get(key);
    case 'css':
      return dir.callingSearchSpaces.get(key);
    default:
      return dir.presenceGroups.get(key);
  }
}

/**
 * updatePhone's `addLines` / `removeLines` (axl-facts §5: "`lines` replaces all lines, or use
 * `addLines` / `removeLines` … these three are mutually exclusive"): the phone's new line list as a
 * patch, or {} when neither is given. A removed line is matched by its dirn (pattern + partition);
 * an added line may not reuse a button index or a dirn the phone already has.
 */
function phoneLineEdits(store: DirectoryStore, ref: ObjectRef, args: Parsed, op: string): { lines?: StoredLineAppearance[] } {
  const adds = items(field(field(args, 'addLines'), 'line')).map(parseAppearance);
  const removes = items(field(field(args, 'removeLines'), 'line')).map(parseAppearance);
  if (adds.length === 0 && removes.length === 0) return {};
  if (field(args, 'lines') !== undefined) {
    throw axlFault(AXL_ERROR.invalidRequest, 'lines cannot be combined with addLines or removeLines', op);
  }
  const current = store.get('phone', ref);
  if (!current.ok) throw axlFault(current.error.axlCode, current.error.message, op);
  const dirnOf = (l: StoredLineAppearance) => `${l.pattern}|${l.routePartitionName ?? ''}`;
  const gone = new Set(removes.map(dirnOf));
  for (const r of removes) {
    if (!current.value.lines.some((l) => dirnOf(l) === dirnOf(r))) {
      throw axlFault(AXL_ERROR.notFound, `removeLines: ${current.value.name} has no line ${r.pattern} in ${r.routePartitionName ?? '<None>'}`, op);
    }
  }
  const lines = current.value.lines.filter((l) => !gone.has(dirnOf(l)));
  for (const a of adds) {
    if (!a.pattern) throw axlFault(AXL_ERROR.invalidRequest, 'addLines: a line needs dirn/pattern', op);
    const clash = lines.find((l) => l.index === a.index || dirnOf(l) === dirnOf(a));
    if (clash) throw axlFault(AXL_ERROR.duplicate, `addLines: ${current.value.name} already has line ${clash.pattern} on button ${clash.index}`, op);
    lines.push(a);
  }
  return { lines: lines.sort((x, y) => x.index - y.index) };
}

/** Builds the node-soap service methods. */
export function createAxlOperations(ctx: AxlOperationsContext): Record<string, (args: Parsed) => Result | Record<string, unknown>> {
  const external: ExternalNames = (kind, key) => lookup(ctx.getDirectory(), kind, key) !== undefined;

  function fileOwner(kind: EntityKind, key: string): string | undefined {
    const origin = lookup(ctx.getDirectory(), kind, key)?.origin;
    return origin?.kind === 'file' ? `${origin.file}:${origin.line}` : undefined;
  }

  function storeFault(error: StoreError, op: string): never {
    throw axlFault(error.axlCode, error.message, op);
  }

  function readOnlyFault(kind: EntityKind, key: string, where: string, op: string): never {
    throw axlFault(AXL_ERROR.readOnly, `${AXL_TAGS[kind]} ${key} is defined in dialplan file ${where} and is read-only over AXL`, op);
  }

  /** The object key a request names (for lines: pattern + routePartitionName). */
  function keyOf(kind: EntityKind, args: Parsed): ObjectRef | undefined {
    const uuid = text(field(args, 'uuid'));
    if (uuid) return { uuid };
    const key = text(field(args, KEY_FIELD[kind]));
    if (!key) return undefined;
    return { key: kind === 'line' ? lineKey(key, text(field(args, 'routePartitionName')) ?? null) : key };
  }

  function requireRef(kind: EntityKind, args: Parsed, op: string): ObjectRef {
    const ref = keyOf(kind, args);
    if (!ref) throw axlFault(AXL_ERROR.invalidRequest, `${op} needs ${KEY_FIELD[kind]} or uuid`, op);
    return ref;
  }

  function guardFile(kind: EntityKind, ref: ObjectRef, op: string): void {
    if (!('key' in ref)) return;
    const where = fileOwner(kind, ref.key);
    if (where) readOnlyFault(kind, ref.key, where, op);
  }

  function add(kind: EntityKind, args: Parsed, op: string): Result {
    const payload = field(args, AXL_TAGS[kind]);
    if (!payload) throw axlFault(AXL_ERROR.invalidRequest, `${op} needs a ${AXL_TAGS[kind]} element`, op);
    const rec = { ...ADD_DEFAULTS[kind], ...PARSERS[kind](payload) } as NewRecord<typeof kind>;
    const given = uuidAttr(payload);
    const withUuid = given ? { ...rec, uuid: given } : rec;
    const key = keyOf(kind, payload);
    if (key) guardFile(kind, key, op);
    const r = ctx.store.add(kind, withUuid, { external });
    if (!r.ok) storeFault(r.error, op);
    ctx.onChanged();
    return ret(escapeXml(r.value.uuid));
  }

  function get(kind: EntityKind, args: Parsed, op: string): Result {
    const ref = requireRef(kind, args, op);
    const r = ctx.store.get(kind, ref);
    if (!r.ok) {
      const where = 'key' in ref ? fileOwner(kind, ref.key) : undefined;
      if (where) readOnlyFault(kind, 'key' in ref ? ref.key : '', where, op);
      storeFault(r.error, op);
    }
    const lineDevices =
      kind === 'line'
        ? ctx.getDirectory().appearancesByLine.get('key' in ref ? ref.key : lineKey(String(field(r.value, 'pattern')), (field(r.value, 'routePartitionName') as string | null) ?? null))?.map((a) => a.device)
        : undefined;
    return ret(renderRecord(kind, r.value, { list: false, returnedTags: returnedTagSet(field(args, 'returnedTags')), lineDevices: lineDevices ? [...new Set(lineDevices)] : [] }));
  }

  function list(kind: EntityKind, args: Parsed, op: string): Result {
    const criteria = field(args, 'searchCriteria');
    const where: Record<string, string> = {};
    for (const f of SEARCH[kind]) {
      const v = text(field(criteria, f));
      if (v !== undefined) where[f] = v;
    }
    const first = int(field(args, 'first'));
    const query: ListQuery<typeof kind> = { where, first, skip: int(field(args, 'skip')) };
    const tags = returnedTagSet(field(args, 'returnedTags'));
    const rows = ctx.store.list(kind, query).map((rec) => renderRecord(kind, rec, { list: true, returnedTags: tags }));
    return ret(rows.join(''));
  }

  function update(kind: EntityKind, args: Parsed, op: string): Result {
    const ref = requireRef(kind, args, op);
    guardFile(kind, ref, op);
    const patch: Record<string, unknown> = { ...PARSERS[kind](args) };
    delete patch[KEY_FIELD[kind]];
    if (kind === 'line') delete patch['routePartitionName'];
    if (kind === 'phone') Object.assign(patch, phoneLineEdits(ctx.store, ref, args, op));
    const rename = text(field(args, RENAME_FIELD[kind]));
    if (rename) patch[KEY_FIELD[kind]] = rename;
    // issue 7: "treat an empty element as absent" — strict clients send <newRoutePartitionName/> unset
    const newPartition = kind === 'line' ? text(field(args, 'newRoutePartitionName')) : undefined;
    if (newPartition) patch['routePartitionName'] = newPartition;
    const r = ctx.store.update(kind, ref, patch, { external });
    if (!r.ok) storeFault(r.error, op);
    ctx.onChanged();
    return ret(escapeXml(r.value.uuid));
  }

  function remove(kind: EntityKind, args: Parsed, op: string): Result {
    const ref = requireRef(kind, args, op);
    guardFile(kind, ref, op);
    const r = ctx.store.remove(kind, ref);
    if (!r.ok) storeFault(r.error, op);
    ctx.onChanged();
    return ret(escapeXml(r.value.uuid));
  }

  function listChange(args: Parsed): Result {
    const start = field(args, 'startChangeId');
    const startId = int(start);
    const queueId = (start && typeof start === 'object' && (start as { attributes?: Record<string, string> }).attributes?.['queueId']) || undefined;
    const types = items(field(field(args, 'objectList'), 'object')).map(text).filter((t): t is ChangeType => !!t);
    const current = ctx.store.listChanges(0, undefined, 0);
    const sinceId = startId === undefined || (queueId !== undefined && queueId !== current.queueId) ? 0 : startId - 1;
    const page = ctx.store.listChanges(sinceId, types, 1000);
    const next = page.changes.length ? page.changes[page.changes.length - 1]!.id + 1 : Math.max(sinceId + 1, 1);
    const changes = page.changes.map(
      (c) => `<change type="${escapeXml(c.type)}" uuid="${escapeXml(c.uuid)}">${el('id', c.id)}${el('action', c.action)}${el('doGet', c.action === 'r' ? 'false' : 'true')}</change>`,
    );
    const queueInfo = wrap('queueInfo', [el('firstChangeId', page.firstChangeId), el('lastChangeId', page.lastChangeId), el('nextStartChangeId', next), el('queueId', page.queueId)]);
    return { $xml: queueInfo + wrap('changes', changes) };
  }

  const methods: Record<string, (args: Parsed) => Result> = {
    getCCMVersion: () => ret(wrap('componentVersion', [el('version', ctx.ccmVersion)])),
    listChange,
  };
  const verbs = { add, get, list, update, remove } as const;
  for (const [object, kind] of Object.entries(AXL_OBJECTS)) {
    for (const [verb, fn] of Object.entries(verbs)) {
      const op = `${verb}${object}`;
      methods[op] = (args) => fn(kind, args ?? {}, op);
    }
  }
  return guard(methods);
}

/** Our bugs surface to the client as a clean AXL fault (and are rethrown to the log hook). */
function guard(methods: Record<string, (args: Parsed) => Result>): Record<string, (args: Parsed) => Result> {
  const out: Record<string, (args: Parsed) => Result> = {};
  for (const [op, fn] of Object.entries(methods)) {
    out[op] = (args) => {
      try {
        return fn(args);
      } catch (e) {
        if (isAxlFault(e)) throw e;
        throw axlFault(-1, `internal error in ${op}: ${(e as Error).message}`, op);
      }
    };
  }
  return out;
}
