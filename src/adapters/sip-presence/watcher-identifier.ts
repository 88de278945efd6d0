/**
 * Who is watching (DESIGN.md "Presence semantics": watcher = SIP line device, SCCP device or trunk).
 *
 * Rule 1: a request carrying digest credentials is the device whose name is the digest username,
 *         once the credentials verify against the directory (RFC 3261 §22; issue 4 "Registrar").
 * Rule 2: otherwise the From user names the device (device name, or a DN or directory URI on one of
 *         its lines).
 *         A device without a digest password (bench and test dialplans) — or any device when
 *         digest is not required — is taken as is; a device with a password is challenged (401).
 * Rule 3: a request from a trunk's access list, by a sender that is no device, is that trunk.
 * Rule 4: anything else is 403.
 * Rule 5: one WatcherRef per device or trunk name and directory snapshot, shared by every
 *         subscription of that watcher (thousands of SIPp watchers behind one trunk cost one object).
 */
import {
  createResponse, getFrom, parseUri, type DigestServer, type Flow, type SipRequest,
} from '../../sip/index.js';
import { linesOfDirectoryUri, type Device, type Directory, type WatcherRef } from '../../core/index.js';
import type { WatcherIdentifier, WatcherIdentity } from './notifier-ports.js';

export interface DirectoryWatcherIdentifierOptions {
  readonly directory: () => Directory;
  readonly digest: DigestServer;
  readonly requireDigest: boolean;
  /**
   * Rule 3: the name of the trunk whose access list admits a source address (the trunk adapter's
   * `trunkForSource`, IPv4/IPv6 and CIDR, injected by the app since adapters never import each other).
   */
  readonly trunkForSource: (sourceIp: string) => string | undefined;
}

export class DirectoryWatcherIdentifier implements WatcherIdentifier {
  /** Rule 5: names come from the directory (verified digest user, device, trunk), so this is bounded */
  private refs = new Map<string, WatcherIdentity>();
  private refsOf: Directory | undefined;

  constructor(private readonly opts: DirectoryWatcherIdentifierOptions) {}

  identify(req: SipRequest, flow: Flow): WatcherIdentity {
    const dir = this.opts.directory();
    if (this.refsOf !== dir) {
      this.refs = new Map();
      this.refsOf = dir;
    }
    if (req.headers.has('authorization')) {
      const verdict = this.opts.digest.verify(req, (username) => {
        const d = dir.devices.get(username);
        return d?.digestPassword === undefined ? undefined : { password: d.digestPassword };
      });
      if (verdict.ok) return this.device(verdict.username);
      if (verdict.reason === 'stale') return { kind: 'respond', response: this.opts.digest.challenge(req, true) };
      return { kind: 'respond', response: this.opts.digest.challenge(req) };
    }
    const device = this.deviceFromSender(req, dir);
    if (device !== undefined) {
      if (device.digestPassword === undefined || !this.opts.requireDigest) return this.device(device.name);
      return { kind: 'respond', response: this.opts.digest.challenge(req) };
    }
    const trunk = this.opts.trunkForSource(flow.remote.host);
    if (trunk !== undefined) return this.shared(`trunk ${trunk}`, { kind: 'trunk', name: trunk });
    return { kind: 'respond', response: createResponse(req, 403, 'Unknown Watcher', { toTag: true }) };
  }

  private device(name: string): WatcherIdentity {
    return this.shared(`device ${name}`, { kind: 'device', name });
  }

  /** Rule 5 */
  private shared(key: string, watcher: WatcherRef): WatcherIdentity {
    let identity = this.refs.get(key);
    if (identity === undefined) {
      identity = { kind: 'watcher', watcher };
      this.refs.set(key, identity);
    }
    return identity;
  }

  /** Rule 2: the device named by the From user (its name, or a DN on one of its line appearances). */
  private deviceFromSender(req: SipRequest, dir: Directory): Device | undefined {
    const from = getFrom(req);
    const uri = from === null ? null : parseUri(from.uri);
    const user = uri?.user;
    if (uri === null || user === undefined) return undefined;
    const byName = dir.devices.get(user) ?? dir.devices.get(user.toUpperCase());
    if (byName !== undefined) return byName;
    const byUri = linesOfDirectoryUri(dir, `sip:${user}@${uri.host}`);
    for (const key of [...(dir.linesByDn.get(user) ?? []), ...byUri]) {
      const app = dir.appearancesByLine.get(key)?.[0];
      if (app !== undefined) return dir.devices.get(app.device);
    }
    return undefined;
  }
}
