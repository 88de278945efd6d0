/**
 * Sends one out-of-dialog request out a trunk and settles with its final answer: a SIP response,
 * a transaction timeout or a transport failure (DESIGN.md: adapters feed failures back as values).
 *
 * Rule 1: one digest challenge (401/407) is answered with the trunk's credentials; a second one
 *         is returned as the final answer (no loop).
 * Rule 2: never throws for peer or network trouble; only our bugs throw.
 */
import {
  answerChallenge, getCSeq, type Destination, type SipRequest, type SipResponse, type SipStack,
} from '../../sip/index.js';
import type { Trunk } from '../../core/index.js';

export type TrunkAnswer =
  | { readonly kind: 'response'; readonly response: SipResponse; readonly request: SipRequest }
  | { readonly kind: 'timeout'; readonly request: SipRequest }
  | { readonly kind: 'transport-error'; readonly reason: string; readonly request: SipRequest };

/** Where a trunk's requests go (host, port, transport from the dialplan). */
export function trunkDestination(trunk: Trunk): Destination {
  return { transport: trunk.transport, host: trunk.host, port: trunk.port };
}

/** Rule 1 and 2. */
export function sendToTrunk(stack: SipStack, trunk: Trunk, request: SipRequest): Promise<TrunkAnswer> {
  const destination = trunkDestination(trunk);
  return new Promise((resolve) => {
    let challenged = false;
    const send = (req: SipRequest): void => {
      stack.sendRequest(req, {
        destination,
        delegate: {
          onResponse: (res) => {
            if (res.status < 200) return;
            if ((res.status === 401 || res.status === 407) && !challenged && trunk.username !== undefined) {
              const retry = answerChallenge(req, res, { username: trunk.username, password: trunk.password ?? '' });
              if (retry !== null) {
                challenged = true;
                return send(retry);
              }
            }
            resolve({ kind: 'response', response: res, request: req });
          },
          onTimeout: () => resolve({ kind: 'timeout', request: req }),
          onTransportError: (err) => resolve({ kind: 'transport-error', reason: err.reason, request: req }),
        },
      });
    };
    send(request);
  });
}

/** CSeq number of a request we built (for callers that keep counting after a challenge). */
export function cseqOf(request: SipRequest): number {
  return getCSeq(request)?.seq ?? 1;
}
