/**
 * Store errors: expected domain outcomes returned as values (style.md §7), never thrown.
 * Each carries an `axlCode` so the AXL facade can put it in `axlError/axlcode` unchanged.
 *
 * Codes (axl-facts.md §9): 5007 "Item not valid: The specified X was not found" (CUCM behaviour);
 * -239 duplicate key (Informix unique-index error); -547 still referenced (Informix FK constraint);
 * 5003 invalid value.
 */
import type { EntityKind } from './directory-store.js';

export type StoreErrorCode = 'not-found' | 'duplicate' | 'invalid-reference' | 'invalid-value' | 'in-use';

export interface StoreError {
  readonly code: StoreErrorCode;
  /** number for AXL's `axlError/axlcode` */
  readonly axlCode: number;
  readonly message: string;
  readonly kind: EntityKind;
}

export const AXL_CODES: Readonly<Record<StoreErrorCode, number>> = {
  'not-found': 5007,
  'invalid-reference': 5007,
  duplicate: -239,
  'in-use': -547,
  'invalid-value': 5003,
};

/** AXL's display names of the object kinds, as used in CUCM fault texts. */
export const KIND_LABELS: Readonly<Record<EntityKind, string>> = {
  user: 'User',
  phone: 'Phone',
  line: 'Line',
  partition: 'Route Partition',
  css: 'Calling Search Space',
  presenceGroup: 'Presence Group',
};

export function notFound(kind: EntityKind, what?: string): StoreError {
  const suffix = what ? ` (${what})` : '';
  return {
    code: 'not-found',
    axlCode: AXL_CODES['not-found'],
    kind,
    message: `Item not valid: The specified ${KIND_LABELS[kind]} was not found${suffix}`,
  };
}

export function invalidReference(kind: EntityKind, refKind: EntityKind, name: string): StoreError {
  return {
    code: 'invalid-reference',
    axlCode: AXL_CODES['invalid-reference'],
    kind,
    message: `Item not valid: The specified ${KIND_LABELS[refKind]} was not found (${name})`,
  };
}

export function duplicate(kind: EntityKind, key: string): StoreError {
  return {
    code: 'duplicate',
    axlCode: AXL_CODES.duplicate,
    kind,
    message: `Could not insert new row - duplicate value in a UNIQUE INDEX column (${KIND_LABELS[kind]} ${key})`,
  };
}

export function inUse(kind: EntityKind, key: string, by: string): StoreError {
  return {
    code: 'in-use',
    axlCode: AXL_CODES['in-use'],
    kind,
    message: `Cannot remove or rename ${KIND_LABELS[kind]} ${key}: still referenced by ${by}`,
  };
}

export function invalidValue(kind: EntityKind, message: string): StoreError {
  return { code: 'invalid-value', axlCode: AXL_CODES['invalid-value'], kind, message };
}
