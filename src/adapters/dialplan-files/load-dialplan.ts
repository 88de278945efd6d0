/**
 * `loadDialplan(dir)`: reads every YAML file of a dialplan directory, validates each against the
 * schema, converts them to `DirectoryParts` + `ServiceSettings`, and runs the core's cross-reference
 * validation. Used by `blfgw validate`, `blfgw explain`, start-up and the hot-reload watcher.
 *
 * Rule 1: stages stop at the first stage with errors (syntax → schema → cross-references), so one
 *         typo does not cascade into dozens of "unknown …" errors.
 * Rule 2: files must be self-consistent: the file parts are validated on their own here; the store
 *         is merged later with `composeDirectory` (core), which reuses `locate` for positions.
 */
import {
  sortDialplanErrors,
  validateDirectoryParts,
  type DialplanError,
  type DirectoryParts,
  type LocateFn,
  type ServiceSettings,
} from '../../core/index.js';
import { partsFromSources } from './parts-from-yaml.js';
import { validateDialplanSchema } from './schema-validator.js';
import { SourceLocator } from './source-locator.js';
import { readDialplanSources } from './yaml-source.js';

export type LoadDialplanResult =
  | {
      readonly ok: true;
      readonly parts: DirectoryParts;
      readonly settings: ServiceSettings;
      /** files read, in load order */
      readonly files: readonly string[];
      /** positions of file objects, for later merge/validation errors */
      readonly locate: LocateFn;
    }
  | { readonly ok: false; readonly errors: readonly DialplanError[] };

/** Loads and validates the dialplan in `dir`. Never throws for bad data. */
export async function loadDialplan(dir: string): Promise<LoadDialplanResult> {
  const { sources, errors: readErrors } = await readDialplanSources(dir);
  if (readErrors.length > 0) return { ok: false, errors: sortDialplanErrors(readErrors) };
  const schemaErrors = sources.flatMap(validateDialplanSchema);
  if (schemaErrors.length > 0) return { ok: false, errors: sortDialplanErrors(schemaErrors) };
  const locator = new SourceLocator();
  const converted = partsFromSources(sources, locator);
  const errors = [...converted.errors, ...validateDirectoryParts(converted.parts, locator.locate)];
  if (errors.length > 0) return { ok: false, errors: sortDialplanErrors(errors) };
  return {
    ok: true,
    parts: converted.parts,
    settings: converted.settings,
    files: sources.map((s) => s.file),
    locate: locator.locate,
  };
}
