/**
 * What the directory says about an SCCP device (handed in by the caller through `SccpDeviceLookup`)
 * and the button layout derived from it.
 *
 * Rule 1: buttons are numbered per type (sccp-facts.md §3.2): lines 1..n, speed dials 1..m.
 * Rule 2 (BLF style, §6): a device registering with protocol ≥ 15 gets each BLF speed dial as a
 * `BLFSpeedDial (0x15)` button with its own instance (= the BLF index order 1..k), answered with
 * FeatureStat; an older device (7940/7960) gets it as an extra `Line (0x09)` button with line instance
 * n+1.., answered with LineStat and driven by SetLamp + CallState (chan_skinny style).
 */
import { DYNAMIC_BLF_MIN_PROTOCOL, StimulusCode } from '../codec/index.js';
import type { ButtonDefinition } from '../codec/index.js';

/** A line appearance on the device (button order = array order). */
export interface SccpLineConfig {
  readonly dn: string;
  /** Text next to the button (lineTextLabel); defaults to the dn. */
  readonly label?: string;
  /** Caller-id display name of the line. */
  readonly displayName?: string;
  /** Forward-all destination, if call forward all is active. */
  readonly forwardAll?: string;
}

/** A plain speed dial. */
export interface SccpSpeedDialConfig {
  readonly dn: string;
  readonly label: string;
}

/** A BLF speed dial: `index` is the administrator's order on the device (1-based, unique). */
export interface SccpBlfSpeedDialConfig {
  readonly index: number;
  readonly label: string;
  readonly targetDn: string;
}

/** Directory view of a known device. */
export interface SccpDeviceRecord {
  readonly lines: readonly SccpLineConfig[];
  readonly speedDials?: readonly SccpSpeedDialConfig[];
  readonly blfSpeedDials?: readonly SccpBlfSpeedDialConfig[];
  /** Owner user id, shown in ConfigStatRes. */
  readonly userName?: string;
}

/** Directory lookup the caller passes in: undefined = unknown device → RegisterReject. */
export type SccpDeviceLookup = (deviceName: string, deviceType: number) => SccpDeviceRecord | undefined;

/** How BLF speed dials are shown on a device. */
export type BlfStyle = 'feature-status' | 'line-lamp';

/** One BLF button as placed on a device. */
export interface BlfButton {
  readonly index: number;
  readonly label: string;
  readonly targetDn: string;
  /** Button instance: the FeatureStat featureIndex, or the line instance in line-lamp style. */
  readonly instance: number;
}

/** The button layout of a registered device. */
export interface ButtonLayout {
  readonly blfStyle: BlfStyle;
  readonly buttons: readonly ButtonDefinition[];
  readonly blf: readonly BlfButton[];
}

/** The BLF style for a protocol version. */
export function blfStyleFor(protocolVersion: number): BlfStyle {
  return protocolVersion >= DYNAMIC_BLF_MIN_PROTOCOL ? 'feature-status' : 'line-lamp';
}

/** Lays out lines, BLF speed dials and speed dials as buttons (Rule 1, Rule 2). */
export function buildButtonLayout(record: SccpDeviceRecord, protocolVersion: number): ButtonLayout {
  const blfStyle = blfStyleFor(protocolVersion);
  const lines = record.lines.length;
  const sorted = [...(record.blfSpeedDials ?? [])].sort((a, b) => a.index - b.index);
  const blf = sorted.map((b, i) => ({
    index: b.index,
    label: b.label,
    targetDn: b.targetDn,
    instance: blfStyle === 'feature-status' ? i + 1 : lines + i + 1,
  }));
  const buttons: ButtonDefinition[] = [
    ...record.lines.map((_, i) => ({ instanceNumber: i + 1, buttonDefinition: StimulusCode.line })),
    ...blf.map((b) => ({
      instanceNumber: b.instance,
      buttonDefinition: blfStyle === 'feature-status' ? StimulusCode.blfSpeedDial : StimulusCode.line,
    })),
    ...(record.speedDials ?? []).map((_, i) => ({ instanceNumber: i + 1, buttonDefinition: StimulusCode.speedDial })),
  ];
  return { blfStyle, buttons, blf };
}
