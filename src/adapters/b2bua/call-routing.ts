/**
 * Where an INVITE from a line device goes (CUCM digit analysis for calls, reduced to DNs and SIP
 * route patterns): the caller's *calling* CSS is searched for the Request-URI user.
 *
 * Rule 1: `x-cisco-serviceuri-blfpickup-<DN>` (Cisco BLF pickup service URI) is a pickup of <DN>,
 *         searched in the same CSS (blf-facts §1.3: "allowed only where the picker's calling CSS
 *         reaches the DN").
 * Rule 2: a user part that is a DN is searched with `searchCssForDn` (first partition wins); a URI
 *         whose host is a foreign domain (not ours, not an IP literal) with SIP route patterns.
 * Rule 3: a <None> calling CSS searches the <None> partition only (CUCM).
 */
import { searchCssForDn, searchCssForDomain, type AppearanceRef, type Device, type Directory, type Identity, type LineKey } from '../../core/index.js';
import { getFrom, parseUri, type SipRequest } from '../../sip/index.js';

export const CISCO_BLF_PICKUP_PREFIX = 'x-cisco-serviceuri-blfpickup-';

export type CallTarget =
  | { readonly kind: 'line'; readonly line: LineKey; readonly dn: string; readonly appearances: readonly AppearanceRef[] }
  | { readonly kind: 'pickup'; readonly line: LineKey; readonly dn: string }
  | { readonly kind: 'route'; readonly trunk: string; readonly pattern: string }
  | { readonly kind: 'none'; readonly reason: string };

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

/** Resolves a Request-URI for a calling device (Rules 1-3); `trace` collects the search steps. */
export function resolveCallTarget(dir: Directory, caller: Device, requestUri: string, trace: string[] = []): CallTarget {
  const uri = parseUri(requestUri);
  if (uri === null || (uri.scheme !== 'sip' && uri.scheme !== 'sips')) return { kind: 'none', reason: 'unsupported Request-URI' };
  const css = caller.callingCss ?? '';
  const user = uri.user === undefined ? undefined : decodeURIComponent(uri.user);
  const host = uri.host.toLowerCase();
  const ours = host === dir.params.domain.toLowerCase() || isIpLiteral(host) || host === 'localhost';
  if (!ours) {
    const r = searchCssForDomain(dir, css, host, trace);
    return r.kind === 'route' ? { kind: 'route', trunk: r.trunk, pattern: r.pattern } : { kind: 'none', reason: `no route to ${host}` };
  }
  if (user === undefined) return { kind: 'none', reason: 'no user part' };
  if (user.toLowerCase().startsWith(CISCO_BLF_PICKUP_PREFIX)) {
    const dn = user.slice(CISCO_BLF_PICKUP_PREFIX.length);
    const r = searchCssForDn(dir, css, dn, trace);
    return r.kind === 'line' ? { kind: 'pickup', line: r.line, dn } : { kind: 'none', reason: `pickup target ${dn} not in calling CSS` };
  }
  const r = searchCssForDn(dir, css, user, trace);
  if (r.kind === 'line') return { kind: 'line', line: r.line, dn: r.dn, appearances: dir.appearancesByLine.get(r.line) ?? [] };
  if (r.kind === 'route') return { kind: 'route', trunk: r.trunk, pattern: r.pattern };
  return { kind: 'none', reason: `${user} not found in calling CSS` };
}

/** True when the device's calling CSS reaches the line (pickup authorization, Rule 1). */
export function cssReachesLine(dir: Directory, caller: Device, line: LineKey): boolean {
  const dn = dir.lines.get(line)?.dn;
  if (dn === undefined) return false;
  const r = searchCssForDn(dir, caller.callingCss ?? '', dn, []);
  return r.kind === 'line' && r.line === line;
}

/** The appearance a SIP device calls (or picks up) from: the line of its From user, else its first. */
export function callerAppearance(caller: Device, req: SipRequest): AppearanceRef {
  const fromUser = parseUri(getFrom(req)?.uri ?? '')?.user;
  const la = caller.lines.find((l) => l.dn === fromUser) ?? caller.lines[0];
  return { device: caller.name, index: la?.index ?? 1 };
}

/** How the called side sees that appearance: its DN at our domain and its display name. */
export function callerIdentity(dir: Directory, caller: Device, app: AppearanceRef, req: SipRequest): Identity {
  const la = caller.lines.find((l) => l.index === app.index);
  const dn = la?.dn ?? parseUri(getFrom(req)?.uri ?? '')?.user ?? caller.name;
  const display = la?.display ?? getFrom(req)?.display ?? dir.lines.get(`${dn}/${la?.partition ?? ''}`)?.alertingName;
  return { uri: `sip:${dn}@${dir.params.domain}`, ...(display ? { display } : {}) };
}
