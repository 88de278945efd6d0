/**
 * The directory as the Skinny layer needs it (issue 5): RegisterReq lookup, line instance ↔ line
 * appearance, the phone's identity on a line, and the SDP that stands for its media.
 *
 * Rule 1: only a device of protocol `sccp` registers over Skinny; a known model whose Skinny device
 *         type differs from the RegisterReq's (sccp-facts.md §5) is refused as well → RegisterReject.
 * Rule 2: line buttons follow the appearance index order: line instance n = the n-th appearance.
 * Rule 3: BLF speed dials with a DN target only (dialplan validation refuses URI targets on SCCP).
 * Rule 4: the SDP is built from what the phone reported: station IP (RegisterReq), RTP port (IpPort)
 *         and payload capabilities (CapabilitiesRes); no media is relayed (RFC 4566 syntax).
 */
import { lineKey, type AppearanceRef, type Device, type Directory, type Identity, type LineAppearance } from '../../core/index.js';
import { DeviceType, PayloadCapability, type RegisteredDevice, type SccpDeviceRecord } from '../../sccp/index.js';

/** Rule 1: model name → Skinny device type, for the models the sccp layer knows. */
function expectedDeviceType(model: string): number | undefined {
  const m = /(\d{4})/.exec(model);
  if (!m) return /communicator/i.test(model) ? DeviceType.ipCommunicator : undefined;
  return (DeviceType as Record<string, number>)[`cisco${m[1]}`];
}

/** The device's appearances in button order (Rule 2). */
export function lineButtons(device: Device): readonly LineAppearance[] {
  return [...device.lines].sort((a, b) => a.index - b.index);
}

/** RegisterReq lookup (Rules 1-3); undefined → RegisterReject. */
export function lookupSccpDevice(dir: Directory, name: string, deviceType: number): SccpDeviceRecord | undefined {
  const device = dir.devices.get(name);
  if (!device || device.protocol !== 'sccp') return undefined;
  const expected = expectedDeviceType(device.model);
  if (expected !== undefined && expected !== deviceType) return undefined;
  return {
    lines: lineButtons(device).map((la) => ({
      dn: la.dn,
      label: la.label ?? la.dn,
      displayName: la.display ?? dir.lines.get(lineKey(la.dn, la.partition))?.alertingName ?? la.dn,
    })),
    blfSpeedDials: device.blfSpeedDials.flatMap((sd) =>
      sd.target.kind === 'dn' ? [{ index: sd.index, label: sd.label ?? sd.target.dn, targetDn: sd.target.dn }] : []),
    ...(device.ownerUser ? { userName: device.ownerUser } : {}),
  };
}

/** Line instance (1-based) → appearance, or undefined for a non-line button. */
export function appearanceOf(dir: Directory, device: string, lineInstance: number): { ref: AppearanceRef; la: LineAppearance } | undefined {
  const d = dir.devices.get(device);
  const la = d ? lineButtons(d)[Math.max(1, lineInstance) - 1] : undefined;
  return la ? { ref: { device, index: la.index }, la } : undefined;
}

/** Appearance index → line instance (0 when the device does not carry it). */
export function lineInstanceOf(dir: Directory, app: AppearanceRef): number {
  const d = dir.devices.get(app.device);
  return d ? lineButtons(d).findIndex((la) => la.index === app.index) + 1 : 0;
}

/** The phone's identity on one appearance (dialog-info local party / caller id). */
export function identityOf(dir: Directory, la: LineAppearance): Identity {
  const display = la.display ?? dir.lines.get(lineKey(la.dn, la.partition))?.alertingName;
  return { uri: `sip:${la.dn}@${dir.params.domain}`, ...(display ? { display } : {}) };
}

const RTP_MAP: ReadonlyArray<[capability: number, pt: number, rtpmap: string]> = [
  [PayloadCapability.g711Ulaw, 0, 'PCMU/8000'],
  [PayloadCapability.g711Alaw, 8, 'PCMA/8000'],
  [PayloadCapability.g722, 9, 'G722/8000'],
  [PayloadCapability.g729, 18, 'G729/8000'],
  [PayloadCapability.g729AnnexA, 18, 'G729/8000'],
];

/** Rule 4: an SDP offer/answer for the phone (port 9 "discard" when it never sent IpPort). */
export function sdpFor(device: RegisteredDevice, sessionId: number): string {
  const pts: Array<[number, string]> = [];
  for (const cap of device.capabilities) {
    const m = RTP_MAP.find(([c]) => c === cap);
    if (m && !pts.some(([pt]) => pt === m[1])) pts.push([m[1], m[2]]);
  }
  if (pts.length === 0) pts.push([0, 'PCMU/8000']);
  const ip = device.stationIp || '0.0.0.0';
  return [
    'v=0', `o=- ${sessionId} 1 IN IP4 ${ip}`, `s=${device.deviceName}`, `c=IN IP4 ${ip}`, 't=0 0',
    `m=audio ${device.rtpPort ?? 9} RTP/AVP ${pts.map(([pt]) => pt).join(' ')}`,
    ...pts.map(([pt, map]) => `a=rtpmap:${pt} ${map}`), 'a=sendrecv', '',
  ].join('\r\n');
}
