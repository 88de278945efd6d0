/**
 * Reads the `<dialog>` elements of an RFC 4235 dialog-info document into the core's `LineDialog`
 * values: what a phone PUBLISHes about its own line (RFC 3903 line-side publication) and what a
 * remote cluster NOTIFYs to the trunk relay (issue 6). Pure, so both adapters share it.
 *
 * Rule 1: a small, bounded reader for the RFC 4235 subset phones send (attributes of `<dialog>`,
 *         `<state>`, `<local>/<remote>` identity) of a well-formed document whose root is
 *         `<dialog-info>` (xml-well-formed.ts); anything unreadable is a peer error (400).
 * Rule 2: XML entities in attribute and text values are decoded.
 */
import type { DialogDirection, DialogState, LineDialog } from '../engine/engine-io.js';
import { readXmlRoot } from './xml-well-formed.js';

const STATES: ReadonlySet<string> = new Set(['trying', 'proceeding', 'early', 'confirmed', 'terminated']);
const MAX_DIALOGS = 32;
/** a start tag's attributes: a quoted value may hold `>` */
const ATTRIBUTES = `(?:[^>"']|"[^"]*"|'[^']*')*`;
const IDENTITY = new RegExp(`<(?:\\w+:)?identity\\b(${ATTRIBUTES})>([^<]*)<\\/(?:\\w+:)?identity>`);

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const l = e.toLowerCase();
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'amp') return '&';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    return String.fromCodePoint(l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
  });
}

function attrs(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_:][-\w:.]*)\s*=\s*("([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(tag); m !== null; m = re.exec(tag)) out.set(m[1]!, decodeXml(m[3] ?? m[4] ?? ''));
  return out;
}

function identityIn(section: string | undefined): { uri: string; display?: string } | undefined {
  if (section === undefined) return undefined;
  const m = IDENTITY.exec(section);
  if (m === null) return undefined;
  const display = attrs(m[1]!).get('display');
  const uri = decodeXml(m[2]!.trim());
  return display === undefined ? { uri } : { uri, display };
}

/** The dialogs of a dialog-info document, or a reason it cannot be read. */
export function parseDialogInfo(xml: string, entity: string): { dialogs: LineDialog[] } | { error: string } {
  const doc = readXmlRoot(xml);
  if ('error' in doc) return { error: `malformed XML: ${doc.error}` };
  if (!/^(?:\w+:)?dialog-info$/.test(doc.root)) return { error: 'not a dialog-info document' };
  const dialogs: LineDialog[] = [];
  const re = new RegExp(`<(?:\\w+:)?dialog(?=[\\s>])(${ATTRIBUTES})>([\\s\\S]*?)<\\/(?:\\w+:)?dialog>`, 'g');
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) {
    if (dialogs.length >= MAX_DIALOGS) return { error: 'too many dialogs' };
    const a = attrs(m[1]!);
    const inner = m[2]!;
    const id = a.get('id');
    const stateMatch = /<(?:\w+:)?state\b[^>]*>\s*([a-z]+)\s*</.exec(inner);
    const state = stateMatch?.[1];
    if (!id || state === undefined || !STATES.has(state)) return { error: 'dialog without id or state' };
    const local = identityIn(/<(?:\w+:)?local\b[^>]*>([\s\S]*?)<\/(?:\w+:)?local>/.exec(inner)?.[1]) ?? { uri: entity };
    const remote = identityIn(/<(?:\w+:)?remote\b[^>]*>([\s\S]*?)<\/(?:\w+:)?remote>/.exec(inner)?.[1]) ?? { uri: 'sip:unknown@invalid' };
    const direction: DialogDirection = a.get('direction') === 'initiator' ? 'initiator' : 'recipient';
    const d: LineDialog = {
      id,
      callId: a.get('call-id') ?? id,
      localTag: a.get('local-tag'),
      remoteTag: a.get('remote-tag'),
      direction,
      state: state as DialogState,
      local,
      remote,
    };
    dialogs.push(d);
  }
  return { dialogs };
}
