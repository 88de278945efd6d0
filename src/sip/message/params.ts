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
  const sepCode = sep.charCodeAt(0);
  let i = 0;
  const n = text.length;
  while (i < n) {
    for (let c = text.charCodeAt(i); i < n && (c === 32 || c === 9 || c === sepCode); c = text.charCodeAt(++i));
    if (i >= n) break;
    let j = i;
    for (let c = text.charCodeAt(j); j < n && c !== 61 && c !== sepCode; c = text.charCodeAt(++j));
    const name = trimmedLower(text, i, j);
    if (name.length === 0 || !isToken(name)) return null;
    if (j >= n || text.charCodeAt(j) === sepCode) {
      out.set(name, null);
      i = j;
      continue;
    }
    const v = readValue(text, j + 1, sepCode);
    if (v === null) return null;
    out.set(name, v.value);
    i = v.end;
  }
  return out;
}

function trimmedLower(text: string, from: number, to: number): string {
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to).toLowerCase();
}

function readValue(text: string, from: number, sepCode: number): { value: string; end: number } | null {
  let i = from;
  const n = text.length;
  while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) === 34) {
    const q = readQuoted(text, i);
    if (q === null) return null;
    let end = q.end;
    while (end < n && text.charCodeAt(end) !== sepCode) {
      if (text.charCodeAt(end) !== 32 && text.charCodeAt(end) !== 9) return null;
      end++;
    }
    return { value: q.value, end };
  }
  let j = text.indexOf(String.fromCharCode(sepCode), i);
  if (j < 0) j = n;
  let e = j;
  while (e > i && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  return { value: text.slice(i, e), end: j };
}

/** Read a quoted-string starting at `text[start] === '"'`; returns the unescaped value and index after it. */
export function readQuoted(text: string, start: number): { value: string; end: number } | null {
  const close = text.indexOf('"', start + 1);
  if (close < 0) return null;
  const slash = text.indexOf('\\', start + 1);
  if (slash < 0 || slash > close) return { value: text.slice(start + 1, close), end: close + 1 };
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

/** RFC 3261 §25.1 token characters, as a table (read per parameter name, so no regex). */
export const TOKEN_CHARS = (() => {
  const t = new Uint8Array(128);
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-!%*_+`'~") t[c.charCodeAt(0)] = 1;
  return t;
})();

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
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
