/**
 * A B2BUA call once answered or picked up: two `BridgedLeg`s, each our dialog with one phone (or the
 * trunk), and the in-dialog requests relayed between them (call-model.ts Rule 1; RFC 3261 §12, §14).
 *
 * Rule 1: BYE from either side is answered 200 and sent on to the other; the call then ends with
 *         `local-bye` on the side that sent it and `remote-bye` on the other.
 * Rule 2: re-INVITE, UPDATE and INFO are relayed with their bodies; a relayed re-INVITE's 2xx is
 *         ACKed by us; a re-INVITE whose SDP holds (RFC 3264 §8.4) shows the leg held.
 * Rule 3: a CSeq not above the last one is refused with 500 (RFC 3261 §12.2.2).
 */
import {
  createAckFor2xx, createRequestInDialog, createResponse, getCSeq, resolveTarget,
  type DialogState, type ServerTransaction,
} from '../../sip/index.js';
import { transitionInbound, transitionOutbound } from './call-leg-fsm.js';
import { bodyHeaders, incomingKey, isHoldSdp, type BridgedLeg, type Call } from './call-model.js';
import type { CallContext, LegRef } from './call-context.js';

export class CallBridge {
  constructor(private readonly ctx: CallContext) {}

  /** The call is answered: [caller side, `peer`]; incoming requests of both dialogs now reach it. */
  bridge(call: Call, callerDialog: DialogState, peer: BridgedLeg): void {
    const callerLeg: BridgedLeg = {
      role: 'caller', appearance: call.inbound.appearance, dialog: callerDialog, lineDialogId: `${call.id}:a`,
      local: call.inbound.identity, remote: peer.local, held: false,
    };
    call.bridge = [callerLeg, peer];
    this.ctx.dialogs.set(incomingKey(callerDialog), { call, side: 0 });
    this.ctx.dialogs.set(incomingKey(peer.dialog), { call, side: 1 });
    this.ctx.events.emitBridged(call, peer, 'confirmed');
  }

  /** BYE, re-INVITE, UPDATE, INFO on one side of a bridged call (Rules 1-3). */
  inDialog(tx: ServerTransaction, ref: LegRef): void {
    const { call, side } = ref;
    const req = tx.request;
    const [me, other] = side === 0 ? call.bridge! : [call.bridge![1], call.bridge![0]];
    if (rejectStaleCSeq(tx, me)) return;
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      this.ctx.send(createRequestInDialog(other.dialog, 'BYE'), other.dialog.flow);
      return this.end(call, side);
    }
    if (req.method === 'INVITE' && req.body.length > 0) {
      me.held = isHoldSdp(req.body);
      this.ctx.events.emitLeg(call, me, 'confirmed');
    }
    this.relay(tx, other);
  }

  /** One side vanished (transport error / timeout in a bridged call): BYE the other side. */
  hangUp(call: Call, lost: 0 | 1): void {
    const other = call.bridge![lost === 0 ? 1 : 0];
    this.ctx.send(createRequestInDialog(other.dialog, 'BYE'), other.dialog.flow);
    this.end(call, lost);
  }

  /** Rule 2. */
  private relay(tx: ServerTransaction, other: BridgedLeg): void {
    const req = tx.request;
    const deps = this.ctx.deps;
    const out = createRequestInDialog(other.dialog, req.method, {
      headers: [['Contact', `<${deps.contactFor(other.dialog.flow ?? tx.flow)}>`], ...bodyHeaders(req)],
      body: req.body,
    });
    this.ctx.send(out, other.dialog.flow, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (req.method === 'INVITE' && res.status < 300) {
          const ack = createAckFor2xx(other.dialog, out);
          deps.stack.sendStateless(ack, other.dialog.flow ?? resolveTarget(ack)).catch(() => undefined);
        }
        tx.respond(createResponse(req, res.status, res.reason, {
          headers: [['Contact', `<${deps.contactFor(tx.flow)}>`], ...bodyHeaders(res)], body: res.body,
        }));
      },
      onTimeout: () => void tx.reply(408, 'Request Timeout'),
      onTransportError: () => void tx.reply(503, 'Service Unavailable'),
    });
  }

  /** Rule 1. */
  private end(call: Call, byeFrom: 0 | 1): void {
    const [a, b] = call.bridge!;
    this.ctx.events.emitLeg(call, a, 'terminated', byeFrom === 0 ? 'local-bye' : 'remote-bye');
    this.ctx.events.emitLeg(call, b, 'terminated', byeFrom === 1 ? 'local-bye' : 'remote-bye');
    if (call.inbound.state === 'confirmed') call.inbound.state = transitionInbound(call.inbound.state, byeFrom === 0 ? 'bye-received' : 'bye-sent');
    for (const f of call.forks) if (f.state === 'confirmed') f.state = transitionOutbound(f.state, byeFrom === 1 ? 'bye-received' : 'bye-sent');
    this.ctx.finish(call);
  }
}

/** Rule 3; true when refused. */
export function rejectStaleCSeq(tx: ServerTransaction, me: BridgedLeg): boolean {
  const cseq = getCSeq(tx.request)?.seq ?? 0;
  if (me.dialog.remoteSeq !== null && cseq <= me.dialog.remoteSeq && tx.request.method !== 'ACK') {
    tx.reply(500, 'CSeq Out Of Order');
    return true;
  }
  me.dialog.remoteSeq = cseq;
  return false;
}
