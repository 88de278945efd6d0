/**
 * Reads the YAML files of a dialplan directory, keeping source positions (yaml `LineCounter`), and
 * maps a path inside a file's document to `file:line:col`.
 *
 * Rule 1: files are read in name order, so errors and duplicate "first at" messages are stable.
 * Rule 2: a YAML syntax error is reported at its position and the file yields no data.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCollection, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { DialplanError, FieldPath, SourcePosition } from '../../core/index.js';
import { emptyDirectoryError, fileError } from './errors.js';

/** One parsed dialplan file. */
export interface DialplanSource {
  /** path as shown in errors: `dir/name.yaml` */
  readonly file: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** plain data of the document (`{}` for an empty file) */
  readonly data: unknown;
}

/** True for names the loader reads. */
export function isDialplanFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

/** Parses one file's text; syntax errors come back with their line and column. */
export function parseDialplanSource(file: string, text: string): DialplanSource | DialplanError[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return { file, line: pos?.line ?? 0, col: pos?.col ?? 0, message: `YAML: ${message}`, code: 'syntax' };
    });
  }
  return { file, doc, lineCounter, data: doc.toJS() ?? {} };
}

/** Reads and parses every *.yaml / *.yml file of `dir`. */
export async function readDialplanSources(
  dir: string,
): Promise<{ sources: DialplanSource[]; errors: DialplanError[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isDialplanFileName).sort();
  } catch (err) {
    return { sources: [], errors: [fileError(dir, `cannot read dialplan directory: ${String(err)}`)] };
  }
  if (names.length === 0) return { sources: [], errors: [emptyDirectoryError(dir)] };
  const sources: DialplanSource[] = [];
  const errors: DialplanError[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      errors.push(fileError(file, `cannot read file: ${String(err)}`));
      continue;
    }
    const parsed = parseDialplanSource(file, text);
    if (Array.isArray(parsed)) errors.push(...parsed);
    else sources.push(parsed);
  }
  return { sources, errors };
}

/**
 * Position of the node at `path` in a source; walks up the path until a node exists (a missing
 * field points at its object). `key: true` points at the key of the last path element instead.
 */
export function positionInSource(src: DialplanSource, path: FieldPath, key = false): SourcePosition {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const node = key && n === path.length ? keyNodeAt(src.doc, sub) : src.doc.getIn(sub, true);
    if (isNode(node) && node.range) {
      const { line, col } = src.lineCounter.linePos(node.range[0]);
      return { file: src.file, line, col };
    }
  }
  return { file: src.file, line: 1, col: 1 };
}

function keyNodeAt(doc: Document, path: FieldPath): unknown {
  if (path.length === 0) return undefined;
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isCollection(parent)) return undefined;
  const last = path[path.length - 1];
  for (const item of parent.items) {
    if (isNode(item) || !item || typeof item !== 'object' || !('key' in item)) continue;
    const k = item.key;
    if (isNode(k) && 'value' in k && String(k.value) === String(last)) return k;
  }
  return undefined;
}
