/**
 * Named errors of the dialplan-files adapter. Bad dialplan data is never thrown: it comes back as
 * `DialplanError` values (core/dialplan). Only our own bugs throw.
 */
import type { DialplanError } from '../../core/index.js';

/** A file-level error (read failure, YAML syntax) without a precise position. */
export function fileError(file: string, message: string, code: DialplanError['code'] = 'io'): DialplanError {
  return { file, line: 0, col: 0, message, code };
}

/** The dialplan directory has no *.yaml / *.yml file. */
export function emptyDirectoryError(dir: string): DialplanError {
  return fileError(dir, 'no *.yaml or *.yml dialplan file in this directory');
}

/** `service` (or `service.x`) written in two files. */
export function duplicateServiceMessage(firstFile: string): string {
  return `service is already defined in ${firstFile}; keep service parameters in one file`;
}
