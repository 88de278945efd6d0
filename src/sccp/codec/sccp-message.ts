/**
 * The Skinny message model: one discriminated union (`type` = tshark 4.0.17 message name) over the
 * fixed-layout messages, the structured ones and `Unknown`, plus the id ↔ name tables.
 *
 * Rule 1: ids are the real Skinny ids (sccp-facts.md §2); ids < 0x80 are sent by the station.
 * Rule 2: a frame with an id we do not model decodes to `Unknown {id, payload}`, never to an error.
 */
import { FLAT_LAYOUTS, type FlatMessage, type FlatMessageName } from './flat-layouts.js';
import { STRUCTURED_IDS, type StructuredMessage } from './structured-messages.js';

/** A Skinny message with an id we do not model. */
export interface UnknownMessage {
  type: 'Unknown';
  id: number;
  payload: Uint8Array;
}

/** Every fixed-layout message, by name. */
export type FlatMessages = { [N in FlatMessageName]: FlatMessage<N> }[FlatMessageName];

/** Any Skinny message. */
export type SccpMessage = FlatMessages | StructuredMessage | UnknownMessage;

/** Name of a modelled message. */
export type SccpMessageName = Exclude<SccpMessage['type'], 'Unknown'>;

/** The message of a given name. */
export type SccpMessageOf<N extends SccpMessage['type']> = Extract<SccpMessage, { type: N }>;

/** Message id by name, for every modelled message. */
export const MESSAGE_IDS: Readonly<Record<SccpMessageName, number>> = Object.freeze({
  ...(Object.fromEntries(Object.entries(FLAT_LAYOUTS).map(([n, l]) => [n, l.id])) as Record<FlatMessageName, number>),
  ...STRUCTURED_IDS,
});

const NAMES_BY_ID: ReadonlyMap<number, SccpMessageName> = new Map(
  Object.entries(MESSAGE_IDS).map(([n, id]) => [id, n as SccpMessageName]),
);

/** The modelled message name of an id, if any. */
export function messageNameOf(id: number): SccpMessageName | undefined {
  return NAMES_BY_ID.get(id);
}

/** The wire id of a message. */
export function messageIdOf(msg: SccpMessage): number {
  return msg.type === 'Unknown' ? msg.id : MESSAGE_IDS[msg.type];
}

/** True for a message a station (phone) sends; false for one the CM sends. */
export function isStationMessage(id: number): boolean {
  return id < 0x80;
}
