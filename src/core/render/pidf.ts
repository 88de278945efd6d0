/**
 * PIDF (RFC 3863) with the Cisco RPID namespaces that Cisco phones read for BLF (blf-facts §2, §3).
 *
 * Rule 1: namespaces as Cisco uses them: `e` = urn:ietf:params:xml:ns:pidf:status:rpid (draft-era,
 *         NOT RFC 4480's), `ce` = urn:cisco:params:xml:ns:pidf:rpid, `dm` data model, `sc` servcaps.
 * Rule 2: idle → open, no activities; ringing → ce:alerting; busy → e:on-the-phone; dnd → ce:dnd,
 *         combined with the call activity when the DND flag is set; unknown → closed, no activities.
 * Rule 3: tuple and person ids are valid xs:IDs (`cmp-<dn>-1`, `p-<dn>`), never starting with a digit.
 */
import type { LineSnapshot } from '../line-state/index.js';
import { attrs, escapeXml, xmlId, XML_DECLARATION } from './xml.js';

export const PIDF_NAMESPACES = {
  pidf: 'urn:ietf:params:xml:ns:pidf',
  dm: 'urn:ietf:params:xml:ns:pidf:data-model',
  e: 'urn:ietf:params:xml:ns:pidf:status:rpid',
  ce: 'urn:cisco:params:xml:ns:pidf:rpid',
  sc: 'urn:ietf:params:xml:ns:pidf:servcaps',
} as const;

export interface PidfInput {
  readonly entity: string;
  readonly snapshot: Pick<LineSnapshot, 'dn' | 'state' | 'dnd'>;
}

/** Rule 2: the activity elements for a line state. */
export function pidfActivities(snapshot: Pick<LineSnapshot, 'state' | 'dnd'>): string[] {
  const out: string[] = [];
  if (snapshot.state === 'ringing') out.push('<ce:alerting/>');
  if (snapshot.state === 'busy') out.push('<e:on-the-phone/>');
  if (snapshot.state === 'dnd' || (snapshot.dnd && snapshot.state !== 'unknown')) out.push('<ce:dnd/>');
  return out;
}

/** Renders one PIDF document (Rules 1-3). */
export function renderPidf(input: PidfInput): string {
  const { snapshot } = input;
  const basic = snapshot.state === 'unknown' ? 'closed' : 'open';
  const activities = pidfActivities(snapshot);
  const root = `<presence${attrs([
    ['xmlns', PIDF_NAMESPACES.pidf],
    ['xmlns:dm', PIDF_NAMESPACES.dm],
    ['xmlns:e', PIDF_NAMESPACES.e],
    ['xmlns:ce', PIDF_NAMESPACES.ce],
    ['xmlns:sc', PIDF_NAMESPACES.sc],
    ['entity', input.entity],
  ])}>`;
  return [
    XML_DECLARATION,
    root,
    `  <tuple${attrs([['id', xmlId('cmp-', `${snapshot.dn}-1`)]])}>`,
    `    <status><basic>${basic}</basic></status>`,
    '    <sc:servcaps><sc:audio>true</sc:audio></sc:servcaps>',
    `    <contact priority="0.8">${escapeXml(input.entity)}</contact>`,
    '  </tuple>',
    `  <dm:person${attrs([['id', xmlId('p-', snapshot.dn)]])}>`,
    `    <status><basic>${basic}</basic></status>`,
    ...(activities.length > 0 ? [`    <e:activities>${activities.join('')}</e:activities>`] : []),
    '  </dm:person>',
    '</presence>',
    '',
  ].join('\n');
}
