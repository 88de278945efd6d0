/**
 * Minimal presentity URI handling for policy decisions (not a SIP parser: the `sip/` layer parses
 * messages; the core only needs user and host of an already-parsed target URI).
 *
 * Rule 1: the user part of a URI in the cluster domain is a DN; other domains are foreign.
 * Rule 2: host comparison is case-insensitive and ignores a `:port`; URI parameters are dropped.
 */
import type { PresentityRef } from '../engine/engine-io.js';
import { directoryUriKey, type Directory, type LineKey } from '../model/index.js';

export interface PresentityUri {
  readonly scheme: string;
  readonly user: string;
  /** lower case, without port */
  readonly host: string;
}

/** Splits `sip:user@host:port;params?headers` (also sips:, tel:, pres:); undefined when malformed. */
export function parsePresentityUri(uri: string): PresentityUri | undefined {
  const m = /^([a-z][a-z0-9+.-]*):([^@;?]*@)?([^;?]*)/i.exec(uri.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'tel') return { scheme, user: m[3]!.replace(/[-.() ]/g, ''), host: '' };
  if (!m[2]) return undefined;
  const user = decodeUser(m[2].slice(0, -1));
  const host = m[3]!.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (user.length === 0 || host.length === 0) return undefined;
  return { scheme, user, host };
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user; // malformed escape: keep it verbatim (a peer error, not ours)
  }
}

/** The URI a presentity is known by on the wire (`sip:DN@domain` for a DN). */
export function presentityUri(target: PresentityRef, domain: string): string {
  return target.kind === 'uri' ? target.uri : `sip:${target.dn}@${domain}`;
}

/** The DN a target names inside the cluster domain, if any. */
export function clusterDn(target: PresentityRef, domain: string): string | undefined {
  if (target.kind === 'dn') return target.dn;
  const u = parsePresentityUri(target.uri);
  if (!u) return undefined;
  if (u.scheme === 'tel') return u.user;
  return u.host === domain.toLowerCase() ? u.user : undefined;
}

/** The lines whose directory URI is `uri` (`sip:user@host`), in partition order of definition; [] when none. */
export function linesOfDirectoryUri(dir: Directory, uri: string): readonly LineKey[] {
  if (dir.linesByUri.size === 0) return [];
  const u = parsePresentityUri(uri);
  if (!u || u.scheme === 'tel') return [];
  return dir.linesByUri.get(directoryUriKey(`${u.user}@${u.host}`, dir.params.domain)) ?? [];
}
