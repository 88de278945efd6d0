/**
 * Position lookup for dialplan errors. The core does not know about YAML; the loader hands it a
 * `LocateFn` that maps an object of the parts (and a field path inside it, in the file's own key
 * names) to a source position. Without one, or when it does not know the object, the error falls
 * back to the object's `Origin` (file and line of the object, column 1).
 */
import type { Origin } from '../model/index.js';
import { STORE_FILE, type DialplanError, type DialplanErrorCode, type SourcePosition } from './errors.js';

/** Path of a field inside an object, e.g. `['lines', 0, 'partition']` inside a device. */
export type FieldPath = readonly (string | number)[];

/** Maps (object, field path) to where it was written; undefined when unknown. */
export type LocateFn = (object: object, path: FieldPath) => SourcePosition | undefined;

/** Where an object came from, as a position (store objects have no file). */
export function originPosition(origin: Origin | undefined): SourcePosition {
  if (origin?.kind === 'file') return { file: origin.file, line: origin.line, col: 1 };
  if (origin?.kind === 'builtin') return { file: '<builtin>', line: 0, col: 0 };
  return { file: STORE_FILE, line: 0, col: 0 };
}

/** `phones.yaml:12` or `the directory store`, for messages that point at another definition. */
export function describeOrigin(origin: Origin | undefined): string {
  if (origin?.kind === 'file') return `${origin.file}:${origin.line}`;
  if (origin?.kind === 'builtin') return 'the built-in defaults';
  return 'the directory store';
}

/** Collects errors, resolving each one's position through the locate callback. */
export class ErrorSink {
  readonly errors: DialplanError[] = [];

  constructor(private readonly locate: LocateFn | undefined) {}

  /** Reports `message` at `path` inside `owner` (whose origin is the fallback position). */
  report(
    owner: object,
    origin: Origin | undefined,
    path: FieldPath,
    code: DialplanErrorCode,
    message: string,
  ): void {
    const pos = this.locate?.(owner, path) ?? originPosition(origin);
    this.errors.push({ file: pos.file, line: pos.line, col: pos.col, message, code });
  }
}
