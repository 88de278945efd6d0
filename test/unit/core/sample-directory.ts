/**
 * Test helper: a small enterprise directory (the shape of the sample dialplan in issue 2) built with
 * buildDirectory, plus tiny constructors so tests state only what matters to them.
 */
import {
  buildDirectory,
  STANDARD_PRESENCE_GROUP,
  type Device,
  type Directory,
  type DirectoryParts,
  type LineAppearance,
  type Origin,
  type PresencePermission,
  type ServiceParameters,
} from '../../../src/core/index.js';

export const ORIGIN: Origin = { kind: 'builtin' };

export function appearance(index: number, dn: string, partition: string | null, users: string[] = []): LineAppearance {
  return { index, dn, partition, users, maxCalls: 2, busyTrigger: 1 };
}

export function device(name: string, over: Partial<Device> = {}): Device {
  return {
    name,
    protocol: 'sip',
    model: 'Cisco 8845',
    subscribeCss: 'Internal_CSS',
    callingCss: 'Internal_CSS',
    presenceGroup: STANDARD_PRESENCE_GROUP,
    lines: [],
    blfSpeedDials: [],
    singleDialogPerDocument: false,
    origin: ORIGIN,
    ...over,
  };
}

function group(name: string, perms: Record<string, PresencePermission> = {}) {
  return { name, permissions: new Map(Object.entries(perms)), origin: ORIGIN };
}

/** The sample enterprise; `params` and `extra` let a test vary it. */
export function sampleParts(params: Partial<ServiceParameters> = {}): DirectoryParts {
  const internal = (dn: string) => ({ dn, partition: 'Internal_PT', presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN });
  const phone = (n: string, over: Partial<Device> = {}) =>
    device(`SEP00000000${n}`, { lines: [appearance(1, n, 'Internal_PT')], ...over });
  return {
    params: { domain: 'acme.test', ...params },
    partitions: ['Internal_PT', 'Exec_PT', 'Trunk_PT'].map((name) => ({ name, origin: ORIGIN })),
    callingSearchSpaces: [
      { name: 'Internal_CSS', partitions: ['Internal_PT', 'Exec_PT', 'Trunk_PT'], origin: ORIGIN },
      { name: 'Restricted_CSS', partitions: ['Internal_PT'], origin: ORIGIN },
    ],
    presenceGroups: [
      group(STANDARD_PRESENCE_GROUP),
      group('Executives'),
      group('Contractors', { Executives: 'disallow', [STANDARD_PRESENCE_GROUP]: 'allow' }),
    ],
    users: [
      { id: 'alice', presenceGroup: STANDARD_PRESENCE_GROUP, subscribeCss: 'Restricted_CSS', devices: ['SEP000000001004'], origin: ORIGIN },
    ],
    lines: [
      ...['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009'].map(internal),
      { dn: '2001', partition: 'Exec_PT', presenceGroup: 'Executives', origin: ORIGIN },
      { dn: '2002', partition: 'Exec_PT', presenceGroup: 'Executives', origin: ORIGIN },
      { dn: '3001', partition: 'Internal_PT', presenceGroup: 'Contractors', origin: ORIGIN },
    ],
    devices: [
      phone('1001'),
      phone('1002'),
      phone('1003'),
      phone('1004'),
      device('SEP000000001005', {
        lines: [appearance(1, '1005', 'Internal_PT'), appearance(2, '2001', 'Exec_PT')],
        blfSpeedDials: [{ index: 3, target: { kind: 'dn', dn: '2001' }, pickup: true }],
      }),
      phone('1006', { subscribeCss: 'Restricted_CSS' }),
      phone('1009', { subscribeCss: null }),
      device('SEP00000000C007', { protocol: 'sccp', model: 'Cisco 7962', lines: [appearance(1, '1007', 'Internal_PT')] }),
      device('SEP00000000C008', { protocol: 'sccp', model: 'Cisco 7962', lines: [appearance(1, '1008', 'Internal_PT')] }),
      device('SEP000000002001', { presenceGroup: 'Executives', lines: [appearance(1, '2001', 'Exec_PT')] }),
      device('SEP000000002002', { presenceGroup: 'Executives', lines: [appearance(1, '2002', 'Exec_PT')] }),
      device('SEP000000003001', {
        presenceGroup: 'Contractors',
        lines: [appearance(1, '3001', 'Internal_PT')],
        blfSpeedDials: [{ index: 2, target: { kind: 'dn', dn: '2001' }, pickup: false }],
      }),
    ],
    routePatterns: [{ pattern: '8XXX', partition: 'Trunk_PT', trunk: 'cluster-b', origin: ORIGIN }],
    sipRoutePatterns: [{ domain: 'partner.test', partition: 'Trunk_PT', trunk: 'partner', origin: ORIGIN }],
    trunks: [
      { name: 'cluster-b', host: 'cluster-b.test', port: 5060, transport: 'udp', accessList: [], subscribeCss: 'Internal_CSS', callingCss: 'Internal_CSS', presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN },
      { name: 'partner', host: 'partner.test', port: 5060, transport: 'tcp', accessList: [], subscribeCss: null, callingCss: null, presenceGroup: 'Contractors', origin: ORIGIN },
      { name: 'imp', host: 'imp.acme.test', port: 5060, transport: 'tcp', accessList: [], subscribeCss: null, callingCss: null, presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN },
    ],
  };
}

export function sampleDirectory(params: Partial<ServiceParameters> = {}, generation = 1): Directory {
  return buildDirectory(sampleParts(params), generation);
}
