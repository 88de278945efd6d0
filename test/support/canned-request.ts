/**
 * Canned requests under `fixtures/sip/requests/` carry SIPp's placeholders (`[local_ip]`,
 * `[branch]`, …) so SIPp and the wire tests share them; this fills them for a UDP send on 127.0.0.1.
 */
export interface CannedRequestFill {
  readonly localPort: number;
  readonly remotePort: number;
  readonly branch: string;
  readonly callId: string;
  readonly callNumber: number;
}

export function fillCannedRequest(text: string, f: CannedRequestFill): string {
  return text
    .replaceAll('[local_ip]', '127.0.0.1').replaceAll('[remote_ip]', '127.0.0.1')
    .replaceAll('[local_port]', String(f.localPort)).replaceAll('[remote_port]', String(f.remotePort))
    .replaceAll('[transport]', 'UDP').replaceAll('[branch]', f.branch)
    .replaceAll('[call_id]', f.callId).replaceAll('[call_number]', String(f.callNumber));
}
