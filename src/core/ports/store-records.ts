/**
 * Pure helpers over store records: keys, AXL uuids, LIKE matching, and the mapping of store records
 * to the core Directory model (`toDirectoryParts`). Shared by every DirectoryStore implementation.
 */
import {
  STANDARD_PRESENCE_GROUP,
  lineKey,
  type BlfSpeedDial,
  type Device,
  type DirectoryParts,
  type Origin,
} from '../model/index.js';
import type {
  ChangeType,
  EntityKind,
  EntityMap,
  StoredBlfSpeedDial,
  StoredPhone,
} from './directory-store.js';

export const STORE_ORIGIN: Origin = { kind: 'store' };

export const CHANGE_TYPES: Readonly<Record<EntityKind, ChangeType>> = {
  user: 'User',
  phone: 'Phone',
  line: 'Line',
  partition: 'RoutePartition',
  css: 'Css',
  presenceGroup: 'PresenceGroup',
};

/** The unique key of a record: userid, name, or `pattern/partition` for lines. */
export function recordKey<K extends EntityKind>(kind: K, record: Omit<EntityMap[K], 'uuid'>): string {
  const r = record as unknown as Record<string, unknown>;
  switch (kind) {
    case 'user':
      return String(r['userid']);
    case 'line':
      return lineKey(String(r['pattern']), (r['routePartitionName'] as string | null) ?? null);
    default:
      return String(r['name']);
  }
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** AXL format `{UPPERCASE-GUID}`, or undefined when `text` is not a GUID. */
export function normalizeUuid(text: string): string | undefined {
  const m = GUID.exec(text.trim());
  return m ? `{${m[1]!.toUpperCase()}}` : undefined;
}

/** A deterministic AXL uuid from a counter (for the in-memory store and tests). */
export function counterUuid(n: number): string {
  const hex = n.toString(16).toUpperCase().padStart(12, '0');
  return `{00000000-0000-4000-8000-${hex}}`;
}

/** SQL LIKE (`%`, `_`, case-insensitive) as a RegExp. */
export function likeToRegExp(pattern: string): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'i');
}

function blfToModel(b: StoredBlfSpeedDial): BlfSpeedDial {
  const dest = b.blfDest?.trim();
  if (dest) {
    const isUri = dest.includes('@') || /^sips?:/i.test(dest);
    return {
      index: b.index,
      label: b.label,
      pickup: b.pickup,
      target: isUri ? { kind: 'uri', uri: dest } : { kind: 'dn', dn: dest },
    };
  }
  return {
    index: b.index,
    label: b.label,
    pickup: b.pickup,
    target: { kind: 'dn', dn: b.blfDirn ?? '', partition: b.routePartition ?? null },
  };
}

function phoneToDevice(p: StoredPhone): Device {
  return {
    name: p.name,
    protocol: p.protocol,
    model: p.product,
    description: p.description,
    ownerUser: p.ownerUserName ?? undefined,
    subscribeCss: p.subscribeCallingSearchSpaceName,
    callingCss: p.callingSearchSpaceName,
    presenceGroup: p.presenceGroupName ?? STANDARD_PRESENCE_GROUP,
    lines: p.lines.map((l) => ({
      index: l.index,
      dn: l.pattern,
      partition: l.routePartitionName,
      label: l.label,
      display: l.display,
      users: [...l.associatedEndusers],
      maxCalls: l.maxNumCalls,
      busyTrigger: l.busyTrigger,
    })),
    blfSpeedDials: p.busyLampFields.map(blfToModel),
    digestPassword: p.digestPassword,
    singleDialogPerDocument: false,
    origin: STORE_ORIGIN,
  };
}

/** Store rows → directory parts (Origin {kind:'store'}). */
export function toDirectoryParts(rows: { readonly [K in EntityKind]: readonly EntityMap[K][] }): DirectoryParts {
  return {
    partitions: rows.partition.map((p) => ({ name: p.name, description: p.description, origin: STORE_ORIGIN })),
    callingSearchSpaces: rows.css.map((c) => ({
      name: c.name,
      description: c.description,
      partitions: [...c.members],
      origin: STORE_ORIGIN,
    })),
    presenceGroups: rows.presenceGroup.map((g) => ({
      name: g.name,
      description: g.description,
      permissions: new Map(g.permissions.map((p) => [p.group, p.permission])),
      origin: STORE_ORIGIN,
    })),
    lines: rows.line.map((l) => ({
      dn: l.pattern,
      partition: l.routePartitionName,
      description: l.description,
      alertingName: l.alertingName,
      presenceGroup: l.presenceGroupName ?? STANDARD_PRESENCE_GROUP,
      origin: STORE_ORIGIN,
    })),
    devices: rows.phone.map(phoneToDevice),
    users: rows.user.map((u) => ({
      id: u.userid,
      firstName: u.firstName,
      lastName: u.lastName,
      presenceGroup: u.presenceGroupName ?? STANDARD_PRESENCE_GROUP,
      subscribeCss: u.subscribeCallingSearchSpaceName,
      devices: [...u.associatedDevices],
      origin: STORE_ORIGIN,
    })),
  };
}

/** The line key a phone's line appearance points at. */
export function lineKeyOfAppearance(l: { readonly pattern: string; readonly routePartitionName: string | null }): string {
  return lineKey(l.pattern, l.routePartitionName);
}
