/**
 * JSON Schema validation of one dialplan file (`dialplans/schema.json`, draft-07) with ajv, each
 * error mapped back to `file:line:col` of the offending YAML node.
 *
 * Rule 1: the schema is compiled once per process and shared (it is immutable data).
 * Rule 2: messages name the YAML path (`phones[2].lines[0].dn: must be …`), so they read without
 *         the schema open.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DialplanError, FieldPath } from '../../core/index.js';
import { positionInSource, type DialplanSource } from './yaml-source.js';

/** Where the shipped schema lives (repository `dialplans/schema.json`). */
export const DIALPLAN_SCHEMA_URL = new URL('../../../dialplans/schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(DIALPLAN_SCHEMA_URL, 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true });
  compiled = ajv.compile(schema);
  return compiled;
}

/** `/phones/2/lines/0/dn` → ['phones', 2, 'lines', 0, 'dn'] */
function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/** `phones[2].lines[0].dn` */
function describePath(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? 'top level' : out;
}

function messageOf(e: ErrorObject): { path: FieldPath; key: boolean; text: string } {
  const path = pathOf(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      return { path: [...path, extra], key: true, text: `${describePath(path)}: unknown key '${extra}'` };
    }
    case 'required':
      return { path, key: false, text: `${describePath(path)}: missing required key '${String(params.missingProperty)}'` };
    case 'enum':
      return { path, key: false, text: `${describePath(path)}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'oneOf':
      return { path, key: false, text: `${describePath(path)}: needs exactly one of 'dn' or 'uri'` };
    default:
      return { path, key: false, text: `${describePath(path)}: ${e.message ?? e.keyword}` };
  }
}

/** Validates one parsed file against the schema; empty list = valid. */
export function validateDialplanSchema(src: DialplanSource): DialplanError[] {
  const validate = schemaValidator();
  if (validate(src.data)) return [];
  const errors = (validate.errors ?? []).filter((e) => !e.schemaPath.includes('/oneOf/'));
  const seen = new Set<string>();
  const out: DialplanError[] = [];
  for (const e of errors) {
    const m = messageOf(e);
    const pos = positionInSource(src, m.path, m.key);
    const id = `${pos.line}:${pos.col}:${m.text}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ ...pos, message: m.text, code: 'schema' });
  }
  return out;
}
