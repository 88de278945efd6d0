/** Dialplan semantics barrel: cross-reference validation, file/store merge, service settings. Pure. */
export * from './errors.js';
export { originPosition, describeOrigin, type FieldPath, type LocateFn } from './locate.js';
export { MAX_USERS_PER_APPEARANCE } from './validate-devices.js';
export { validateDirectoryParts } from './validate-dialplan.js';
export { mergeDirectory, composeDirectory, type MergeResult } from './merge-directory.js';
export * from './service-settings.js';
