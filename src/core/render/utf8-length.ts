/**
 * UTF-8 byte length of a string, counted from its UTF-16 units: a NOTIFY's Content-Length from the
 * lengths of a shared template's parts, without reading (and flattening) each watcher's own document.
 * A lone surrogate counts 3 bytes, as its U+FFFD replacement is encoded.
 */
export function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** Digits of a non-negative integer (the version between a template's parts). */
export function decimalDigits(n: number): number {
  let d = 1;
  for (let limit = 10; n >= limit && d < 16; limit *= 10) d++;
  return d;
}
