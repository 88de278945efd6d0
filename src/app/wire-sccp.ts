/**
 * Wires the Skinny side (issue 5) into one gateway: starts the `SccpTcpServer` on `config.sccpPort`
 * (0 = a free port; null = off), with the sccp-lines adapter as its delegate; feeds registrations and
 * call events into the engine; shows `line-state-changed` effects on SCCP BLF speed dials; and
 * connects the adapter to the B2BUA through the line side's `LocalEndpointPort` seam.
 */
import { createSystemClock, SccpTcpServer } from '../sccp/index.js';
import { SccpLines } from '../adapters/sccp-lines/index.js';
import type { Closable, GatewayContext } from './gateway-context.js';
import type { LineSideWiring } from './wire-line-side.js';

export interface SccpWiring extends Closable {
  /** bound TCP port; undefined when SCCP is off */
  readonly port: number | undefined;
  readonly lines: SccpLines | undefined;
  readonly server: SccpTcpServer | undefined;
}

export async function wireSccp(ctx: GatewayContext, lineSide?: LineSideWiring): Promise<SccpWiring> {
  if (ctx.config.sccpPort === null) return { port: undefined, lines: undefined, server: undefined, close: async () => undefined };
  const log = ctx.logger.child({ component: 'sccp' });
  const clock = createSystemClock();
  let server: SccpTcpServer | undefined;
  const lines = new SccpLines({
    directory: () => ctx.directory.directory,
    submit: (input) => void ctx.engine.submit(input),
    command: (device, command) => server?.command(device, command) ?? false,
    setBlfStatus: (device, index, status) => server?.setBlfStatus(device, index, status) ?? false,
    clock,
    logger: log,
  });
  server = new SccpTcpServer({ host: ctx.config.bindHost, port: ctx.config.sccpPort, clock }, lines.delegate());
  ctx.engine.on('line-state-changed', (effect) => lines.lineStateChanged(effect));
  lineSide?.setLocalEndpoints(lines.port);
  lines.setPlaceCall(lineSide ? (request, listener) => lineSide.placeLocalCall(request, listener) : undefined);
  const address = await server.listen();
  log.info('SCCP listening', { host: address.address, port: address.port });
  const running = server;
  return {
    port: address.port,
    lines,
    server: running,
    async close() {
      lineSide?.setLocalEndpoints(undefined);
      lines.close();
      await running.close();
    },
  };
}
