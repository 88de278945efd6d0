/**
 * What the parts of a B2BUA call share (b2bua-calls.ts and the files it is split into: sip-forks,
 * local-forks, call-bridge, call-pickup): the adapter's dependencies, the call and dialog tables,
 * the event emitter, and the few call-wide operations one part asks of another.
 *
 * Rule 1: B2buaCalls builds the one context and owns its tables; the parts never hold each other.
 */
import type {
  ClientTransaction, ClientTransactionDelegate, Destination, DialogState, Flow, ServerTransaction, SipRequest, SipResponse, SipStack,
} from '../../sip/index.js';
import type { CallEvent, Device, Directory } from '../../core/index.js';
import type { CallTarget } from './call-routing.js';
import type { BridgedLeg, Call, LocalLeg, OutboundLeg } from './call-model.js';
import type { CallEvents } from './call-events.js';
import type { DeviceAuthenticator } from './device-auth.js';
import type { RegistrarBindings } from './registrar-bindings.js';

export interface CallsLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The trunk engineer's seam: take a call routed to a trunk; return false to have us answer 503. */
export type RouteToTrunk = (tx: ServerTransaction, target: Extract<CallTarget, { kind: 'route' }>, caller: Device) => boolean;

export interface CallsDeps {
  readonly directory: () => Directory;
  readonly auth: DeviceAuthenticator;
  readonly bindings: RegistrarBindings;
  readonly stack: SipStack;
  readonly now: () => number;
  readonly submit: (event: CallEvent) => void;
  /** our Contact URI on a flow */
  readonly contactFor: (flow: Flow) => string;
  readonly logger: CallsLogger;
  routeToTrunk?: RouteToTrunk;
}

/** Which side of a bridged call an incoming dialog id names. */
export type LegRef = { readonly call: Call; readonly side: 0 | 1 };

export interface CallContext {
  readonly deps: CallsDeps;
  readonly calls: ReadonlyMap<string, Call>;
  /** dialog id as seen by incoming requests → bridged side */
  readonly dialogs: Map<string, LegRef>;
  readonly events: CallEvents;
  send(req: SipRequest, flow: Flow | undefined, delegate?: ClientTransactionDelegate, destination?: Destination): ClientTransaction | undefined;
  /**
   * Ends every fork still ringing, SIP and local, but `keep`: `elsewhere` = another fork or a picker
   * won (RFC 3326 Reason on the CANCELs); `replaced` = the fork a picker's Replaces named.
   */
  endForks(call: Call, why: 'cancelled' | 'elsewhere', keep?: OutboundLeg | LocalLeg, replaced?: OutboundLeg): void;
  /** a tagged 18x to the caller, with early media when `early` has a body */
  relayRinging(call: Call, status: number, reason: string | undefined, early?: SipResponse): void;
  /** the call is answered: [caller side, `peer`] */
  bridge(call: Call, callerDialog: DialogState, peer: BridgedLeg): void;
  /** one side of a bridged call vanished: BYE the other */
  hangUp(call: Call, lost: 0 | 1): void;
  /** every fork failed → the caller hears `finalStatusOf` them */
  maybeFailCall(call: Call): void;
  finish(call: Call): void;
}
