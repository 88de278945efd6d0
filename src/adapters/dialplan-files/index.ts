/** Dialplan files adapter barrel: YAML loading with positions, schema check, hot reload. */
export { formatDialplanError, type DialplanError, type ServiceSettings } from '../../core/index.js';
export { loadDialplan, type LoadDialplanResult } from './load-dialplan.js';
export { DialplanWatcher, type DialplanWatcherDelegate, type DialplanWatcherOptions, type DialplanReload, type LoadedDialplan } from './dialplan-watcher.js';
export { validateDialplanSchema, DIALPLAN_SCHEMA_URL } from './schema-validator.js';
export { readDialplanSources, parseDialplanSource, positionInSource, isDialplanFileName, type DialplanSource } from './yaml-source.js';
export { SourceLocator } from './source-locator.js';
export { partsFromSources, type ConvertedDialplan } from './parts-from-yaml.js';
export type { YamlDialplanFile } from './dialplan-file-types.js';
