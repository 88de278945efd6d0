/**
 * Wires the trunk adapter (issue 6): the PUBLISH trunk on the engine's `publish` and
 * `line-state-changed` effects and on directory swaps; exposes the incoming-trunk access list.
 * The outbound SUBSCRIBE relay (`route-subscribe` effects, NOTIFY routing) is not wired yet.
 */
import { PublishTrunk, trunkForSource } from '../adapters/trunk/index.js';
import type { Trunk } from '../core/index.js';
import type { Closable, GatewayContext } from './gateway-context.js';

export interface WiredTrunks extends Closable {
  /** the trunk whose access list admits `sourceIp`, else undefined (→ 403 where a trunk is required) */
  trunkForSource(sourceIp: string): Trunk | undefined;
}

export async function wireTrunks(ctx: GatewayContext): Promise<WiredTrunks> {
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
  return {
    trunkForSource: (ip) => trunkForSource(ctx.directory.directory, ip),
    close: () => publish.close(),
  };
}
