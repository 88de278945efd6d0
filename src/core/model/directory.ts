/**
 * Directory snapshot: the immutable, merged view of dialplan files and the directory store that the
 * core reads (DESIGN.md "Who owns which data"). CUCM concepts: partitions, calling search spaces,
 * presence groups, devices with line appearances and BLF speed dials, route patterns, trunks.
 *
 * Rule 1: a snapshot is never mutated; a change builds a new one (`buildDirectory`) and swaps it in.
 * Rule 2: every object remembers where it came from (`Origin`), so errors and AXL faults can name
 *         the file and line that owns it.
 * Rule 3: a null partition is the CUCM "<None>" partition; a null CSS is "<None>" (user unknown).
 */

/** Where an object was defined: a dialplan file (read-only over AXL) or the store. */
export type Origin =
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'store' }
  | { readonly kind: 'builtin' };

export type DeviceProtocol = 'sip' | 'sccp';
export type TrunkTransport = 'udp' | 'tcp' | 'tls' | 'ws';

/** Presence group permission towards another group (AXL `subscriptionPermission`). */
export type PresencePermission = 'allow' | 'disallow' | 'system-default';

export const STANDARD_PRESENCE_GROUP = 'Standard Presence Group';

/** `Internal_PT`; lines and patterns live in partitions, CSSs list them in search order. */
export interface Partition {
  readonly name: string;
  readonly description?: string;
  readonly origin: Origin;
}

/** Calling search space: ordered partition names; the first partition holding a target wins. */
export interface CallingSearchSpace {
  readonly name: string;
  readonly description?: string;
  readonly partitions: readonly string[];
  readonly origin: Origin;
}

/** A presence group and its permissions *towards* other groups (directional, AXL semantics). */
export interface PresenceGroup {
  readonly name: string;
  readonly description?: string;
  /** target group name → permission for watchers in this group to see presentities in that group */
  readonly permissions: ReadonlyMap<string, PresencePermission>;
  readonly origin: Origin;
}

export interface User {
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly presenceGroup: string;
  /** User SUBSCRIBE CSS; null = <None>. Applies when the user is logged in / assigned to the device. */
  readonly subscribeCss: string | null;
  /** Devices the user is administratively assigned to (controlled devices / owner). */
  readonly devices: readonly string[];
  readonly origin: Origin;
}

/** A directory number in a partition (CUCM "line"). */
export interface Line {
  readonly dn: string;
  readonly partition: string | null;
  readonly description?: string;
  readonly alertingName?: string;
  /**
   * Directory URI (CUCM "Directory URI" of a line): `user@host`, or `user` meaning `user@<domain>`.
   * A SUBSCRIBE or call to that URI finds the line through the same partitions as its DN.
   */
  readonly directoryUri?: string;
  readonly presenceGroup: string;
  readonly origin: Origin;
}

/** A line on a device button (device × index × line), with up to 5 associated users. */
export interface LineAppearance {
  /** 1-based button position */
  readonly index: number;
  readonly dn: string;
  readonly partition: string | null;
  readonly label?: string;
  readonly display?: string;
  /** users associated with this line appearance (≤ 5); used by the PUBLISH trunk */
  readonly users: readonly string[];
  /** CUCM maxNumCalls (default 2) and busyTrigger (default 1) */
  readonly maxCalls: number;
  readonly busyTrigger: number;
}

export type BlfTarget =
  | { readonly kind: 'dn'; readonly dn: string; readonly partition?: string | null }
  | { readonly kind: 'uri'; readonly uri: string };

/** Admin-configured BLF speed dial: exempt from presence groups, subject to the SUBSCRIBE CSS. */
export interface BlfSpeedDial {
  readonly index: number;
  readonly label?: string;
  readonly target: BlfTarget;
  /** associatedBlfSdFeatures: Pickup */
  readonly pickup: boolean;
}

export interface Device {
  readonly name: string;
  readonly protocol: DeviceProtocol;
  readonly model: string;
  readonly description?: string;
  readonly ownerUser?: string;
  /** device SUBSCRIBE CSS; null = <None> */
  readonly subscribeCss: string | null;
  /** calling CSS used to route calls and authorize pickup; null = <None> */
  readonly callingCss: string | null;
  readonly presenceGroup: string;
  readonly lines: readonly LineAppearance[];
  readonly blfSpeedDials: readonly BlfSpeedDial[];
  /** digest password for SIP devices (sample dialplans only; production data comes from the store) */
  readonly digestPassword?: string;
  /** phone quirk option: put at most one <dialog> in each dialog-info document */
  readonly singleDialogPerDocument: boolean;
  readonly origin: Origin;
}

/** Unified CM digit pattern (`8XXX`, `9.[2-9]XXXXXX`, `!`) in a partition, pointing at a trunk. */
export interface RoutePattern {
  readonly pattern: string;
  readonly partition: string | null;
  readonly trunk: string;
  readonly description?: string;
  readonly origin: Origin;
}

/** SIP route pattern: a domain (`partner.test`, `*.partner.test`) in a partition, pointing at a trunk. */
export interface SipRoutePattern {
  readonly domain: string;
  readonly partition: string | null;
  readonly trunk: string;
  readonly description?: string;
  readonly origin: Origin;
}

export interface Trunk {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: TrunkTransport;
  /** source addresses (IP or CIDR) allowed to send requests in over this trunk; others get 403 */
  readonly accessList: readonly string[];
  readonly subscribeCss: string | null;
  readonly callingCss: string | null;
  readonly presenceGroup: string;
  /** domain used in Request-URIs sent out this trunk (defaults to host) */
  readonly domain?: string;
  /** digest credentials this trunk answers challenges with */
  readonly username?: string;
  readonly password?: string;
  readonly origin: Origin;
}

/** Service / enterprise parameters (CUCM names in the comments). */
export interface ServiceParameters {
  /** cluster SIP domain, e.g. acme.test */
  readonly domain: string;
  /** "Default Inter-Presence Group Subscription" */
  readonly interPresenceGroupPolicy: 'allow' | 'disallow';
  /** "BLF for Call Lists" */
  readonly blfForCallLists: boolean;
  /** "BLF Status Depicts DND" */
  readonly blfStatusDepictsDnd: boolean;
  /** "IMP PUBLISH Trunk": trunk name or null (off) */
  readonly impPublishTrunk: string | null;
  /** subscription expiry policy, seconds */
  readonly subscribeDefaultExpires: number;
  readonly subscribeMinExpires: number;
  readonly subscribeMaxExpires: number;
  /** PUBLISH expiry towards the IM server, seconds */
  readonly publishExpires: number;
  /** registration expiry policy, seconds */
  readonly registerDefaultExpires: number;
  readonly registerMinExpires: number;
  readonly registerMaxExpires: number;
  /** digit collection inter-digit timeout (T302), milliseconds */
  readonly interDigitTimeoutMs: number;
}

export const DEFAULT_SERVICE_PARAMETERS: ServiceParameters = {
  domain: 'localhost',
  interPresenceGroupPolicy: 'allow',
  blfForCallLists: true,
  blfStatusDepictsDnd: false,
  impPublishTrunk: null,
  subscribeDefaultExpires: 3600,
  subscribeMinExpires: 60,
  subscribeMaxExpires: 7200,
  publishExpires: 3600,
  registerDefaultExpires: 3600,
  registerMinExpires: 60,
  registerMaxExpires: 7200,
  interDigitTimeoutMs: 3000,
};

/** Key of a line: DN plus partition (`1001/Internal_PT`, or `1001/` for the <None> partition). */
export type LineKey = string;

export function lineKey(dn: string, partition: string | null | undefined): LineKey {
  return `${dn}/${partition ?? ''}`;
}

/** Where a line appears: which device, which button. */
export interface AppearanceRef {
  readonly device: string;
  readonly index: number;
}

/** The immutable snapshot the core reads. Build it with `buildDirectory`. */
/** The index key of a directory URI: `user@host` in lower case, the host defaulting to `domain`. */
export function directoryUriKey(uri: string, domain: string): string {
  const bare = uri.replace(/^sips?:/i, '');
  return (bare.includes('@') ? bare : `${bare}@${domain}`).toLowerCase();
}

export interface Directory {
  /** increases with every swap; lets adapters tell snapshots apart */
  readonly generation: number;
  readonly params: ServiceParameters;
  readonly partitions: ReadonlyMap<string, Partition>;
  readonly callingSearchSpaces: ReadonlyMap<string, CallingSearchSpace>;
  readonly presenceGroups: ReadonlyMap<string, PresenceGroup>;
  readonly users: ReadonlyMap<string, User>;
  readonly devices: ReadonlyMap<string, Device>;
  readonly lines: ReadonlyMap<LineKey, Line>;
  readonly routePatterns: readonly RoutePattern[];
  readonly sipRoutePatterns: readonly SipRoutePattern[];
  readonly trunks: ReadonlyMap<string, Trunk>;
  /** derived: line key → appearances on devices, in device-name order */
  readonly appearancesByLine: ReadonlyMap<LineKey, readonly AppearanceRef[]>;
  /** derived: DN → line keys holding it (one per partition) */
  readonly linesByDn: ReadonlyMap<string, readonly LineKey[]>;
  /** derived: directory URI (`user@host`, lower case) → line keys holding it (one per partition) */
  readonly linesByUri: ReadonlyMap<string, readonly LineKey[]>;
  /** derived: user id → devices where the user is associated with a line appearance */
  readonly appearanceUsers: ReadonlyMap<string, readonly AppearanceRef[]>;
}
