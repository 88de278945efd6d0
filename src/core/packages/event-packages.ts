/**
 * Event packages as records plugged into one generic notifier (style guide §6; Kamailio pres_ev_t).
 *
 * Rule 1: `contentTypes[0]` is the default; a SUBSCRIBE's Accept list picks another one it supports
 *         (Cisco Enterprise phones accept only application/cpim-pidf+xml for presence, blf-facts §1.1).
 * Rule 2: `defaultExpires` is the package's RFC default (RFC 4235 §3.3, RFC 3856 §6.4: 3600 s); the
 *         service parameter subscribeDefaultExpires overrides it in the engine.
 * Rule 3: `renderTemplate` renders everything but the version, once per state change; the engine
 *         fills in each watcher's own version (`fillTemplate`).
 */
import type { EventPackageName } from '../engine/engine-io.js';
import type { LineSnapshot } from '../line-state/index.js';
import { renderDialogInfoParts } from '../render/dialog-info.js';
import { renderPidf } from '../render/pidf.js';

export interface TemplateContext {
  readonly entity: string;
  readonly snapshot: LineSnapshot;
  readonly singleDialogPerDocument: boolean;
}

/** A rendered document but for its version: `head + version + tail`, or `head` alone (no version). */
export interface DocumentTemplate {
  readonly head: string;
  /** undefined when the package's documents carry no version (PIDF) */
  readonly tail: string | undefined;
}

export interface EventPackage {
  readonly name: EventPackageName;
  readonly contentTypes: readonly string[];
  readonly defaultExpires: number;
  /** Rule 3 */
  renderTemplate(ctx: TemplateContext): DocumentTemplate;
}

/** Rule 3: one watcher's document from the shared template. */
export function fillTemplate(t: DocumentTemplate, version: number): string {
  return t.tail === undefined ? t.head : `${t.head}${version}${t.tail}`;
}

export const DIALOG_PACKAGE: EventPackage = {
  name: 'dialog',
  contentTypes: ['application/dialog-info+xml'],
  defaultExpires: 3600,
  renderTemplate: (ctx) => renderDialogInfoParts(ctx),
};

export const PRESENCE_PACKAGE: EventPackage = {
  name: 'presence',
  contentTypes: ['application/pidf+xml', 'application/cpim-pidf+xml'],
  defaultExpires: 3600,
  renderTemplate: (ctx) => ({ head: renderPidf(ctx), tail: undefined }),
};

export const EVENT_PACKAGES: ReadonlyMap<string, EventPackage> = new Map([
  ['dialog', DIALOG_PACKAGE],
  ['presence', PRESENCE_PACKAGE],
]);

/** Rule 1: the content type to send; undefined when Accept lists none we can produce (→ 406). */
export function selectContentType(pkg: EventPackage, accept?: readonly string[]): string | undefined {
  if (!accept || accept.length === 0) return pkg.contentTypes[0];
  const wanted = accept.map((a) => a.split(';')[0]!.trim().toLowerCase());
  if (wanted.includes('*/*') || wanted.includes('application/*')) return pkg.contentTypes[0];
  return pkg.contentTypes.find((ct) => wanted.includes(ct));
}
