/**
 * Stream framing for SIP over TCP/TLS (RFC 3261 §18.3): messages are delimited by the header
 * terminator plus Content-Length, which "MUST be used with stream oriented transports".
 * Handles partial reads and pipelined messages, and RFC 5626 §4.4.1 CRLF keepalives.
 *
 * Rule 1: pure (no I/O): `push(chunk)` returns events; the transport acts on them.
 * Rule 2: memory is bounded: more than `maxPendingBytes` unframed, or a message larger than
 *         `maxMessageSize`, yields a fatal event and the caller closes the connection.
 */

export type FramerEvent =
  | { kind: 'message'; bytes: Buffer }
  /** RFC 5626 §4.4.1: "double-CRLF" ping; answer with a single CRLF pong */
  | { kind: 'ping' }
  /** the connection cannot be framed any more; `status` answers the partial message when possible */
  | { kind: 'fatal'; status: number; reason: string; head?: Buffer };

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);
  private dead = false;

  constructor(
    private readonly maxMessageSize: number,
    private readonly maxPendingBytes: number,
  ) {}

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): FramerEvent[] {
    if (this.dead) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: FramerEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (ev === null) break;
      out.push(ev);
      if (ev.kind === 'fatal') {
        this.dead = true;
        this.pending = Buffer.alloc(0);
        break;
      }
    }
    if (!this.dead && this.pending.length > this.maxPendingBytes) {
      this.dead = true;
      this.pending = Buffer.alloc(0);
      out.push({ kind: 'fatal', status: 0, reason: 'max pending bytes exceeded' });
    }
    return out;
  }

  private next(): FramerEvent | null {
    const p = this.pending;
    if (p.length >= 4 && p[0] === 13 && p[1] === 10 && p[2] === 13 && p[3] === 10) {
      this.pending = p.subarray(4);
      return { kind: 'ping' };
    }
    // a lone CRLF is a pong (or stray line end before a start line, RFC 3261 §7.5): skip it
    if (p.length >= 3 && p[0] === 13 && p[1] === 10 && p[2] !== 13) {
      this.pending = p.subarray(2);
      return this.next();
    }
    const headEnd = p.indexOf(CRLFCRLF);
    if (headEnd < 0) {
      if (p.length > this.maxMessageSize) return { kind: 'fatal', status: 513, reason: 'header section too large' };
      return null;
    }
    const head = p.subarray(0, headEnd + 4);
    const cl = readContentLength(p.toString('latin1', 0, headEnd));
    if (cl === 'missing') return { kind: 'fatal', status: 400, reason: 'Missing Content-Length on stream transport', head };
    if (cl === 'bad') return { kind: 'fatal', status: 400, reason: 'Malformed Content-Length', head };
    const total = headEnd + 4 + cl;
    if (total > this.maxMessageSize) return { kind: 'fatal', status: 513, reason: 'Message Too Large', head };
    if (p.length < total) return null;
    this.pending = p.subarray(total);
    return { kind: 'message', bytes: p.subarray(0, total) };
  }
}

/** Find Content-Length (or compact `l`) in a header block. */
function readContentLength(head: string): number | 'missing' | 'bad' {
  const re = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;
  let found: string | undefined;
  for (let m = re.exec(head); m !== null; m = re.exec(head)) {
    const v = m[1].trim();
    if (found !== undefined && found !== v) return 'bad';
    found = v;
  }
  if (found === undefined) return 'missing';
  return /^\d{1,10}$/.test(found) ? Number(found) : 'bad';
}
