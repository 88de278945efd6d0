/**
 * RFC 4235 dialog-info+xml renderer (blf-facts §1.2, §3).
 *
 * Rule 1: always `state="full"`; `version` is the subscription's own counter (RFC 4235 §4.1: "0 for
 *         the first document of a subscription, +1 for each").
 * Rule 2: never an empty document: an idle or unknown line renders one terminated `<dialog>`
 *         (empty dialog-info left Yealink lamps stuck, OpenSIPS PR 1193).
 * Rule 3: every active dialog carries call-id, local-tag, remote-tag and direction plus local/remote
 *         identity and target, so phones can build `Replaces` for directed pickup.
 * Rule 4: `singleDialogPerDocument` keeps the most interesting dialog only
 *         (early > confirmed > proceeding > trying > terminated, as Kamailio force_single_dialog).
 * Rule 5: the version is the only per-watcher part: `renderDialogInfoParts` renders the rest once
 *         (a fan-out to thousands of watchers) and the document is `head + version + tail`.
 */
import type { DialogState, Identity, LineDialog } from '../engine/engine-io.js';
import type { LineSnapshot } from '../line-state/index.js';
import { attrs, escapeXml, xmlId, XML_DECLARATION } from './xml.js';

export const DIALOG_INFO_NAMESPACE = 'urn:ietf:params:xml:ns:dialog-info';

export interface DialogInfoInput {
  /** monitored URI (`sip:2001@acme.test`) */
  readonly entity: string;
  readonly version: number;
  readonly snapshot: Pick<LineSnapshot, 'dn' | 'state' | 'dialogs'>;
  readonly singleDialogPerDocument: boolean;
}

const INTEREST: Record<DialogState, number> = { early: 4, confirmed: 3, proceeding: 2, trying: 1, terminated: 0 };

/** Rule 4: the dialog a single-dialog phone should see. */
export function pickMostInteresting(dialogs: readonly LineDialog[]): LineDialog | undefined {
  let best: LineDialog | undefined;
  for (const d of dialogs) if (!best || INTEREST[d.state] > INTEREST[best.state]) best = d;
  return best;
}

function renderParty(tag: 'local' | 'remote', who: Identity, held: boolean): string {
  const identity = `<identity${attrs([['display', who.display]])}>${escapeXml(who.uri)}</identity>`;
  // Asterisk convention for hold: +sip.rendering=no on the local target (blf-facts §1.2)
  const param = held ? '<param pname="+sip.rendering" pvalue="no"/>' : '';
  const target = param ? `<target${attrs([['uri', who.uri]])}>${param}</target>` : `<target${attrs([['uri', who.uri]])}/>`;
  return `    <${tag}>${identity}${target}</${tag}>`;
}

function renderDialog(d: LineDialog): string[] {
  const head = `  <dialog${attrs([
    ['id', d.id],
    ['call-id', d.callId],
    ['local-tag', d.localTag],
    ['remote-tag', d.remoteTag],
    ['direction', d.direction],
  ])}>`;
  const state = `    <state${attrs([['event', d.state === 'terminated' ? d.terminationEvent : undefined]])}>${d.state}</state>`;
  return [head, state, renderParty('local', d.local, d.held === true), renderParty('remote', d.remote, false), '  </dialog>'];
}

/** The document around its version number (Rule 5). */
export interface VersionedDocumentParts {
  readonly head: string;
  readonly tail: string;
}

/** Renders one full dialog-info document without its version (Rules 1-5). */
export function renderDialogInfoParts(input: Omit<DialogInfoInput, 'version'>): VersionedDocumentParts {
  const { snapshot } = input;
  const live = snapshot.state === 'unknown' ? [] : snapshot.dialogs;
  const chosen = input.singleDialogPerDocument ? [pickMostInteresting(live)].filter((d) => d !== undefined) : live;
  const body =
    chosen.length === 0
      ? [`  <dialog${attrs([['id', xmlId('idle-', snapshot.dn)]])}><state>terminated</state></dialog>`]
      : chosen.flatMap(renderDialog);
  const head = `${XML_DECLARATION}\n<dialog-info${attrs([['xmlns', DIALOG_INFO_NAMESPACE]])} version="`;
  const rootRest = `"${attrs([['state', 'full'], ['entity', input.entity]])}>`;
  return { head, tail: [rootRest, ...body, '</dialog-info>', ''].join('\n') };
}

/** Renders one full dialog-info document (Rules 1-4). */
export function renderDialogInfo(input: DialogInfoInput): string {
  const { head, tail } = renderDialogInfoParts(input);
  return `${head}${input.version}${tail}`;
}
