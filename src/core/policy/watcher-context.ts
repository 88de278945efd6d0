/**
 * Who is watching, in policy terms: which SUBSCRIBE CSS applies and which presence group the
 * watcher is in (DESIGN.md "Presence semantics", axl-facts §8 "Watcher side").
 *
 * Rule 1: a device uses its user's SUBSCRIBE CSS and presence group when a user is logged in to or
 *         administratively assigned to it (owner user first, then users listing the device), else
 *         its own. A user without a SUBSCRIBE CSS (<None> on the user) leaves the device's CSS in
 *         force, as CUCM does for devices whose user has no CSS of their own; the effective CSS
 *         being <None> is what makes a target "user unknown".
 * Rule 2: a trunk uses its own CSS and group; a user (explain) uses the user's.
 */
import type { Directory, User } from '../model/index.js';
import type { WatcherRef } from '../engine/engine-io.js';

export interface WatcherContext {
  /** SUBSCRIBE CSS name, null = <None> */
  readonly css: string | null;
  readonly presenceGroup: string;
  /** the user whose settings apply, if any */
  readonly user?: string;
  /** the device, when the watcher is a device */
  readonly device?: string;
  readonly trace: readonly string[];
}

/** Finds the user logged in to / assigned to a device: the owner, else the first user listing it. */
export function findDeviceUser(dir: Directory, deviceName: string): User | undefined {
  const device = dir.devices.get(deviceName);
  const owner = device?.ownerUser === undefined ? undefined : dir.users.get(device.ownerUser);
  if (owner) return owner;
  let found: User | undefined;
  for (const user of dir.users.values()) {
    if (user.devices.includes(deviceName) && (found === undefined || user.id < found.id)) found = user;
  }
  return found;
}

function cssLabel(css: string | null): string {
  return css === null ? '<None>' : css;
}

/** Resolves the watcher's CSS and presence group; undefined when the watcher is not in the directory. */
export function resolveWatcher(dir: Directory, watcher: WatcherRef): WatcherContext | undefined {
  if (watcher.kind === 'trunk') {
    const trunk = dir.trunks.get(watcher.name);
    if (!trunk) return undefined;
    return {
      css: trunk.subscribeCss,
      presenceGroup: trunk.presenceGroup,
      trace: [`watcher is trunk ${trunk.name}: using the trunk's SUBSCRIBE CSS ${cssLabel(trunk.subscribeCss)} and presence group ${trunk.presenceGroup}`],
    };
  }
  if (watcher.kind === 'user') {
    const user = dir.users.get(watcher.id);
    if (!user) return undefined;
    return {
      css: user.subscribeCss,
      presenceGroup: user.presenceGroup,
      user: user.id,
      trace: [`watcher is user ${user.id}: using the user's SUBSCRIBE CSS ${cssLabel(user.subscribeCss)} and presence group ${user.presenceGroup}`],
    };
  }
  const device = dir.devices.get(watcher.name);
  if (!device) return undefined;
  const user = findDeviceUser(dir, device.name);
  if (user) {
    const css = user.subscribeCss ?? device.subscribeCss;
    const whose = user.subscribeCss !== null ? "the user's" : "the device's (the user has none)";
    return {
      css,
      presenceGroup: user.presenceGroup,
      user: user.id,
      device: device.name,
      trace: [`watcher is device ${device.name}; user ${user.id} is assigned to it: using ${whose} SUBSCRIBE CSS ${cssLabel(css)} and the user's presence group ${user.presenceGroup}`],
    };
  }
  return {
    css: device.subscribeCss,
    presenceGroup: device.presenceGroup,
    device: device.name,
    trace: [`watcher is device ${device.name}; no user is assigned to it: using the device's SUBSCRIBE CSS ${cssLabel(device.subscribeCss)} and presence group ${device.presenceGroup}`],
  };
}
