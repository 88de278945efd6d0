/**
 * Answers to a registered phone's requests, built from its directory record (sccp-facts.md §3, §7
 * "Registration"): ButtonTemplate, LineStat, SpeedDialStat, ForwardStat, ConfigStat, TimeDate, soft
 * key template and sets. Pure: `now` is passed in.
 */
import {
  buildFlat,
  SoftKeyEventCode as K,
  SoftKeySetIndex,
  type ButtonTemplateRes,
  type FlatMessage,
  type SoftKeySetRes,
  type SoftKeyTemplateRes,
} from '../codec/index.js';
import type { ButtonLayout, SccpDeviceRecord } from './device-record.js';

const MAX_BUTTONS = 42;

/** 0x0097 for the device's layout (first 42 buttons, as one page). */
export function buttonTemplateFor(layout: ButtonLayout): ButtonTemplateRes {
  const buttons = layout.buttons.slice(0, MAX_BUTTONS);
  return { type: 'ButtonTemplateRes', buttonOffset: 0, totalButtonCount: buttons.length, buttons };
}

/** 0x0092 for line `n`: a real line, a line-lamp BLF button, or an empty answer. */
export function lineStatFor(record: SccpDeviceRecord, layout: ButtonLayout, n: number): FlatMessage<'LineStatRes'> {
  const line = record.lines[n - 1];
  if (line) {
    return buildFlat('LineStatRes', {
      lineNumber: n,
      lineDirNumber: clip(line.dn, 23),
      lineFullyQualifiedDisplayName: clip(line.displayName ?? line.label ?? line.dn, 39),
      lineTextLabel: clip(line.label ?? line.dn, 39),
      lineDisplayOptions: 15,
    });
  }
  const blf = layout.blfStyle === 'line-lamp' ? layout.blf.find((b) => b.instance === n) : undefined;
  return buildFlat('LineStatRes', {
    lineNumber: n,
    lineDirNumber: clip(blf?.targetDn ?? '', 23),
    lineFullyQualifiedDisplayName: clip(blf?.label ?? '', 39),
    lineTextLabel: clip(blf?.label ?? '', 39),
    lineDisplayOptions: blf ? 15 : 0,
  });
}

/** 0x0091 for speed dial `n` (empty when there is none). */
export function speedDialStatFor(record: SccpDeviceRecord, n: number): FlatMessage<'SpeedDialStatRes'> {
  const sd = record.speedDials?.[n - 1];
  return buildFlat('SpeedDialStatRes', {
    speedDialNumber: n,
    speedDialDirNumber: clip(sd?.dn ?? '', 23),
    speedDialDisplayName: clip(sd?.label ?? '', 39),
  });
}

/** 0x0090 for line `n`: forward-all state from the record. */
export function forwardStatFor(record: SccpDeviceRecord, n: number): FlatMessage<'ForwardStatRes'> {
  const fwd = record.lines[n - 1]?.forwardAll;
  return buildFlat('ForwardStatRes', {
    activeForward: fwd ? 1 : 0,
    lineNumber: n,
    forwardAllActive: fwd ? 1 : 0,
    forwardAllDirnum: clip(fwd ?? '', 23),
  });
}

/** 0x0093 ConfigStatRes. */
export function configStatFor(
  deviceName: string,
  record: SccpDeviceRecord,
  serverName: string,
): FlatMessage<'ConfigStatRes'> {
  return buildFlat('ConfigStatRes', {
    deviceName: clip(deviceName, 15),
    instance: 1,
    userName: clip(record.userName ?? '', 39),
    serverName: clip(serverName, 39),
    numberLines: record.lines.length,
    numberSpeedDials: record.speedDials?.length ?? 0,
  });
}

/** 0x0094 TimeDateRes for `now` (UTC). */
export function timeDateFor(now: number): FlatMessage<'TimeDateRes'> {
  const d = new Date(now);
  return buildFlat('TimeDateRes', {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    dayOfWeek: d.getUTCDay(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    milliseconds: d.getUTCMilliseconds(),
    systemTime: Math.floor(now / 1000),
  });
}

/** Soft key template: phone-localised labels "\x80<n>" (chan_skinny), plus Dial. */
const TEMPLATE: ReadonlyArray<[label: string, event: number]> = [
  ['\x80\x01', K.redial], ['\x80\x02', K.newCall], ['\x80\x03', K.hold], ['\x80\x04', K.transfer],
  ['\x80\x05', K.cfwdAll], ['\x80\x06', K.cfwdBusy], ['\x80\x07', K.cfwdNoAnswer], ['\x80\x08', K.backSpace],
  ['\x80\x09', K.endCall], ['\x80\x0a', K.resume], ['\x80\x0b', K.answer], ['Dial', K.dial],
];

/** 1-based template position of a soft key event. */
function keyIndex(event: number): number {
  return TEMPLATE.findIndex(([, e]) => e === event) + 1;
}

/** Soft key sets in CUCM default order (SoftKeySetIndex). */
const SETS: ReadonlyArray<readonly number[]> = (() => {
  const sets: number[][] = [];
  sets[SoftKeySetIndex.onHook] = [K.redial, K.newCall, K.cfwdAll];
  sets[SoftKeySetIndex.connected] = [K.hold, K.endCall, K.transfer];
  sets[SoftKeySetIndex.onHold] = [K.resume, K.newCall, K.endCall];
  sets[SoftKeySetIndex.ringIn] = [K.answer, K.endCall];
  sets[SoftKeySetIndex.offHook] = [K.redial, K.endCall];
  sets[SoftKeySetIndex.connectedTransferable] = [K.hold, K.endCall, K.transfer];
  sets[SoftKeySetIndex.digitsFollowing] = [K.backSpace, K.endCall, K.dial];
  sets[SoftKeySetIndex.connectedConference] = [K.hold, K.endCall];
  sets[SoftKeySetIndex.ringOut] = [K.endCall];
  sets[SoftKeySetIndex.offHookWithFeatures] = [K.redial, K.endCall];
  return sets;
})();

/** 0x0108 SoftKeyTemplateRes. */
export function softKeyTemplate(): SoftKeyTemplateRes {
  return {
    type: 'SoftKeyTemplateRes',
    softKeyOffset: 0,
    totalSoftKeyCount: TEMPLATE.length,
    softKeys: TEMPLATE.map(([softKeyLabel, softKeyEvent]) => ({ softKeyLabel, softKeyEvent })),
  };
}

/** 0x0109 SoftKeySetRes. */
export function softKeySets(): SoftKeySetRes {
  return {
    type: 'SoftKeySetRes',
    softKeySetOffset: 0,
    totalSoftKeySetCount: SETS.length,
    softKeySets: SETS.map((events) => ({
      softKeyTemplateIndex: events.map(keyIndex),
      softKeyInfoIndex: events.map((e) => 300 + keyIndex(e)),
    })),
  };
}

/** Text made latin1 ('?' for other characters) and clipped to a char[N] field's capacity. */
export function clip(text: string, max: number): string {
  const latin1 = text.replace(/[^\x00-\xff]/g, '?');
  return latin1.length > max ? latin1.slice(0, max) : latin1;
}
