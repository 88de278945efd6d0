/**
 * Merge of dialplan-file parts with directory-store parts into one effective `DirectoryParts`
 * (DESIGN.md "Who owns which data").
 *
 * Rule 1: a name defined in both a file and the store is an error naming the file — never a silent
 *         override (file-defined objects are read-only over AXL; the store copy must go).
 * Rule 2: the merge itself does not check references; `composeDirectory` merges, then validates the
 *         result as a whole, so store objects may point at file-defined partitions and CSSs.
 */
import type { DirectoryParts, Origin, ServiceParameters } from '../model/index.js';
import { sortDialplanErrors, type DialplanError } from './errors.js';
import { describeOrigin, ErrorSink, type LocateFn } from './locate.js';
import { COLLECTIONS, type CollectionName, type CollectionSpec } from './name-index.js';
import { validateDirectoryParts } from './validate-dialplan.js';

export type MergeResult =
  | { readonly ok: true; readonly parts: DirectoryParts }
  | { readonly ok: false; readonly errors: readonly DialplanError[] };

const NAMES = Object.keys(COLLECTIONS) as CollectionName[];

function mergeCollection<T extends { readonly origin: Origin }>(
  fileItems: readonly T[] | undefined,
  storeItems: readonly T[] | undefined,
  s: CollectionSpec<T>,
  sink: ErrorSink,
): T[] {
  const fromFiles = new Map<string, T>();
  for (const item of fileItems ?? []) if (!fromFiles.has(s.key(item))) fromFiles.set(s.key(item), item);
  for (const item of storeItems ?? []) {
    const owner = fromFiles.get(s.key(item));
    if (owner === undefined) continue;
    const msg =
      `${s.describe(owner)} is defined in dialplan file ${describeOrigin(owner.origin)} ` +
      `and in the directory store; remove one (file-defined objects are read-only over AXL)`;
    sink.report(owner, owner.origin, s.keyField, 'merge-conflict', msg);
  }
  return [...(fileItems ?? []), ...(storeItems ?? [])];
}

function mergeParams(file: DirectoryParts, store: DirectoryParts, sink: ErrorSink) {
  const fp = file.params ?? {};
  const sp = store.params ?? {};
  for (const key of Object.keys(sp) as (keyof ServiceParameters)[]) {
    if (!(key in fp)) continue;
    const msg = `service parameter ${key} is set in a dialplan file and in the directory store`;
    sink.report(fp, undefined, [key], 'merge-conflict', msg);
  }
  return { ...sp, ...fp };
}

/** Merges file and store parts; any name defined in both is a `merge-conflict` error. */
export function mergeDirectory(
  fileParts: DirectoryParts,
  storeParts: DirectoryParts,
  locate?: LocateFn,
): MergeResult {
  const sink = new ErrorSink(locate);
  const merged: Record<string, unknown> = { params: mergeParams(fileParts, storeParts, sink) };
  for (const name of NAMES) {
    const s = COLLECTIONS[name] as CollectionSpec<{ readonly origin: Origin }>;
    merged[name] = mergeCollection(fileParts[name], storeParts[name], s, sink);
  }
  if (sink.errors.length > 0) return { ok: false, errors: sortDialplanErrors(sink.errors) };
  return { ok: true, parts: merged as DirectoryParts };
}

/** Merges file and store parts, then validates the effective parts (cross-references, limits). */
export function composeDirectory(
  fileParts: DirectoryParts,
  storeParts: DirectoryParts,
  locate?: LocateFn,
): MergeResult {
  const merged = mergeDirectory(fileParts, storeParts, locate);
  if (!merged.ok) return merged;
  const errors = validateDirectoryParts(merged.parts, locate);
  return errors.length > 0 ? { ok: false, errors } : merged;
}
