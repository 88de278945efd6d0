/**
 * Dialplan errors: what the validator and the merge report, and how they are printed.
 * Every error names a place an admin can open in an editor (`file:line:col: message`); objects that
 * come from the directory store have no file and print as `<store>`.
 *
 * Rule 1: validation never throws for bad data; it returns a list of errors (style.md §7).
 * Rule 2: an error always has a position; when the exact field is unknown it points at the object.
 */

/** Machine-readable kind of a dialplan error (tests and the CLI may filter on it). */
export type DialplanErrorCode =
  | 'syntax'
  | 'schema'
  | 'io'
  | 'duplicate-name'
  | 'duplicate-dn'
  | 'duplicate-index'
  | 'unknown-partition'
  | 'unknown-css'
  | 'unknown-presence-group'
  | 'unknown-trunk'
  | 'unknown-user'
  | 'unknown-device'
  | 'unknown-line'
  | 'sccp-blf-uri'
  | 'too-many-users'
  | 'publish-user-without-line'
  | 'route-pattern-syntax'
  | 'busy-trigger'
  | 'merge-conflict';

/** One dialplan error at a source position (1-based line and column; 0 when there is no file). */
export interface DialplanError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly code?: DialplanErrorCode;
}

/** A position in a dialplan file (1-based). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** Pseudo file name for objects that live in the directory store. */
export const STORE_FILE = '<store>';

/** `file:line:col: message`, the format editors and CI logs understand. */
export function formatDialplanError(e: DialplanError): string {
  if (e.line <= 0) return `${e.file}: ${e.message}`;
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

/** Sorts errors by file, line, column (stable for equal positions). */
export function sortDialplanErrors(errors: readonly DialplanError[]): DialplanError[] {
  return [...errors].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col,
  );
}
