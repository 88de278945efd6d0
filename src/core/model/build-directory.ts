/**
 * Builds an immutable Directory snapshot from plain parts and derives its indexes.
 * Validation (unknown references, duplicates) is the dialplan validator's job; this builder only
 * indexes what it is given, so it stays cheap enough to run on every swap.
 */
import {
  DEFAULT_SERVICE_PARAMETERS,
  directoryUriKey,
  lineKey,
  type AppearanceRef,
  type CallingSearchSpace,
  type Device,
  type Directory,
  type Line,
  type LineKey,
  type Partition,
  type PresenceGroup,
  type RoutePattern,
  type ServiceParameters,
  type SipRoutePattern,
  type Trunk,
  type User,
} from './directory.js';

/** The plain parts of a directory, as the dialplan loader and the store produce them. */
export interface DirectoryParts {
  readonly params?: Partial<ServiceParameters>;
  readonly partitions?: readonly Partition[];
  readonly callingSearchSpaces?: readonly CallingSearchSpace[];
  readonly presenceGroups?: readonly PresenceGroup[];
  readonly users?: readonly User[];
  readonly devices?: readonly Device[];
  readonly lines?: readonly Line[];
  readonly routePatterns?: readonly RoutePattern[];
  readonly sipRoutePatterns?: readonly SipRoutePattern[];
  readonly trunks?: readonly Trunk[];
}

function byName<T>(items: readonly T[] | undefined, key: (t: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items ?? []) map.set(key(item), item);
  return map;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds a snapshot; `generation` should increase with every swap. */
export function buildDirectory(parts: DirectoryParts, generation = 1): Directory {
  const params: ServiceParameters = { ...DEFAULT_SERVICE_PARAMETERS, ...parts.params };
  const devices = byName(parts.devices, (d) => d.name);
  const lines = byName(parts.lines, (l) => lineKey(l.dn, l.partition));
  const appearancesByLine = new Map<LineKey, AppearanceRef[]>();
  const appearanceUsers = new Map<string, AppearanceRef[]>();
  const linesByDn = new Map<string, LineKey[]>();
  const linesByUri = new Map<string, LineKey[]>();
  for (const line of lines.values()) {
    pushTo(linesByDn, line.dn, lineKey(line.dn, line.partition));
    if (line.directoryUri) pushTo(linesByUri, directoryUriKey(line.directoryUri, params.domain), lineKey(line.dn, line.partition));
  }
  const deviceNames = [...devices.keys()].sort();
  for (const name of deviceNames) {
    const device = devices.get(name)!;
    for (const app of device.lines) {
      const ref: AppearanceRef = { device: name, index: app.index };
      pushTo(appearancesByLine, lineKey(app.dn, app.partition), ref);
      for (const user of app.users) pushTo(appearanceUsers, user, ref);
    }
  }
  return {
    generation,
    params,
    partitions: byName(parts.partitions, (p) => p.name),
    callingSearchSpaces: byName(parts.callingSearchSpaces, (c) => c.name),
    presenceGroups: byName(parts.presenceGroups, (g) => g.name),
    users: byName(parts.users, (u) => u.id),
    devices,
    lines,
    routePatterns: [...(parts.routePatterns ?? [])],
    sipRoutePatterns: [...(parts.sipRoutePatterns ?? [])],
    trunks: byName(parts.trunks, (t) => t.name),
    appearancesByLine,
    linesByDn,
    linesByUri,
    appearanceUsers,
  };
}

/** Looks up the appearance a ref points at (undefined when the directory changed under it). */
export function findAppearance(dir: Directory, ref: AppearanceRef) {
  return dir.devices.get(ref.device)?.lines.find((l) => l.index === ref.index);
}
