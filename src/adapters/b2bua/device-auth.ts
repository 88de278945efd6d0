/**
 * Who sent a line-side request: the device whose digest credentials it carries (username = device
 * name, password = `Device.digestPassword`, realm = the cluster domain), RFC 3261 §22.4 / RFC 7616.
 *
 * Rule 1: no or stale credentials → 401 challenge; credentials that do not verify, or a device that
 *         is not a SIP device of the directory → 403 after a fresh challenge was refused once
 *         (a wrong password gets one more 401 so the phone can retry with a new nonce).
 * Rule 2: with digest off (`requireDigest: false`, lab use) the device is the one carrying the
 *         From user's DN (first SIP device in name order).
 */
import type { DigestServer, SipRequest, SipResponse } from '../../sip/index.js';
import { createResponse, getFrom, parseUri } from '../../sip/index.js';
import type { Device, Directory } from '../../core/index.js';

export type AuthOutcome =
  | { readonly ok: true; readonly device: Device }
  | { readonly ok: false; readonly response: SipResponse };

export class DeviceAuthenticator {
  constructor(
    private readonly digest: DigestServer,
    private readonly directory: () => Directory,
    private readonly requireDigest: boolean,
  ) {}

  authenticate(req: SipRequest): AuthOutcome {
    const dir = this.directory();
    if (!this.requireDigest) return this.byFromUser(req, dir);
    const verdict = this.digest.verify(req, (username) => {
      const d = dir.devices.get(username);
      return d?.protocol === 'sip' && d.digestPassword !== undefined ? { password: d.digestPassword } : undefined;
    });
    if (verdict.ok) {
      const device = dir.devices.get(verdict.username);
      if (device) return { ok: true, device };
      return { ok: false, response: createResponse(req, 403, 'Unknown Device', { toTag: true }) };
    }
    if (verdict.reason === 'unknown-user') return { ok: false, response: createResponse(req, 403, 'Unknown Device', { toTag: true }) };
    return { ok: false, response: this.digest.challenge(req, verdict.reason === 'stale') };
  }

  private byFromUser(req: SipRequest, dir: Directory): AuthOutcome {
    const from = getFrom(req);
    const user = from === null ? undefined : parseUri(from.uri)?.user;
    const aor = req.method === 'REGISTER' ? parseUri(/<([^>]+)>/.exec(req.headers.get('to') ?? '')?.[1] ?? '')?.user : undefined;
    const dn = aor ?? user;
    for (const d of [...dir.devices.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (d.protocol === 'sip' && (d.name === user || d.lines.some((l) => l.dn === dn))) return { ok: true, device: d };
    }
    return { ok: false, response: createResponse(req, 403, 'Unknown Device', { toTag: true }) };
  }
}
