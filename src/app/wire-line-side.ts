/**
 * Wires the line side (issue 4, registrar + B2BUA + BLF pickup) into one gateway: REGISTER, INVITE,
 * BYE, UPDATE, INFO and OPTIONS on the SIP endpoint, 2xx ACKs, closed connections, and the engine
 * inputs (`RegistrationChanged`, `CallEvent`) through `ctx.engine.submit`.
 */
import { createResponse, type ServerTransaction } from '../sip/index.js';
import { B2buaCalls, DeviceAuthenticator, Registrar, type RouteToTrunk } from '../adapters/b2bua/index.js';
import type { CallLegControl, CallLegListener, LocalCallRequest, LocalEndpointPort } from '../core/index.js';
import type { Closable, GatewayContext } from './gateway-context.js';

export interface LineSideWiring extends Closable {
  readonly registrar: Registrar;
  readonly calls: B2buaCalls;
  /** the trunk engineer's seam (route-pattern targets); unset = 503 */
  setRouteToTrunk(route: RouteToTrunk | undefined): void;
  /** the SCCP seam (issue 5): devices registered over Skinny, reached by the B2BUA; unset = SIP only */
  setLocalEndpoints(port: LocalEndpointPort | undefined): void;
  /** calls dialled on SCCP phones enter the B2BUA here */
  placeLocalCall(request: LocalCallRequest, listener: CallLegListener): CallLegControl;
}

export async function wireLineSide(ctx: GatewayContext): Promise<LineSideWiring> {
  const log = ctx.logger.child({ component: 'line-side' });
  const stack = ctx.sip.stack;
  const directory = () => ctx.directory.directory;
  const auth = new DeviceAuthenticator(ctx.digest, directory, ctx.config.requireDigest);
  const registrar = new Registrar({ directory, auth, clock: stack.clock, now: Date.now, submit: (i) => void ctx.engine.submit(i) });
  const calls = new B2buaCalls({
    directory, auth, bindings: registrar.bindings, stack, now: Date.now,
    submit: (e) => void ctx.engine.submit(e),
    contactFor: (flow) => ctx.sip.contactFor(flow),
    logger: log,
  });
  const guarded = (what: string, fn: (tx: ServerTransaction) => void) => (tx: ServerTransaction) => {
    try {
      fn(tx);
    } catch (err) {
      log.error(`${what} failed`, { err: String((err as Error)?.stack ?? err) });
      if (tx.lastResponse === undefined || tx.lastResponse.status < 200) tx.reply(500, 'Server Internal Error');
    }
  };
  ctx.sip.onRequest('REGISTER', guarded('REGISTER', (tx) => registrar.handle(tx)));
  ctx.sip.onRequest('INVITE', guarded('INVITE', (tx) => calls.handleInvite(tx)));
  for (const m of ['BYE', 'UPDATE', 'INFO']) ctx.sip.onRequest(m, guarded(m, (tx) => calls.handleInDialog(tx)));
  try {
    ctx.sip.onRequest('OPTIONS', (tx) => {
      const res = createResponse(tx.request, 200, 'OK', { toTag: true });
      res.headers.set('Allow', ctx.sip.allowedMethods().join(', '));
      tx.respond(res);
    });
  } catch (err) {
    log.debug('OPTIONS already handled elsewhere', { err: String(err) });
  }
  ctx.sip.onAck((ack) => calls.handleAck(ack));
  const transport = stack.transport;
  const previous = transport.delegate.onFlowClosed;
  transport.delegate.onFlowClosed = (flow) => {
    previous?.(flow);
    registrar.flowClosed(flow);
  };
  return {
    registrar,
    calls,
    setRouteToTrunk(route) {
      calls.setRouteToTrunk(route);
    },
    setLocalEndpoints(port) {
      calls.setLocalEndpoints(port);
    },
    placeLocalCall(request, listener) {
      return calls.placeLocalCall(request, listener);
    },
    async close() {
      calls.close();
      registrar.close();
    },
  };
}
