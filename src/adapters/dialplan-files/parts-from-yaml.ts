/**
 * Turns schema-valid dialplan files into the core's `DirectoryParts` plus `ServiceSettings`.
 * Every object gets `Origin {kind:'file', file, line}` and is registered with the locator, so core
 * errors can point at the exact field.
 *
 * Rule 1: `service` may appear in one file only.
 */
import type { DialplanError, DirectoryParts, ServiceSettings } from '../../core/index.js';
import type * as Y from './dialplan-file-types.js';
import { duplicateServiceMessage } from './errors.js';
import type { SourceLocator } from './source-locator.js';
import { positionInSource, type DialplanSource } from './yaml-source.js';
import { convertNamedSections } from './sections-from-yaml.js';
import { paramsOf, settingsOf } from './yaml-mappers.js';

export interface ConvertedDialplan {
  readonly parts: DirectoryParts;
  readonly settings: ServiceSettings;
  readonly errors: DialplanError[];
}

/** Converts all sources (already schema-valid) into parts, settings and `service` errors. */
export function partsFromSources(sources: readonly DialplanSource[], loc: SourceLocator): ConvertedDialplan {
  const errors: DialplanError[] = [];
  let service: { src: DialplanSource; value: Y.YamlService } | undefined;
  for (const src of sources) {
    const value = (src.data as Y.YamlDialplanFile).service;
    if (value === undefined) continue;
    if (service === undefined) {
      service = { src, value };
      continue;
    }
    const pos = positionInSource(src, ['service'], true);
    errors.push({ ...pos, message: duplicateServiceMessage(service.src.file), code: 'duplicate-name' });
  }
  const sections = convertNamedSections(sources, loc);
  const params = service ? loc.register(paramsOf(service.value), service.src, ['service']) : undefined;
  const parts: DirectoryParts = { ...sections, ...(params ? { params } : {}) };
  return { parts, settings: settingsOf(service?.value.ports), errors };
}
