/** Barrel of `sip/publication/`: RFC 3903 publisher (EPA) — ETag lifecycle as data, PUBLISH values. */
export * from './publication-table.js';
export * from './publication.js';
export * from './publication-set.js';
export * from './publish-request.js';
