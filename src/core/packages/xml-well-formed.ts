/**
 * A bounded well-formedness check for the small XML documents peers send us (dialog-info bodies):
 * one root element, every element closed by its own name, nothing but whitespace, comments and
 * processing instructions outside the root. A truncated or garbled body is then a 400, not an
 * empty document read as "no calls" (parse-dialog-info.ts reads values with patterns and would
 * otherwise find nothing wrong in `<dialog-info><dialog`). The scan names the root element, so the
 * reader checks the document type without a second pattern over the prolog.
 *
 * Rule 1: one pass over the text, no recursion; element depth is capped (`MAX_DEPTH`).
 * Rule 2: it checks structure and character references only; DTDs (`<!DOCTYPE`) are refused, since
 *         no SIP body needs one.
 */

const MAX_DEPTH = 64;
const NAME = /^[A-Za-z_][-\w.:]*$/;

/** The root element's name of a well-formed document, or why `xml` is not one. */
export function readXmlRoot(xml: string): { root: string } | { error: string } {
  const error = (why: string) => ({ error: why });
  const open: string[] = [];
  let root: string | undefined;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (open.length === 0 && text.trim() !== '') return error('text outside the root element');
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return error('unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) return error('CDATA outside the root element');
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) return error('unterminated CDATA section');
      i = end + 3;
    } else if (xml.startsWith('<!', lt)) {
      return error('DTDs are not accepted');
    } else {
      const end = tagEnd(xml, lt + 1);
      if (end < 0) return error('unterminated tag');
      const tag = xml.slice(lt + 1, end);
      i = end + 1;
      if (tag.startsWith('/')) {
        const name = tag.slice(1).trim();
        if (open.pop() !== name) return error(`unexpected </${name.slice(0, 40)}>`);
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const name = /^[^\s/]*/.exec(tag)![0];
      if (!NAME.test(name)) return error('bad element name');
      if (open.length === 0) {
        if (root !== undefined) return error('more than one root element');
        root = name;
      }
      if (!selfClosing) {
        if (open.length >= MAX_DEPTH) return error('elements nested too deeply');
        open.push(name);
      }
    }
  }
  if (root === undefined) return error('no root element');
  if (open.length > 0) return error(`<${open.at(-1)!.slice(0, 40)}> is not closed`);
  const illegal = illegalCharacterReference(xml);
  return illegal === undefined ? { root } : error(illegal);
}

/** XML 1.0 §2.2 Char: a character reference to anything else is not well formed. */
function illegalCharacterReference(xml: string): string | undefined {
  for (const m of xml.matchAll(/&#(x[0-9a-f]+|\d+);/gi)) {
    const ref = m[1]!;
    const cp = ref[0] === 'x' || ref[0] === 'X' ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff)
      || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!legal) return `character reference &#${ref.slice(0, 12)}; to an illegal character`;
  }
  return undefined;
}

/** Index of the `>` that ends the tag starting at `from`, skipping quoted attribute values; -1 if none. */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let j = from; j < xml.length; j++) {
    const c = xml[j]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return j;
    } else if (c === '<') {
      return -1;
    }
  }
  return -1;
}
