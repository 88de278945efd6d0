/**
 * Searches a SUBSCRIBE calling search space for a presentity (CUCM digit analysis, reduced to what
 * presence needs).
 *
 * Rule 1: partitions are tried in CSS order; the first partition that holds the target wins.
 * Rule 2: inside one partition an exact DN beats any route pattern; among route patterns the most
 *         specific wins (route-pattern.ts Rule 2).
 * Rule 3: the <None> partition (null) is searched after the CSS's partitions, as CUCM does.
 * Rule 4: a foreign-domain URI is matched against SIP route patterns, in the same partition order.
 * Rule 5: a URI that is a line's directory URI finds that line in the same partition order as DNs.
 */
import { lineKey, type Directory, type LineKey, type RoutePattern, type SipRoutePattern } from '../model/index.js';
import {
  matchSipRoutePattern,
  parseRoutePattern,
  pickMostSpecific,
  sipRoutePatternSpecificity,
} from './route-pattern.js';

export type CssSearchResult =
  | { readonly kind: 'line'; readonly line: LineKey; readonly dn: string; readonly partition: string | null }
  | { readonly kind: 'route'; readonly trunk: string; readonly pattern: string; readonly partition: string | null }
  | { readonly kind: 'none' };

function partitionLabel(p: string | null): string {
  return p === null ? '<None>' : p;
}

/** The partitions to search: the CSS's, in order, then <None> (Rule 3). */
function searchOrder(dir: Directory, cssName: string): readonly (string | null)[] {
  const css = dir.callingSearchSpaces.get(cssName);
  return [...(css?.partitions ?? []), null];
}

function findRoutePattern(dir: Directory, partition: string | null, dn: string): RoutePattern | undefined {
  const inPartition = dir.routePatterns.filter((rp) => rp.partition === partition);
  return pickMostSpecific(
    inPartition,
    (rp) => {
      const parsed = parseRoutePattern(rp.pattern);
      return parsed.ok ? parsed : undefined;
    },
    dn,
  );
}

/** Finds a DN in the CSS (Rules 1-3), appending one human-readable step per partition to `trace`. */
export function searchCssForDn(dir: Directory, cssName: string, dn: string, trace: string[]): CssSearchResult {
  for (const partition of searchOrder(dir, cssName)) {
    const key = lineKey(dn, partition);
    if (dir.lines.has(key)) {
      trace.push(`partition ${partitionLabel(partition)}: DN ${dn} found (line ${key})`);
      return { kind: 'line', line: key, dn, partition };
    }
    const rp = findRoutePattern(dir, partition, dn);
    if (rp) {
      trace.push(`partition ${partitionLabel(partition)}: route pattern ${rp.pattern} matches ${dn} → trunk ${rp.trunk}`);
      return { kind: 'route', trunk: rp.trunk, pattern: rp.pattern, partition };
    }
    trace.push(`partition ${partitionLabel(partition)}: no DN or route pattern for ${dn}`);
  }
  return { kind: 'none' };
}

/** Finds a line by its directory URI key (`user@host`, lower case) in the CSS (Rule 5). */
export function searchCssForDirectoryUri(dir: Directory, cssName: string, uriKey: string, trace: string[]): CssSearchResult {
  const keys = dir.linesByUri.get(uriKey) ?? [];
  for (const partition of searchOrder(dir, cssName)) {
    const key = keys.find((k) => dir.lines.get(k)?.partition === partition);
    const line = key === undefined ? undefined : dir.lines.get(key);
    if (key !== undefined && line !== undefined) {
      trace.push(`partition ${partitionLabel(partition)}: directory URI ${uriKey} is line ${key}`);
      return { kind: 'line', line: key, dn: line.dn, partition };
    }
  }
  trace.push(`directory URI ${uriKey} is on no line in the CSS's partitions`);
  return { kind: 'none' };
}

function findSipRoutePattern(dir: Directory, partition: string | null, host: string): SipRoutePattern | undefined {
  let best: SipRoutePattern | undefined;
  for (const srp of dir.sipRoutePatterns) {
    if (srp.partition !== partition || !matchSipRoutePattern(srp.domain, host)) continue;
    if (!best || sipRoutePatternSpecificity(srp.domain) > sipRoutePatternSpecificity(best.domain)) best = srp;
  }
  return best;
}

/** Finds a foreign host among the CSS's SIP route patterns (Rule 4). */
export function searchCssForDomain(dir: Directory, cssName: string, host: string, trace: string[]): CssSearchResult {
  for (const partition of searchOrder(dir, cssName)) {
    const srp = findSipRoutePattern(dir, partition, host);
    if (srp) {
      trace.push(`partition ${partitionLabel(partition)}: SIP route pattern ${srp.domain} matches ${host} → trunk ${srp.trunk}`);
      return { kind: 'route', trunk: srp.trunk, pattern: srp.domain, partition };
    }
    trace.push(`partition ${partitionLabel(partition)}: no SIP route pattern for ${host}`);
  }
  return { kind: 'none' };
}
