/**
 * Moves a B2BUA call's legs through the leg FSMs (call-leg-fsm.ts) and emits the CallEvents the BLF
 * needs for each visible change (call-dialogs.ts): the caller's appearance, each SIP fork's callee
 * appearance, and both sides of a bridged call.
 *
 * Rule 1: the engine sees exactly one event per visible change (b2bua-calls.ts Rule 2).
 * Rule 2: ids stay one per appearance: `<call>:a` for the caller, `<call>:b<n>` per fork,
 *         `<call>:p` for a picker; a trunk leg emits nothing (no appearance of ours).
 */
import { tagOf } from '../../sip/index.js';
import type { CallEvent } from '../../core/index.js';
import { transitionInbound, transitionOutbound, dialogStateOf, type InboundInput, type OutboundInput } from './call-leg-fsm.js';
import { callerEvent, calleeEvent, calleeVisible, type TerminationEvent } from './call-dialogs.js';
import { callIdOf, type BridgedLeg, type Call, type OutboundLeg } from './call-model.js';

export class CallEvents {
  constructor(private readonly submit: (event: CallEvent) => void) {}

  moveInbound(call: Call, input: InboundInput, event?: TerminationEvent): void {
    const before = call.inbound.state;
    call.inbound.state = transitionInbound(before, input);
    if (call.inbound.state !== before || input === 'reject') this.emitCaller(call, event);
  }

  moveFork(call: Call, leg: OutboundLeg, input: OutboundInput, event?: TerminationEvent): void {
    leg.state = transitionOutbound(leg.state, input);
    const state = dialogStateOf(leg.state);
    if (leg.state === 'confirmed' && !call.bridge) return; // shown by the bridge
    if (leg.trunk || !calleeVisible(state, leg.shown)) return;
    leg.shown = state !== 'terminated';
    this.submit(calleeEvent(leg.appearance, {
      id: `${call.id}:b${leg.n}`, callId: callIdOf(leg.invite), state,
      ...(leg.remoteTag ? { localTag: leg.remoteTag } : {}),
      remoteTag: tagOf(leg.invite.headers.get('from')),
      ...(event ? { terminationEvent: event } : {}),
      local: call.calleeIdentity, remote: call.inbound.identity,
    }));
  }

  endFork(call: Call, leg: OutboundLeg, input: OutboundInput, event: TerminationEvent): void {
    if (leg.state === 'terminated') return;
    this.moveFork(call, leg, input, event);
  }

  emitCaller(call: Call, event?: TerminationEvent): void {
    const st = dialogStateOf(call.inbound.state);
    this.submit(callerEvent(call.inbound.appearance, {
      id: `${call.id}:a`, callId: callIdOf(call.inbound.invite), state: st,
      localTag: tagOf(call.inbound.invite.headers.get('from')), remoteTag: call.inbound.localTag,
      ...(event ? { terminationEvent: event } : {}),
      local: call.inbound.identity, remote: call.calleeIdentity,
    }));
  }

  emitBridged(call: Call, peer: BridgedLeg, state: 'confirmed'): void {
    if (peer.role === 'callee') {
      const leg = call.forks.find((f) => `${call.id}:b${f.n}` === peer.lineDialogId);
      if (leg) leg.shown = true;
    }
    this.emitLeg(call, peer, state);
  }

  /** Events of a bridged leg; the caller side goes through emitCaller's ids (Rule 2). */
  emitLeg(call: Call, leg: BridgedLeg, state: 'confirmed' | 'terminated', event?: TerminationEvent): void {
    if (leg.role === 'trunk') return;
    const view = {
      id: leg.lineDialogId, callId: leg.dialog.callId, state,
      localTag: leg.dialog.remoteTag, remoteTag: leg.dialog.localTag,
      ...(event ? { terminationEvent: event } : {}),
      local: leg.local, remote: leg.remote, held: leg.held,
    };
    if (leg.role === 'caller') this.submit(callerEvent(leg.appearance, view));
    else this.submit(calleeEvent(leg.appearance, view));
  }
}
