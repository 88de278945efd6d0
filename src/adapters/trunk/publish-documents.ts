/**
 * The documents the PUBLISH trunk sends to the IM server for one user (CUCM "IMP PUBLISH Trunk",
 * blf-facts §2 and §3): PIDF with Cisco RPID for Event presence, dialog-info for Event dialog.
 *
 * Rule 1: the user's telephony status is one of: available, alerting, on-the-phone, busy (every
 *         line of the user is busy: no free appearance), dnd, offline (no registered device).
 * Rule 2: PIDF: offline → basic closed, nothing else; otherwise basic open with the RPID activities
 *         of blf-facts §2 (e:on-the-phone, e:busy, ce:alerting, ce:dnd) and a human `note`.
 * Rule 3: dialog-info: one `<dialog>` per line of the user that has a call (id `line-<dn>`):
 *         ringing → early recipient, busy → confirmed; idle lines have none (`state="full"` with no
 *         dialog = nothing going on). A published `<dialog>` in state terminated would end the
 *         publication at Kamailio's presence_dialoginfo ("Trying to update an already terminated
 *         state"), so the IM server never gets one.
 * Rule 4: ids are valid xs:IDs and every text is escaped (core render helpers).
 */
import {
  PIDF_NAMESPACES, DIALOG_INFO_NAMESPACE, XML_DECLARATION, attrs, escapeXml, xmlId, type BlfState,
} from '../../core/index.js';

export type TelephonyStatus = 'available' | 'alerting' | 'on-the-phone' | 'busy' | 'dnd' | 'offline';

export interface UserLineState {
  readonly dn: string;
  readonly state: BlfState;
}

export const PIDF_CONTENT_TYPE = 'application/pidf+xml';
export const DIALOG_INFO_CONTENT_TYPE = 'application/dialog-info+xml';

/** Rule 1. */
export function telephonyStatusOf(state: BlfState, lines: readonly UserLineState[]): TelephonyStatus {
  switch (state) {
    case 'unknown':
      return 'offline';
    case 'dnd':
      return 'dnd';
    case 'ringing':
      return 'alerting';
    case 'idle':
      return 'available';
    case 'busy': {
      const live = lines.filter((l) => l.state !== 'unknown');
      return live.length > 0 && live.every((l) => l.state === 'busy') ? 'busy' : 'on-the-phone';
    }
  }
}

const STATUS_NOTE: Record<TelephonyStatus, string> = {
  available: 'Available',
  alerting: 'Ringing',
  'on-the-phone': 'On the phone',
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

const STATUS_ACTIVITIES: Record<TelephonyStatus, string> = {
  available: '',
  alerting: '<ce:alerting/>',
  'on-the-phone': '<e:on-the-phone/>',
  busy: '<e:on-the-phone/><e:busy/>',
  dnd: '<ce:dnd/>',
  offline: '',
};

/** Rule 2: PIDF + Cisco RPID for one user. */
export function renderUserPidf(entity: string, user: string, status: TelephonyStatus): string {
  const basic = status === 'offline' ? 'closed' : 'open';
  const activities = STATUS_ACTIVITIES[status];
  return [
    XML_DECLARATION,
    `<presence${attrs([
      ['xmlns', PIDF_NAMESPACES.pidf], ['xmlns:dm', PIDF_NAMESPACES.dm], ['xmlns:e', PIDF_NAMESPACES.e],
      ['xmlns:ce', PIDF_NAMESPACES.ce], ['entity', entity],
    ])}>`,
    `  <tuple${attrs([['id', xmlId('cmp-', user)]])}>`,
    `    <status><basic>${basic}</basic></status>`,
    `    <contact priority="0.8">${escapeXml(entity)}</contact>`,
    `    <note>${STATUS_NOTE[status]}</note>`,
    '  </tuple>',
    `  <dm:person${attrs([['id', xmlId('p-', user)]])}>`,
    ...(activities ? [`    <e:activities>${activities}</e:activities>`] : []),
    '  </dm:person>',
    '</presence>',
    '',
  ].join('\n');
}

function dialogOf(line: UserLineState): string[] {
  const id = xmlId('line-', line.dn);
  if (line.state === 'ringing') return [`  <dialog${attrs([['id', id], ['direction', 'recipient']])}><state>early</state></dialog>`];
  if (line.state === 'busy') return [`  <dialog${attrs([['id', id]])}><state>confirmed</state></dialog>`];
  return [];
}

/** Rule 3: dialog-info (RFC 4235) for the user's lines. */
export function renderUserDialogInfo(entity: string, lines: readonly UserLineState[], version: number): string {
  const dialogs = lines.flatMap(dialogOf);
  return [
    XML_DECLARATION,
    `<dialog-info${attrs([['xmlns', DIALOG_INFO_NAMESPACE], ['version', version], ['state', 'full'], ['entity', entity]])}>`,
    ...dialogs,
    '</dialog-info>',
    '',
  ].join('\n');
}
