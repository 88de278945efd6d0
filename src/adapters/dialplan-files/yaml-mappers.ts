/**
 * Field mappers from dialplan YAML shapes to core model objects (defaults per schema.json).
 * Rule 1: absent references are the CUCM "<None>" (null); absent presence groups are Standard.
 * Rule 2: DNs are strings (`1001` and `"1001"` are the same DN).
 */
import {
  DEFAULT_SERVICE_SETTINGS,
  STANDARD_PRESENCE_GROUP,
  type BlfSpeedDial,
  type Device,
  type LineAppearance,
  type PresencePermission,
  type ServiceParameters,
  type ServiceSettings,
  type Trunk,
  type User,
} from '../../core/index.js';
import type * as Y from './dialplan-file-types.js';

/** CUCM permission labels → model values. */
export const PERMISSION: Record<Y.YamlPermission, PresencePermission> = {
  Allowed: 'allow',
  Disallowed: 'disallow',
  'Use System Default': 'system-default',
};

/** `undefined` → null (<None>). */
export function ref(value: Y.YamlRef): string | null {
  return value ?? null;
}

export function dnOf(value: Y.YamlDn): string {
  return String(value);
}

function appearanceOf(a: Y.YamlAppearance): LineAppearance {
  return {
    index: a.index,
    dn: dnOf(a.dn),
    partition: ref(a.partition),
    label: a.label,
    display: a.display,
    users: [...(a.users ?? [])],
    maxCalls: a.maxCalls ?? 2,
    busyTrigger: a.busyTrigger ?? 1,
  };
}

function speedDialOf(b: Y.YamlBlf): BlfSpeedDial {
  const target: BlfSpeedDial['target'] =
    b.uri !== undefined
      ? { kind: 'uri', uri: b.uri }
      : { kind: 'dn', dn: dnOf(b.dn ?? ''), partition: ref(b.partition) };
  return { index: b.index, label: b.label, target, pickup: b.pickup ?? false };
}

export function deviceOf(p: Y.YamlPhone, origin: Device['origin']): Device {
  return {
    name: p.name,
    protocol: p.protocol,
    model: p.model,
    description: p.description,
    ownerUser: p.owner,
    subscribeCss: ref(p.subscribeCss),
    callingCss: ref(p.callingCss),
    presenceGroup: p.presenceGroup ?? STANDARD_PRESENCE_GROUP,
    lines: (p.lines ?? []).map(appearanceOf),
    blfSpeedDials: (p.blfSpeedDials ?? []).map(speedDialOf),
    digestPassword: p.digestPassword,
    singleDialogPerDocument: p.singleDialogPerDocument ?? false,
    origin,
  };
}

export function trunkOf(t: Y.YamlTrunk, origin: Trunk['origin']): Trunk {
  return {
    name: t.name,
    host: t.destination.host,
    port: t.destination.port ?? 5060,
    transport: t.destination.transport ?? 'udp',
    accessList: [...(t.accessList ?? [])],
    subscribeCss: ref(t.subscribeCss),
    callingCss: ref(t.callingCss),
    presenceGroup: t.presenceGroup ?? STANDARD_PRESENCE_GROUP,
    domain: t.domain,
    username: t.credentials?.username,
    password: t.credentials?.password,
    origin,
  };
}

/** User with its controlled devices: the listed ones plus every phone it owns. */
export function userOf(u: Y.YamlUser, owned: readonly string[], origin: User['origin']): User {
  const devices = [...(u.devices ?? [])];
  for (const d of owned) if (!devices.includes(d)) devices.push(d);
  return {
    id: u.id,
    firstName: u.firstName,
    lastName: u.lastName,
    presenceGroup: u.presenceGroup ?? STANDARD_PRESENCE_GROUP,
    subscribeCss: ref(u.subscribeCss),
    devices,
    origin,
  };
}

export function paramsOf(s: Y.YamlService): Partial<ServiceParameters> {
  const p: Record<string, unknown> = { ...s };
  delete p.ports;
  if (s.interPresenceGroupPolicy !== undefined) {
    p.interPresenceGroupPolicy = s.interPresenceGroupPolicy === 'Allowed' ? 'allow' : 'disallow';
  }
  return p as Partial<ServiceParameters>;
}

export function settingsOf(ports: Y.YamlPorts | undefined): ServiceSettings {
  const d = DEFAULT_SERVICE_SETTINGS;
  return {
    sipPort: ports?.sip ?? d.sipPort,
    sipTlsPort: ports?.sipTls ?? d.sipTlsPort,
    sipTransports: [...(ports?.sipTransports ?? d.sipTransports)],
    tlsCertFile: ports?.tlsCert ?? d.tlsCertFile,
    tlsKeyFile: ports?.tlsKey ?? d.tlsKeyFile,
    sccpPort: ports?.sccp ?? d.sccpPort,
    axlPort: ports?.axl ?? d.axlPort,
    wsPort: ports?.ws ?? d.wsPort,
    httpPort: ports?.http ?? d.httpPort,
  };
}
