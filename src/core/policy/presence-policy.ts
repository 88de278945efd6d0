/**
 * Presence authorization: may this watcher see this presentity, and where does it live?
 * (DESIGN.md "Presence semantics"; axl-facts §8; CUCM Feature Configuration Guide, "Presence").
 *
 * Rule 1: BLF for Call Lists off → every call-list subscription is rejected (call-lists-disabled).
 * Rule 2: the SUBSCRIBE CSS comes from watcher-context.ts; <None> → user-unknown.
 * Rule 3: the target is searched in the CSS (css-search.ts); no match → user-unknown; a route
 *         pattern → route out that trunk.
 * Rule 4: presence groups apply to call-list presence only; BLF speed dials are exempt. A group
 *         always sees itself; Disallowed blocks even when the CSS allows; Use System Default (or no
 *         entry) follows the Inter-Presence Group Subscribe Policy parameter.
 * Every decision carries a trace: the human-readable steps `blfgw explain` prints.
 */
import { directoryUriKey, type Directory, type LineKey } from '../model/index.js';
import type { PresentityRef, WatcherRef } from '../engine/engine-io.js';
import { resolveWatcher, type WatcherContext } from './watcher-context.js';
import { searchCssForDirectoryUri, searchCssForDn, searchCssForDomain, type CssSearchResult } from './css-search.js';
import { clusterDn, linesOfDirectoryUri, parsePresentityUri } from './presentity-uri.js';

export type SubscribeKind = 'blf-speed-dial' | 'call-list';
export type RejectReason = 'user-unknown' | 'presence-group-disallowed' | 'call-lists-disabled';

export type Decision =
  | {
      readonly outcome: 'allow';
      readonly line: LineKey;
      readonly dn: string;
      readonly partition: string | null;
      readonly watcherGroup: string;
      readonly targetGroup: string;
      readonly trace: readonly string[];
    }
  | {
      readonly outcome: 'route';
      readonly trunk: string;
      readonly pattern: string;
      readonly partition: string | null;
      readonly trace: readonly string[];
    }
  | { readonly outcome: 'reject'; readonly reason: RejectReason; readonly trace: readonly string[] };

function describeTarget(target: PresentityRef): string {
  return target.kind === 'dn' ? `DN ${target.dn}` : `URI ${target.uri}`;
}

/** Is `target` one of the watcher device's BLF speed dials? Then it is blf-speed-dial, else call-list. */
export function classifySubscribeKind(dir: Directory, watcher: WatcherRef, target: PresentityRef): SubscribeKind {
  if (watcher.kind !== 'device') return 'call-list';
  const device = dir.devices.get(watcher.name);
  if (!device) return 'call-list';
  const domain = dir.params.domain;
  const dn = clusterDn(target, domain);
  const wanted = target.kind === 'uri' ? parsePresentityUri(target.uri) : undefined;
  for (const sd of device.blfSpeedDials) {
    if (sd.target.kind === 'dn' && dn !== undefined && sd.target.dn === dn) return 'blf-speed-dial';
    if (sd.target.kind !== 'uri') continue;
    const have = parsePresentityUri(sd.target.uri);
    if (have && wanted && have.user === wanted.user && have.host === wanted.host) return 'blf-speed-dial';
    if (have && dn !== undefined && have.host === domain.toLowerCase() && have.user === dn) return 'blf-speed-dial';
  }
  return 'call-list';
}

/** The directory URI key a URI target names, when some line has it (CUCM: URI dialing first). */
function directoryUriOf(dir: Directory, target: PresentityRef): string | undefined {
  if (target.kind !== 'uri' || linesOfDirectoryUri(dir, target.uri).length === 0) return undefined;
  const u = parsePresentityUri(target.uri)!;
  return directoryUriKey(`${u.user}@${u.host}`, dir.params.domain);
}

function searchTarget(dir: Directory, css: string, target: PresentityRef, trace: string[]): CssSearchResult {
  const byUri = directoryUriOf(dir, target);
  if (byUri !== undefined) return searchCssForDirectoryUri(dir, css, byUri, trace);
  const dn = clusterDn(target, dir.params.domain);
  if (dn !== undefined) {
    if (target.kind === 'uri') trace.push(`${target.uri} is in the cluster domain ${dir.params.domain}: looking up DN ${dn}`);
    return searchCssForDn(dir, css, dn, trace);
  }
  const uri = target.kind === 'uri' ? parsePresentityUri(target.uri) : undefined;
  if (!uri) {
    trace.push(`${describeTarget(target)} is not a valid presentity URI`);
    return { kind: 'none' };
  }
  trace.push(`${uri.host} is not the cluster domain ${dir.params.domain}: looking up SIP route patterns`);
  return searchCssForDomain(dir, css, uri.host, trace);
}

/** Rule 4: the presence-group check for call-list presence; returns true when allowed. */
export function presenceGroupAllows(dir: Directory, watcherGroup: string, targetGroup: string, trace: string[]): boolean {
  if (watcherGroup === targetGroup) {
    trace.push(`presence group ${watcherGroup} always sees itself: allowed`);
    return true;
  }
  const permission = dir.presenceGroups.get(watcherGroup)?.permissions.get(targetGroup) ?? 'system-default';
  if (permission !== 'system-default') {
    trace.push(`presence group ${watcherGroup} → ${targetGroup}: ${permission === 'allow' ? 'Allow Subscription' : 'Disallow Subscription'}`);
    return permission === 'allow';
  }
  const policy = dir.params.interPresenceGroupPolicy;
  trace.push(`presence group ${watcherGroup} → ${targetGroup}: Use System Default → Inter-Presence Group Subscribe Policy is ${policy}`);
  return policy === 'allow';
}

function reject(reason: RejectReason, trace: string[]): Decision {
  trace.push(`REJECT ${reason}`);
  return { outcome: 'reject', reason, trace };
}

function authorizeLine(
  dir: Directory,
  ctx: WatcherContext,
  found: Extract<CssSearchResult, { kind: 'line' }>,
  kind: SubscribeKind,
  trace: string[],
): Decision {
  const targetGroup = dir.lines.get(found.line)?.presenceGroup ?? '';
  if (kind === 'blf-speed-dial') {
    trace.push('BLF speed dial: presence groups do not apply');
  } else if (!presenceGroupAllows(dir, ctx.presenceGroup, targetGroup, trace)) {
    return reject('presence-group-disallowed', trace);
  }
  trace.push(`ALLOW line ${found.line}`);
  return { outcome: 'allow', line: found.line, dn: found.dn, partition: found.partition, watcherGroup: ctx.presenceGroup, targetGroup, trace };
}

/** Decides a subscription (Rules 1-4). Never throws for unknown names: they are user-unknown. */
export function decide(dir: Directory, watcher: WatcherRef, target: PresentityRef, kind: SubscribeKind): Decision {
  const trace: string[] = [`${kind} subscription to ${describeTarget(target)}`];
  if (kind === 'call-list' && !dir.params.blfForCallLists) {
    trace.push('BLF for Call Lists is off');
    return reject('call-lists-disabled', trace);
  }
  const ctx = resolveWatcher(dir, watcher);
  if (!ctx) {
    trace.push(`watcher ${watcher.kind === 'user' ? watcher.id : watcher.name} is not in the directory`);
    return reject('user-unknown', trace);
  }
  trace.push(...ctx.trace);
  if (ctx.css === null) {
    trace.push('SUBSCRIBE CSS is <None>: nothing can be found');
    return reject('user-unknown', trace);
  }
  if (!dir.callingSearchSpaces.has(ctx.css)) trace.push(`CSS ${ctx.css} is not defined: only the <None> partition is searched`);
  const found = searchTarget(dir, ctx.css, target, trace);
  if (found.kind === 'none') {
    trace.push(`${describeTarget(target)} not found in CSS ${ctx.css}`);
    return reject('user-unknown', trace);
  }
  if (found.kind === 'route') {
    trace.push(`ROUTE trunk ${found.trunk}`);
    return { outcome: 'route', trunk: found.trunk, pattern: found.pattern, partition: found.partition, trace };
  }
  return authorizeLine(dir, ctx, found, kind, trace);
}
