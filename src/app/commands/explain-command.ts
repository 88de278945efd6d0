/**
 * `blfgw explain --dialplan DIR --watcher NAME --target DN_OR_URI [--call-list]`: prints the presence
 * decision on its first line (`ALLOW line 2001/Exec_PT`, `REJECT user-unknown`, `ROUTE trunk cluster-b`)
 * and then the trace of what was checked. NAME is a device, user or trunk name. Without --call-list the
 * kind is what the gateway would infer: a BLF speed dial when the target is one of the device's.
 */
import { parseArgs } from 'node:util';
import {
  buildDirectory,
  classifySubscribeKind,
  decide,
  type Decision,
  type Directory,
  type PresentityRef,
  type SubscribeKind,
  type WatcherRef,
} from '../../core/index.js';
import { loadDialplan, formatDialplanError } from '../../adapters/dialplan-files/index.js';

/** Finds what NAME names: a device first, then a user, then a trunk. */
export function resolveWatcherName(dir: Directory, name: string): WatcherRef | undefined {
  if (dir.devices.has(name)) return { kind: 'device', name };
  if (dir.users.has(name)) return { kind: 'user', id: name };
  if (dir.trunks.has(name)) return { kind: 'trunk', name };
  return undefined;
}

/** A target is a DN when it is dial-string-like, else a URI (a bare user@host gets `sip:`). */
export function parseTarget(text: string): PresentityRef {
  if (/^[0-9*#+]+$/.test(text)) return { kind: 'dn', dn: text };
  return { kind: 'uri', uri: /^sips?:/i.test(text) ? text : `sip:${text}` };
}

/** The first line of `explain`. */
export function summarizeDecision(d: Decision): string {
  switch (d.outcome) {
    case 'allow':
      return `ALLOW line ${d.line}`;
    case 'route':
      return `ROUTE trunk ${d.trunk}`;
    case 'reject':
      return `REJECT ${d.reason}`;
  }
}

export interface Explanation {
  readonly summary: string;
  readonly kind: SubscribeKind;
  readonly decision: Decision;
}

/** Explains one watcher/target pair on a directory; undefined when NAME names nothing. */
export function explainPresence(dir: Directory, watcherName: string, targetText: string, callList: boolean): Explanation | undefined {
  const watcher = resolveWatcherName(dir, watcherName);
  if (!watcher) return undefined;
  const target = parseTarget(targetText);
  const kind: SubscribeKind = callList ? 'call-list' : classifySubscribeKind(dir, watcher, target);
  const decision = decide(dir, watcher, target, kind);
  return { summary: summarizeDecision(decision), kind, decision };
}

export async function runExplain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dialplan: { type: 'string', default: 'dialplans' },
      watcher: { type: 'string' },
      target: { type: 'string' },
      'call-list': { type: 'boolean', default: false },
    },
  });
  if (!values.watcher || !values.target) {
    console.error('blfgw explain: --watcher NAME and --target DN_OR_URI are required');
    return 2;
  }
  const loaded = await loadDialplan(values.dialplan!);
  if (!loaded.ok) {
    for (const e of loaded.errors) console.error(formatDialplanError(e));
    return 1;
  }
  const explanation = explainPresence(buildDirectory(loaded.parts), values.watcher, values.target, values['call-list']!);
  if (!explanation) {
    console.error(`blfgw explain: no device, user or trunk named '${values.watcher}'`);
    return 1;
  }
  console.log(explanation.summary);
  console.log(`  kind: ${explanation.kind}`);
  for (const step of explanation.decision.trace) console.log(`  - ${step}`);
  return 0;
}
