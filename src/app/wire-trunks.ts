/**
 * Wires the trunk adapter (issue 6): the PUBLISH trunk on the engine's `publish` and
 * `line-state-changed` effects and on directory swaps; the outbound SUBSCRIBE relay on
 * `route-subscribe` / `route-unsubscribe` effects with NOTIFYs routed back from the SIP endpoint;
 * and the incoming-trunk access list.
 *
 * Rule 1: the relay seeds itself from the engine's routed subscriptions at wiring time, so those
 *         restored from the runtime store go back out their trunk whatever the wiring order.
 * Rule 2: a call to a route pattern (the B2BUA's RouteToTrunk seam) goes out as one B2BUA leg to
 *         the trunk's destination: a DN to `sip:<dn>@<trunk domain or host>`, a SIP route pattern
 *         target (foreign domain) with its Request-URI unchanged.
 */
import { createResponse, parseUri } from '../sip/index.js';
import { PublishTrunk, SubscribeRelay, sendToTrunk, trunkDestination, trunkForSource } from '../adapters/trunk/index.js';
import type { RouteToTrunk } from '../adapters/b2bua/index.js';
import type { Engine, Trunk } from '../core/index.js';
import type { Closable, GatewayContext } from './gateway-context.js';
import type { LineSideWiring } from './wire-line-side.js';

export interface WiredTrunks extends Closable {
  /** the trunk whose access list admits `sourceIp`, else undefined (→ 403 where a trunk is required) */
  trunkForSource(sourceIp: string): Trunk | undefined;
  readonly publish: PublishTrunk;
  readonly relay: SubscribeRelay;
}

/** Our Contact for requests out a trunk: the advertised host and the port of the trunk's transport. */
function trunkContact(ctx: GatewayContext, trunk: Trunk): string {
  const port = ctx.sip.portOf(trunk.transport) ?? ctx.sip.portOf('udp') ?? ctx.config.sipPort;
  const host = ctx.config.advertisedHost;
  const transport = trunk.transport === 'udp' ? '' : `;transport=${trunk.transport}`;
  return `sip:${host.includes(':') ? `[${host}]` : host}:${port}${transport}`;
}

function wireRelay(ctx: GatewayContext): SubscribeRelay {
  const stack = ctx.sip.stack;
  const relay = new SubscribeRelay({
    directory: () => ctx.directory.directory,
    send: (trunk, request) => sendToTrunk(stack, trunk, request),
    clock: stack.clock,
    submit: (input) => void ctx.engine.submit(input),
    contactFor: (trunk) => trunkContact(ctx, trunk),
    logger: ctx.logger.child({ component: 'subscribe-relay' }),
  });
  ctx.engine.on('route-subscribe', (e) => relay.onRouteSubscribe(e));
  ctx.engine.on('route-unsubscribe', (e) => relay.onRouteUnsubscribe(e));
  ctx.sip.onRequest('NOTIFY', (tx) => {
    const answer = relay.handleNotify(tx.request);
    tx.respond(createResponse(tx.request, answer.status, answer.reason));
  });
  const engine = ctx.engine.engine as unknown as Engine;
  for (const r of engine.exportSubscriptions()) {
    if (r.trunk !== null) relay.onRouteSubscribe({ type: 'route-subscribe', subscriptionId: r.id, trunk: r.trunk, target: r.target, event: r.event });
  }
  return relay;
}

/** Rule 2. */
function routeCallsToTrunks(ctx: GatewayContext, lineSide: LineSideWiring): RouteToTrunk {
  return (tx, target, caller) => {
    const trunk = ctx.directory.directory.trunks.get(target.trunk);
    const uri = parseUri(tx.request.uri);
    if (trunk === undefined || uri === null || uri.user === undefined) return false;
    const user = decodeURIComponent(uri.user);
    const requestUri = /^[0-9*#+]+$/.test(user) ? `sip:${user}@${trunk.domain ?? trunk.host}` : `sip:${uri.user}@${uri.host}`;
    lineSide.calls.routeCallToTrunk(tx, caller, {
      trunk: trunk.name, requestUri, destination: trunkDestination(trunk), contact: trunkContact(ctx, trunk),
    });
    return true;
  };
}

export async function wireTrunks(ctx: GatewayContext, lineSide?: LineSideWiring): Promise<WiredTrunks> {
  const publish = new PublishTrunk({
    stack: ctx.sip.stack,
    directory: () => ctx.directory.directory,
    store: ctx.runtimeStore,
    logger: ctx.logger.child({ component: 'publish-trunk' }),
  });
  ctx.engine.on('publish', (e) => publish.onPublish(e));
  ctx.engine.on('line-state-changed', (e) => publish.onLineStateChanged(e));
  ctx.directory.onReplaced((d) => publish.onDirectoryReplaced(d));
  publish.start();
  const relay = wireRelay(ctx);
  lineSide?.setRouteToTrunk(routeCallsToTrunks(ctx, lineSide));
  return {
    publish,
    relay,
    trunkForSource: (ip) => trunkForSource(ctx.directory.directory, ip),
    async close() {
      lineSide?.setRouteToTrunk(undefined);
      relay.close();
      await publish.close();
    },
  };
}
