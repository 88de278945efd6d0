/**
 * Small XML helpers for the AXL facade: reading node-soap's parsed request values (text, FK elements
 * with a `uuid` attribute, repeated elements) and writing response elements in schema order.
 * Rule: an empty element is absent (strict clients send every schema-required element, often empty).
 */

/** A value as node-soap parses it: string, null (empty element), object, array, or text + attributes. */
export type Parsed = unknown;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text of a parsed element; undefined for absent, nil or empty. */
export function text(v: Parsed): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v) && '$value' in (v as object)) return text((v as { $value: unknown }).$value);
  return undefined;
}

/** The `uuid` attribute of a parsed element, if any. */
export function uuidAttr(v: Parsed): string | undefined {
  if (v && typeof v === 'object' && 'attributes' in v) {
    const attrs = (v as { attributes?: Record<string, string> }).attributes;
    return attrs?.['uuid'] || undefined;
  }
  return undefined;
}

/** A repeated element as an array (node-soap gives one item as a plain value). */
export function items(v: Parsed): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** Field of a parsed object (or undefined). */
export function field(v: Parsed, name: string): Parsed {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
}

/** True when the parsed object has the element (even empty). */
export function has(v: Parsed, name: string): boolean {
  return !!v && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, name);
}

/** AXL boolean: t/f/true/false/1/0. */
export function bool(v: Parsed): boolean | undefined {
  const t = text(v)?.toLowerCase();
  if (t === undefined) return undefined;
  return t === 't' || t === 'true' || t === '1';
}

export function int(v: Parsed): number | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `<name>value</name>`; undefined/null values are left out. */
export function el(name: string, value: string | number | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>children</name>` from already-rendered children. */
export function wrap(name: string, children: readonly (string | undefined)[]): string {
  return `<${name}>${children.filter((c) => c !== undefined).join('')}</${name}>`;
}

/** One response field: its element name, rendered XML (undefined = absent), and whether list rows carry it. */
export type OutField = readonly [name: string, xml: string | undefined, inList: boolean];

/**
 * Renders `<tag uuid="…">` with the fields in schema order, keeping only `returnedTags` when given
 * and only list fields for list rows.
 */
export function renderObject(
  tag: string,
  uuid: string,
  fields: readonly OutField[],
  opts: { readonly list: boolean; readonly returnedTags?: ReadonlySet<string> },
): string {
  const body = fields
    .filter(([name, xml, inList]) => xml !== undefined && (!opts.list || inList) && (!opts.returnedTags || opts.returnedTags.has(name)))
    .map(([, xml]) => xml)
    .join('');
  return `<${tag} uuid="${escapeXml(uuid)}">${body}</${tag}>`;
}

/** The set of element names under a parsed `returnedTags` (undefined when absent or empty). */
export function returnedTagSet(v: Parsed): ReadonlySet<string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const names = Object.keys(v).filter((k) => k !== 'attributes' && k !== '$value');
  return names.length ? new Set(names) : undefined;
}
