/**
 * Generic `;name=value` parameter lists (RFC 3261 §25.1 generic-param) and quoted strings.
 *
 * Rule 1: names are lower-cased (parameter names are case-insensitive); values keep their case.
 * Rule 2: a quoted value is returned unquoted and unescaped; `formatParams` re-quotes when needed.
 */

export type Params = Map<string, string | null>;

/** Parse `;a=b;c;d="x y"` (leading `;` optional) into an ordered map. Returns null when malformed. */
export function parseParams(text: string, sep = ';'): Params | null {
  const out: Params = new Map();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === sep)) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && text[j] !== '=' && text[j] !== sep) j++;
    const name = text.slice(i, j).trim().toLowerCase();
    if (name.length === 0 || !isToken(name)) return null;
    if (j >= n || text[j] === sep) {
      out.set(name, null);
      i = j;
      continue;
    }
    const v = readValue(text, j + 1, sep);
    if (v === null) return null;
    out.set(name, v.value);
    i = v.end;
  }
  return out;
}

function readValue(text: string, from: number, sep: string): { value: string; end: number } | null {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] === '"') {
    const q = readQuoted(text, i);
    if (q === null) return null;
    let end = q.end;
    while (end < text.length && text[end] !== sep) {
      if (text[end] !== ' ' && text[end] !== '\t') return null;
      end++;
    }
    return { value: q.value, end };
  }
  let j = i;
  while (j < text.length && text[j] !== sep) j++;
  return { value: text.slice(i, j).trim(), end: j };
}

/** Read a quoted-string starting at `text[start] === '"'`; returns the unescaped value and index after it. */
export function readQuoted(text: string, start: number): { value: string; end: number } | null {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) return null;
      out += text[++i];
    } else if (c === '"') return { value: out, end: i + 1 };
    else out += c;
  }
  return null;
}

/** RFC 3261 §25.1 token characters. */
const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

export function quote(s: string): string {
  return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
}

/** Format as `;a=b;c` (values that are not tokens/host-like get quoted). */
export function formatParams(params: Params, sep = ';'): string {
  let out = '';
  for (const [k, v] of params) {
    out += sep + k;
    if (v !== null) out += '=' + (/^[A-Za-z0-9\-.!%*_+`'~:\[\]]*$/.test(v) ? v : quote(v));
  }
  return out;
}
