/**
 * Store records ↔ AXL payloads, per object kind. Output fields follow the AXL 14.0 schema order
 * (RUser/LUser, RPhone/LPhone, RLine/LLine, …; zeep rejects any other order). Input parsing keeps
 * only the elements present and non-empty, so the same parser serves add (with defaults) and update.
 */
import { STANDARD_PRESENCE_GROUP } from '../../core/index.js';
import type {
  EntityKind,
  EntityMap,
  RecordPatch,
  StoredBlfSpeedDial,
  StoredLineAppearance,
  StoredPermission,
} from '../../core/ports/index.js';
import { el, field, has, int, items, renderObject, text, wrap, type OutField, type Parsed } from './axl-xml.js';

type Render<K extends EntityKind> = (rec: EntityMap[K]) => readonly OutField[];
type Parse<K extends EntityKind> = (x: Parsed) => RecordPatch<K>;

const PERMISSIONS: Readonly<Record<StoredPermission, string>> = {
  allow: 'Allow Subscription',
  disallow: 'Disallow Subscription',
  'system-default': 'Use System Default',
};

function permissionFromAxl(v: string | undefined): StoredPermission {
  const t = (v ?? '').toLowerCase();
  if (t.startsWith('allow')) return 'allow';
  if (t.startsWith('disallow')) return 'disallow';
  return 'system-default';
}

/** Sets `out[key]` when the element is present: empty → `empty`, else the mapped text. */
function opt<T>(out: Record<string, unknown>, x: Parsed, name: string, key: string, empty: T, map: (t: string) => unknown = (t) => t): void {
  if (!has(x, name)) return;
  const t = text(field(x, name));
  out[key] = t === undefined ? empty : map(t);
}

const renderUser: Render<'user'> = (u) => [
  ['firstName', el('firstName', u.firstName), true],
  ['displayName', el('displayName', u.displayName), false],
  ['middleName', el('middleName', u.middleName), true],
  ['lastName', el('lastName', u.lastName), true],
  ['userid', el('userid', u.userid), true],
  ['mailid', el('mailid', u.mailid), true],
  ['department', el('department', u.department), true],
  ['associatedDevices', wrap('associatedDevices', u.associatedDevices.map((d) => el('device', d))), false],
  [
    'primaryExtension',
    u.primaryExtension &&
      wrap('primaryExtension', [el('pattern', u.primaryExtension.pattern), el('routePartitionName', u.primaryExtension.routePartitionName ?? '')]),
    true,
  ],
  ['presenceGroupName', el('presenceGroupName', u.presenceGroupName ?? STANDARD_PRESENCE_GROUP), false],
  ['subscribeCallingSearchSpaceName', el('subscribeCallingSearchSpaceName', u.subscribeCallingSearchSpaceName ?? ''), true],
  ['directoryUri', el('directoryUri', u.directoryUri), true],
  ['telephoneNumber', el('telephoneNumber', u.telephoneNumber), true],
];

const parseUser: Parse<'user'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['firstName', 'displayName', 'middleName', 'lastName', 'userid', 'mailid', 'department', 'directoryUri', 'telephoneNumber']) {
    opt(out, x, f, f, undefined);
  }
  opt(out, x, 'presenceGroupName', 'presenceGroupName', null);
  opt(out, x, 'subscribeCallingSearchSpaceName', 'subscribeCallingSearchSpaceName', null);
  if (has(x, 'associatedDevices')) {
    out['associatedDevices'] = items(field(field(x, 'associatedDevices'), 'device')).map(text).filter((d): d is string => !!d);
  }
  if (has(x, 'primaryExtension')) {
    const pe = field(x, 'primaryExtension');
    const pattern = text(field(pe, 'pattern'));
    out['primaryExtension'] = pattern ? { pattern, routePartitionName: text(field(pe, 'routePartitionName')) ?? null } : undefined;
  }
  return out as RecordPatch<'user'>;
};

function renderAppearance(l: StoredLineAppearance): string {
  return wrap('line', [
    el('index', l.index),
    el('label', l.label),
    el('display', l.display),
    wrap('dirn', [el('pattern', l.pattern), el('routePartitionName', l.routePartitionName ?? '')]),
    el('maxNumCalls', l.maxNumCalls),
    el('busyTrigger', l.busyTrigger),
    wrap('associatedEndusers', l.associatedEndusers.map((u) => wrap('enduser', [el('userId', u)]))),
  ]);
}

function renderBlf(b: StoredBlfSpeedDial): string {
  return wrap('busyLampField', [
    el('blfDest', b.blfDest ?? ''),
    el('blfDirn', b.blfDirn),
    el('routePartition', b.routePartition),
    el('label', b.label),
    b.pickup ? wrap('associatedBlfSdFeatures', [el('feature', 'Pickup')]) : undefined,
    el('index', b.index),
  ]);
}

const renderPhone: Render<'phone'> = (p) => [
  ['name', el('name', p.name), true],
  ['description', el('description', p.description), true],
  ['product', el('product', p.product), true],
  ['model', el('model', p.product), true],
  ['class', el('class', 'Phone'), true],
  ['protocol', el('protocol', p.protocol.toUpperCase()), true],
  ['protocolSide', el('protocolSide', 'User'), true],
  ['callingSearchSpaceName', el('callingSearchSpaceName', p.callingSearchSpaceName ?? ''), true],
  ['devicePoolName', el('devicePoolName', p.devicePoolName ?? 'Default'), true],
  ['lines', wrap('lines', p.lines.map(renderAppearance)), false],
  ['busyLampFields', wrap('busyLampFields', p.busyLampFields.map(renderBlf)), false],
  ['ownerUserName', el('ownerUserName', p.ownerUserName ?? ''), true],
  ['subscribeCallingSearchSpaceName', el('subscribeCallingSearchSpaceName', p.subscribeCallingSearchSpaceName ?? ''), true],
  ['presenceGroupName', el('presenceGroupName', p.presenceGroupName ?? STANDARD_PRESENCE_GROUP), true],
];

/** One `line` (XPhoneLine) of a request. */
export function parseAppearance(x: Parsed): StoredLineAppearance {
  const dirn = field(x, 'dirn');
  return {
    index: int(field(x, 'index')) ?? 0,
    label: text(field(x, 'label')),
    display: text(field(x, 'display')),
    pattern: text(field(dirn, 'pattern')) ?? '',
    routePartitionName: text(field(dirn, 'routePartitionName')) ?? null,
    maxNumCalls: int(field(x, 'maxNumCalls')) ?? 2,
    busyTrigger: int(field(x, 'busyTrigger')) ?? 1,
    associatedEndusers: items(field(field(x, 'associatedEndusers'), 'enduser'))
      .map((e) => text(field(e, 'userId')))
      .filter((u): u is string => !!u),
  };
}

function parseBlf(x: Parsed): StoredBlfSpeedDial {
  const features = items(field(field(x, 'associatedBlfSdFeatures'), 'feature')).map(text);
  return {
    index: int(field(x, 'index')) ?? 0,
    label: text(field(x, 'label')),
    blfDest: text(field(x, 'blfDest')),
    blfDirn: text(field(x, 'blfDirn')),
    routePartition: text(field(x, 'routePartition')),
    pickup: features.some((f) => f?.toLowerCase() === 'pickup'),
  };
}

const parsePhone: Parse<'phone'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['name', 'description', 'product', 'devicePoolName']) opt(out, x, f, f, undefined);
  opt(out, x, 'protocol', 'protocol', undefined, (t) => t.toLowerCase());
  for (const f of ['callingSearchSpaceName', 'subscribeCallingSearchSpaceName', 'presenceGroupName', 'ownerUserName']) opt(out, x, f, f, null);
  if (has(x, 'lines')) out['lines'] = items(field(field(x, 'lines'), 'line')).map(parseAppearance);
  if (has(x, 'busyLampFields')) out['busyLampFields'] = items(field(field(x, 'busyLampFields'), 'busyLampField')).map(parseBlf);
  return out as RecordPatch<'phone'>;
};

const renderLine = (l: EntityMap['line'], devices: readonly string[]): readonly OutField[] => [
  ['pattern', el('pattern', l.pattern), true],
  ['description', el('description', l.description), true],
  ['usage', el('usage', l.usage), true],
  ['routePartitionName', el('routePartitionName', l.routePartitionName ?? ''), true],
  ['alertingName', el('alertingName', l.alertingName), true],
  ['presenceGroupName', el('presenceGroupName', l.presenceGroupName ?? STANDARD_PRESENCE_GROUP), true],
  ['associatedDevices', wrap('associatedDevices', devices.map((d) => el('device', d))), false],
];

const parseLine: Parse<'line'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['pattern', 'description', 'usage', 'alertingName']) opt(out, x, f, f, undefined);
  opt(out, x, 'routePartitionName', 'routePartitionName', null);
  opt(out, x, 'presenceGroupName', 'presenceGroupName', null);
  return out as RecordPatch<'line'>;
};

const renderPartition: Render<'partition'> = (p) => [
  ['name', el('name', p.name), true],
  ['description', el('description', p.description), true],
  ['partitionUsage', el('partitionUsage', 'General'), true],
];

const renderCss: Render<'css'> = (c) => [
  ['description', el('description', c.description), true],
  ['clause', el('clause', c.members.join(':')), true],
  ['members', wrap('members', c.members.map((m, i) => wrap('member', [el('routePartitionName', m), el('index', i + 1)]))), false],
  ['partitionUsage', el('partitionUsage', 'General'), true],
  ['name', el('name', c.name), true],
];

const parseCss: Parse<'css'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['name', 'description']) opt(out, x, f, f, undefined);
  if (has(x, 'members')) {
    out['members'] = items(field(field(x, 'members'), 'member'))
      .map((m) => ({ name: text(field(m, 'routePartitionName')), index: int(field(m, 'index')) ?? 0 }))
      .filter((m): m is { name: string; index: number } => !!m.name)
      .sort((a, b) => a.index - b.index)
      .map((m) => m.name);
  }
  return out as RecordPatch<'css'>;
};

const renderPresenceGroup: Render<'presenceGroup'> = (g) => [
  ['name', el('name', g.name), true],
  ['description', el('description', g.description), true],
  [
    'presenceGroups',
    wrap('presenceGroups', g.permissions.map((p) => wrap('presenceGroup', [el('presenceGroupName', p.group), el('subscriptionPermission', PERMISSIONS[p.permission])]))),
    false,
  ],
];

const parsePresenceGroup: Parse<'presenceGroup'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['name', 'description']) opt(out, x, f, f, undefined);
  if (has(x, 'presenceGroups')) {
    out['permissions'] = items(field(field(x, 'presenceGroups'), 'presenceGroup'))
      .map((p) => ({ group: text(field(p, 'presenceGroupName')), permission: permissionFromAxl(text(field(p, 'subscriptionPermission'))) }))
      .filter((p) => !!p.group);
  }
  return out as RecordPatch<'presenceGroup'>;
};

const parseNamed: Parse<'partition'> = (x) => {
  const out: Record<string, unknown> = {};
  for (const f of ['name', 'description']) opt(out, x, f, f, undefined);
  return out as RecordPatch<'partition'>;
};

/** Defaults for an add (AXL's schema defaults / CUCM behaviour). */
export const ADD_DEFAULTS: { readonly [K in EntityKind]: Partial<EntityMap[K]> } = {
  user: { presenceGroupName: null, subscribeCallingSearchSpaceName: null, associatedDevices: [] },
  phone: {
    product: 'Cisco 8845',
    callingSearchSpaceName: null,
    subscribeCallingSearchSpaceName: null,
    presenceGroupName: null,
    ownerUserName: null,
    lines: [],
    busyLampFields: [],
  },
  line: { usage: 'Device', routePartitionName: null, presenceGroupName: null },
  partition: {},
  css: { members: [] },
  presenceGroup: { permissions: [] },
};

export const PARSERS: { readonly [K in EntityKind]: Parse<K> } = {
  user: parseUser,
  phone: parsePhone,
  line: parseLine,
  partition: parseNamed,
  css: parseCss,
  presenceGroup: parsePresenceGroup,
};

/** Renders a record as its AXL element (`user`, `phone`, …). `lineDevices` feeds getLine's associatedDevices. */
export function renderRecord<K extends EntityKind>(
  kind: K,
  rec: EntityMap[K],
  opts: { readonly list: boolean; readonly returnedTags?: ReadonlySet<string>; readonly lineDevices?: readonly string[] },
): string {
  const fields = ((): readonly OutField[] => {
    switch (kind) {
      case 'user':
        return renderUser(rec as EntityMap['user']);
      case 'phone':
        return renderPhone(rec as EntityMap['phone']);
      case 'line':
        return renderLine(rec as EntityMap['line'], opts.lineDevices ?? []);
      case 'partition':
        return renderPartition(rec as EntityMap['partition']);
      case 'css':
        return renderCss(rec as EntityMap['css']);
      default:
        return renderPresenceGroup(rec as EntityMap['presenceGroup']);
    }
  })();
  return renderObject(AXL_TAGS[kind], rec.uuid, fields, opts);
}

/** AXL payload element names per kind. */
export const AXL_TAGS: Readonly<Record<EntityKind, string>> = {
  user: 'user',
  phone: 'phone',
  line: 'line',
  partition: 'routePartition',
  css: 'css',
  presenceGroup: 'presenceGroup',
};
