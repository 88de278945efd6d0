/**
 * XML string building helpers for the renderers (no DOM in the core).
 * Rule 1: every text and attribute value goes through `escapeXml` — Call-IDs and display names
 *         carry quotes and ampersands (blf-facts §1.2, Kamailio known issue).
 * Rule 2: `xmlId` turns any string into a valid xs:ID (PIDF tuple ids must not start with a digit).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  // XML 1.0 forbids most C0 control characters even when escaped: drop them
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** ` name="value"` for each defined attribute, in the given order. */
export function attrs(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  let out = '';
  for (const [name, value] of pairs) if (value !== undefined) out += ` ${name}="${escapeXml(String(value))}"`;
  return out;
}

/** A valid xs:ID (NCName) built from `prefix` and arbitrary text. */
export function xmlId(prefix: string, text: string): string {
  return `${prefix}${text.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
