/**
 * Line state: a reducer over CallEvent / RegistrationChanged / DndChanged per line appearance,
 * aggregated per line (blf-aggregation.ts). Runtime state owned by the core (DESIGN.md).
 *
 * Rule 1: dialogs are kept per appearance, keyed by dialog id; a terminated dialog is removed.
 * Rule 2: every input that changes a line's state or dialogs yields one LineChange for that line,
 *         in input order; lines are visited in directory order (stable output).
 * Rule 3: the table reads the directory only to map appearances to lines; after a directory swap
 *         `recomputeAll` re-aggregates and reports lines whose view changed.
 */
import { lineKey, type AppearanceRef, type Directory, type LineKey } from '../model/index.js';
import type { BlfState, LineDialog } from '../engine/engine-io.js';
import { aggregateBlfState } from './blf-aggregation.js';

/** What a line looks like now: the input of renderers and subscriptions. */
export interface LineSnapshot {
  readonly line: LineKey;
  readonly dn: string;
  readonly state: BlfState;
  readonly dnd: boolean;
  /** active dialogs over all appearances, in appearance order then arrival order */
  readonly dialogs: readonly LineDialog[];
}

/** One ordered change record (Rule 2). `old === new` when only the dialogs changed. */
export interface LineChange {
  readonly line: LineKey;
  readonly dn: string;
  readonly old: BlfState;
  readonly new: BlfState;
  readonly dnd: boolean;
  readonly dialogs: readonly LineDialog[];
}

function appearanceKey(ref: AppearanceRef): string {
  return `${ref.device}#${ref.index}`;
}

export class LineStateTable {
  private readonly dialogs = new Map<string, Map<string, LineDialog>>();
  private readonly registered = new Set<string>();
  private readonly dnd = new Set<string>();
  /** last reported snapshot per line that was ever looked at */
  private readonly last = new Map<LineKey, LineSnapshot>();

  /** Current view of a line (pure read). */
  snapshot(dir: Directory, line: LineKey): LineSnapshot {
    const refs = dir.appearancesByLine.get(line) ?? [];
    const devices = new Set(refs.map((r) => r.device));
    let registeredDevices = 0;
    let dndDevices = 0;
    for (const d of devices) {
      if (this.registered.has(d)) registeredDevices++;
      if (this.dnd.has(d)) dndDevices++;
    }
    const dialogs: LineDialog[] = [];
    for (const ref of refs) dialogs.push(...(this.dialogs.get(appearanceKey(ref))?.values() ?? []));
    const agg = aggregateBlfState({
      dialogs,
      devices: devices.size,
      registeredDevices,
      dndDevices,
      blfStatusDepictsDnd: dir.params.blfStatusDepictsDnd,
    });
    const dn = dir.lines.get(line)?.dn ?? line.slice(0, line.indexOf('/'));
    return { line, dn, state: agg.state, dnd: agg.dnd, dialogs };
  }

  /** Applies a call event on one appearance; returns the change of its line, if any. */
  applyCallEvent(dir: Directory, appearance: AppearanceRef, dialog: LineDialog): LineChange[] {
    const app = dir.devices.get(appearance.device)?.lines.find((l) => l.index === appearance.index);
    if (!app) return [];
    const key = appearanceKey(appearance);
    const map = this.dialogs.get(key) ?? new Map<string, LineDialog>();
    if (dialog.state === 'terminated') map.delete(dialog.id);
    else map.set(dialog.id, dialog);
    if (map.size === 0) this.dialogs.delete(key);
    else this.dialogs.set(key, map);
    return this.diff(dir, [lineKey(app.dn, app.partition)]);
  }

  /** A device (un)registered: its lines may turn unknown or come back. */
  applyRegistration(dir: Directory, device: string, registered: boolean): LineChange[] {
    if (registered) this.registered.add(device);
    else {
      this.registered.delete(device);
      for (const key of [...this.dialogs.keys()]) if (key.startsWith(`${device}#`)) this.dialogs.delete(key);
    }
    return this.diff(dir, linesOfDevice(dir, device));
  }

  applyDnd(dir: Directory, device: string, on: boolean): LineChange[] {
    if (on) this.dnd.add(device);
    else this.dnd.delete(device);
    return this.diff(dir, linesOfDevice(dir, device));
  }

  /** After a directory swap: every line of the new directory plus every line reported before. */
  recomputeAll(dir: Directory): LineChange[] {
    const lines = new Set<LineKey>([...dir.lines.keys(), ...this.last.keys()]);
    return this.diff(dir, [...lines]);
  }

  isRegistered(device: string): boolean {
    return this.registered.has(device);
  }

  private diff(dir: Directory, lines: readonly LineKey[]): LineChange[] {
    const changes: LineChange[] = [];
    for (const line of lines) {
      const before = this.last.get(line);
      const now = this.snapshot(dir, line);
      this.last.set(line, now);
      if (before && sameSnapshot(before, now)) continue;
      const old = before?.state ?? 'unknown';
      if (!before && now.state === 'unknown' && now.dialogs.length === 0) continue;
      changes.push({ line, dn: now.dn, old, new: now.state, dnd: now.dnd, dialogs: now.dialogs });
    }
    return changes;
  }
}

function linesOfDevice(dir: Directory, device: string): LineKey[] {
  const lines = dir.devices.get(device)?.lines ?? [];
  return [...new Set(lines.map((l) => lineKey(l.dn, l.partition)))];
}

function sameSnapshot(a: LineSnapshot, b: LineSnapshot): boolean {
  if (a.state !== b.state || a.dnd !== b.dnd || a.dialogs.length !== b.dialogs.length) return false;
  return a.dialogs.every((d, i) => d === b.dialogs[i]);
}
