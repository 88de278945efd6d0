/**
 * Ordered SIP header list with case-insensitive, compact-form-aware access (RFC 3261 §7.3).
 *
 * Rule 1: values are kept raw (as received, unfolded, trimmed); typed parsers run on demand.
 * Rule 2: order is preserved; serialization writes names as they were given.
 * Rule 3: lookup keys are canonical: lower-case long form (`v` and `VIA` both map to `via`).
 * Rule 4: a typed parse of a field can be memoized (`memoize`) against the raw value it was read
 *         from; any edit replaces the raw string, so a stale parse is never returned.
 */

/** RFC 3261 §7.3.3 + IANA compact forms. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type',
  k: 'supported', o: 'event', e: 'content-encoding', s: 'subject', r: 'refer-to', u: 'allow-events',
  x: 'session-expires', y: 'identity', b: 'referred-by', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition', n: 'identity-info',
};

/**
 * Headers whose values may NOT be split on commas (RFC 3261 §7.3.1: "exceptions … WWW-Authenticate,
 * Authorization, Proxy-Authenticate, Proxy-Authorization" plus date-valued headers).
 */
const NOT_LIST = new Set([
  'www-authenticate', 'authorization', 'proxy-authenticate', 'proxy-authorization', 'date',
  'call-id', 'cseq', 'from', 'to', 'content-length', 'content-type', 'max-forwards', 'expires',
  'subject', 'user-agent', 'server', 'organization', 'retry-after', 'subscription-state', 'event',
  'sip-etag', 'sip-if-match', 'refer-to', 'referred-by', 'identity',
]);

/** Canonical lookup key: lower-case long form. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? COMPACT[lower] ?? lower : lower;
}

/** Split a header value on commas outside quotes and angle brackets (RFC 3261 §7.3.1). */
export function splitHeaderList(value: string): string[] {
  if (value.indexOf(',') < 0) return [value];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++; // backslash escape
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) inAngle = true;
    else if (c === 62) inAngle = false;
    else if (c === 44 && !inAngle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

/** An ordered, mutable list of raw header fields. */
export class SipHeaders {
  /** names as written (serialization) */
  readonly names: string[] = [];
  /** canonical keys (lookup) */
  readonly keys: string[] = [];
  readonly values: string[] = [];
  /** Rule 4: flat triples [parser, raw value it read, what it made of it]; a few entries at most */
  private memo?: unknown[];

  /** Build from `[name, value]` pairs. */
  static from(pairs: ReadonlyArray<readonly [string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [n, v] of pairs) h.append(n, v);
    return h;
  }

  get size(): number {
    return this.keys.length;
  }

  /** First raw value of the header (whole field, not split), or undefined. */
  get(name: string): string | undefined {
    const key = canonicalHeaderName(name);
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  /** `get` for a name already in canonical form (lower-case long form): the stack's hot paths. */
  getByKey(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  has(name: string): boolean {
    return this.keys.indexOf(canonicalHeaderName(name)) >= 0;
  }

  /** All values, list headers split on commas (Via, Route, Contact …), in order. */
  getAll(name: string): string[] {
    const key = canonicalHeaderName(name);
    const out: string[] = [];
    const split = !NOT_LIST.has(key);
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== key) continue;
      if (split) for (const v of splitHeaderList(this.values[i])) out.push(v);
      else out.push(this.values[i]);
    }
    return out;
  }

  /**
   * `parse(raw)` once per raw value (Rule 4): hot paths (transaction keys, Via routing) read the same
   * field several times per message. `parse` is the memo's key, so pass a module-level function; the
   * value returned is shared, so callers must treat it as read-only.
   */
  memoize<T>(raw: string, parse: (raw: string) => T): T {
    const memo = (this.memo ??= []);
    for (let i = 0; i < memo.length; i += 3) {
      if (memo[i] !== parse) continue;
      if (memo[i + 1] === raw) return memo[i + 2] as T;
      const value = parse(raw);
      memo[i + 1] = raw;
      memo[i + 2] = value;
      return value;
    }
    const value = parse(raw);
    memo.push(parse, raw, value);
    return value;
  }

  /** Record what `parse(raw)` is known to give (a writer that just built the value saves the re-parse). */
  remember<T>(raw: string, parse: (raw: string) => T, value: T): void {
    const memo = (this.memo ??= []);
    for (let i = 0; i < memo.length; i += 3) {
      if (memo[i] !== parse) continue;
      memo[i + 1] = raw;
      memo[i + 2] = value;
      return;
    }
    memo.push(parse, raw, value);
  }

  /** Drop the memo (Rule 4): a message kept only to be re-sent needs no parses. */
  forgetParsed(): void {
    this.memo = undefined;
  }

  /** Start with another header list's memo (Rule 4 keeps it safe: entries only hit on identical raw values). */
  shareMemo(from: SipHeaders): void {
    if (from.memo !== undefined) this.memo = from.memo.slice();
  }

  /** First element of a list header (e.g. the top Via even when several share one field). */
  first(name: string): string | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const key = canonicalHeaderName(name);
    return NOT_LIST.has(key) ? raw : splitHeaderList(raw)[0];
  }

  append(name: string, value: string): this {
    this.names.push(name);
    this.keys.push(canonicalHeaderName(name));
    this.values.push(value);
    return this;
  }

  /** Insert before every other field of the same name (e.g. a new top Via). */
  prepend(name: string, value: string): this {
    const key = canonicalHeaderName(name);
    let i = this.keys.indexOf(key);
    if (i < 0) i = this.keys.length;
    this.names.splice(i, 0, name);
    this.keys.splice(i, 0, key);
    this.values.splice(i, 0, value);
    return this;
  }

  /** Replace every field of this name with one field (appended at the first one's place). */
  set(name: string, value: string): this {
    const key = canonicalHeaderName(name);
    const i = this.keys.indexOf(key);
    if (i < 0) return this.append(name, value);
    this.values[i] = value;
    this.names[i] = name;
    this.removeFrom(key, i + 1);
    return this;
  }

  remove(name: string): this {
    this.removeFrom(canonicalHeaderName(name), 0);
    return this;
  }

  /** Remove the first list element of a header (e.g. pop the top Via). */
  removeFirst(name: string): this {
    const key = canonicalHeaderName(name);
    const i = this.keys.indexOf(key);
    if (i < 0) return this;
    const parts = splitHeaderList(this.values[i]);
    if (parts.length <= 1) this.spliceAt(i);
    else this.values[i] = parts.slice(1).join(', ');
    return this;
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    h.names.push(...this.names);
    h.keys.push(...this.keys);
    h.values.push(...this.values);
    return h;
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.names[i], this.values[i]];
  }

  private removeFrom(key: string, from: number): void {
    for (let i = this.keys.length - 1; i >= from; i--) if (this.keys[i] === key) this.spliceAt(i);
  }

  private spliceAt(i: number): void {
    this.names.splice(i, 1);
    this.keys.splice(i, 1);
    this.values.splice(i, 1);
  }
}
