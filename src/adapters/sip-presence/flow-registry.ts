/**
 * Interns `Flow` values (RFC 5626 §3.1 flows) so that every subscription on the same flow shares one
 * object: many BLF keys of one phone, or thousands of SIPp watchers behind one socket, cost one flow.
 *
 * Rule 1: a flow is identified by transport, local and remote address and connection id.
 * Rule 2: entries are reference-counted; the last subscription on a flow releases it.
 */
import { formatFlow, type Flow } from '../../sip/index.js';

interface Entry {
  readonly flow: Flow;
  refs: number;
}

export class FlowRegistry {
  private readonly flows = new Map<string, Entry>();

  /** The shared flow equal to `flow`, taking one reference. */
  acquire(flow: Flow): Flow {
    const key = formatFlow(flow);
    let e = this.flows.get(key);
    if (e === undefined) {
      const copy: Flow = { transport: flow.transport, local: { ...flow.local }, remote: { ...flow.remote } };
      if (flow.connectionId !== undefined) copy.connectionId = flow.connectionId;
      e = { flow: copy, refs: 0 };
      this.flows.set(key, e);
    }
    e.refs++;
    return e.flow;
  }

  release(flow: Flow): void {
    const key = formatFlow(flow);
    const e = this.flows.get(key);
    if (e === undefined) return;
    if (--e.refs <= 0) this.flows.delete(key);
  }

  get size(): number {
    return this.flows.size;
  }
}
