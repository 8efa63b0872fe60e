/*
 * configure_rtc() (system/rtc.c): -rtc base=utc|localtime|<datetime>,
 * clock=host|rt|vm, driftfix=slew|none.  The RTC device reads the result.
 */
import { QemuError } from '../util/error.js';
import { qemuOptGet, type QemuOpts } from '../util/qemu-option.js';

export type RtcClock = 'host' | 'rt' | 'vm';

export interface RtcConfig {
  base: 'utc' | 'localtime' | 'datetime';
  /** Seconds to add to host time for the guest's RTC (base=<datetime>). */
  hostDatetimeOffset: number;
  clock: RtcClock;
  /** driftfix=slew: the mc146818rtc lost_tick_policy. */
  lostTickPolicy: 'discard' | 'slew';
}

export const rtcConfig: RtcConfig = { base: 'utc', hostDatetimeOffset: 0, clock: 'host', lostTickPolicy: 'discard' };

/** sscanf("%d-%d-%dT%d:%d:%d") or "%d-%d-%d", as mktimegm() then reads it. */
function parseDatetime(s: string): number | undefined {
  const m = /^\s*([+-]?\d+)-([+-]?\d+)-([+-]?\d+)(?:T([+-]?\d+):([+-]?\d+):([+-]?\d+))?/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((v) => (v === undefined ? 0 : parseInt(v, 10)));
  if (m[4] === undefined && /T/.test(s)) return undefined;
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, se!) / 1000;
}

export function configureRtc(opts: QemuOpts | undefined): void {
  if (!opts) return;
  const base = qemuOptGet(opts, 'base');
  if (base !== undefined) {
    if (base === 'utc') rtcConfig.base = 'utc';
    else if (base === 'localtime') rtcConfig.base = 'localtime';
    else {
      const start = parseDatetime(base);
      if (start === undefined) {
        throw new QemuError('invalid datetime format', "valid formats: '2006-06-17T16:01:21' or '2006-06-17'");
      }
      rtcConfig.base = 'datetime';
      rtcConfig.hostDatetimeOffset = start - Math.floor(Date.now() / 1000);
    }
  }
  const clock = qemuOptGet(opts, 'clock');
  if (clock !== undefined) {
    if (clock !== 'host' && clock !== 'rt' && clock !== 'vm') throw new QemuError(`invalid option value '${clock}'`);
    rtcConfig.clock = clock;
  }
  const driftfix = qemuOptGet(opts, 'driftfix');
  if (driftfix !== undefined) {
    if (driftfix === 'slew') rtcConfig.lostTickPolicy = 'slew';
    else if (driftfix === 'none') rtcConfig.lostTickPolicy = 'discard';
    else throw new QemuError(`invalid option value '${driftfix}'`);
  }
}
