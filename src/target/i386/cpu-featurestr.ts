/*
 * `-cpu model[,features]` (parse_cpu_option(), x86_cpu_parse_featurestr(), QEMU 7.2):
 * key=value items become global properties of the model's type; +feat/-feat
 * are kept in lists that x86_cpu_expand_features() applies at realize, after
 * the globals, so they win whatever the order.
 */
import { objectRegisterGlobalProp } from '../../qom/object.js';
import { QemuError, warnReport } from '../../util/error.js';
import { x86CpuClassByName } from './cpu.js';

let plusFeatures: string[] = [];
let minusFeatures: string[] = [];
let cpuGlobalsInitialized = false;

/**
 * parse_cpu_option(): "model[,features]" → the QOM type to instantiate.  The
 * features become global properties of that type (and +/- lists for realize).
 */
export function parseCpuOption(cpuOption: string): string {
  const comma = cpuOption.indexOf(',');
  const model = comma < 0 ? cpuOption : cpuOption.slice(0, comma);
  const oc = x86CpuClassByName(model);
  if (!oc) throw new QemuError(`unable to find CPU model '${model}'`);
  const typename = oc.typeName;
  x86CpuParseFeaturestr(typename, comma < 0 ? undefined : cpuOption.slice(comma + 1));
  return typename;
}

/** feat2prop(): the legacy "_" spelling of property names. */
function feat2prop(s: string): string {
  return s.replace(/_/g, '-');
}

/** x86_cpu_parse_featurestr(). */
export function x86CpuParseFeaturestr(typename: string, features: string | undefined): void {
  // Parsed once per process: -cpu is one option, every CPU shares it.
  if (cpuGlobalsInitialized) return;
  cpuGlobalsInitialized = true;
  if (!features) return;
  let ambiguous = false;
  for (const featurestr of features.split(',')) {
    if (featurestr === '') continue; // strtok skips empty items
    if (featurestr[0] === '+') {
      plusFeatures.push(featurestr.slice(1));
      continue;
    }
    if (featurestr[0] === '-') {
      minusFeatures.push(featurestr.slice(1));
      continue;
    }
    const eq = featurestr.indexOf('=');
    let name = feat2prop(eq < 0 ? featurestr : featurestr.slice(0, eq));
    let val = eq < 0 ? 'on' : featurestr.slice(eq + 1);
    if (plusFeatures.includes(name)) {
      warnReport(`Ambiguous CPU model string. Don't mix both "+${name}" and "${name}=${val}"`);
      ambiguous = true;
    }
    if (minusFeatures.includes(name)) {
      warnReport(`Ambiguous CPU model string. Don't mix both "-${name}" and "${name}=${val}"`);
      ambiguous = true;
    }
    if (name === 'tsc-freq') {
      const hz = qemuStrtoszMetric(val);
      if (hz === undefined) throw new QemuError(`bad numerical value ${val}`);
      val = String(hz);
      name = 'tsc-frequency';
    }
    objectRegisterGlobalProp({ driver: typename, property: name, value: val });
  }
  if (ambiguous) warnReport("Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions");
}

/** qemu_strtosz_metric(): a size with an optional k/M/G/T/P/E suffix, powers of 1000. */
function qemuStrtoszMetric(s: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([bBkKmMgGtTpPeE]?)$/.exec(s);
  if (!m) return undefined;
  const exp = ' kmgtpe'.indexOf(m[2]!.toLowerCase());
  const mul = m[2] === '' || /[bB]/.test(m[2]!) ? 1 : 1000 ** exp;
  if (m[1]!.includes('.') && mul === 1) return undefined; // a fraction needs a suffix
  const n = Math.floor(parseFloat(m[1]!) * mul);
  return n > Number.MAX_SAFE_INTEGER ? undefined : n;
}

// ---- osxsave, as QEMU 2.0 took it ---------------------------------------------

/*
 * QEMU 2.0 still had a property name for CPUID.01H:ECX[27] (OSXSAVE), so
 * libvirt of that era (Ubuntu trusty) wrote "+osxsave".  The bit mirrors
 * CR4.OSXSAVE, which the guest OS sets; 7.2 has no such property and refuses
 * the string.  Machines of that era (pc-*-2.0 and older, pc-i440fx-trusty)
 * turn this on: +osxsave/-osxsave are then ignored with a warning.
 */
let osxsaveCompat = false;
let osxsaveWarned = false;

/** Called by machine types of the QEMU 2.0 era. */
export function x86CpuSetOsxsaveCompat(on: boolean): void {
  osxsaveCompat = on;
}

export function osxsaveIgnored(sign: '+' | '-'): boolean {
  if (!osxsaveCompat) return false;
  if (!osxsaveWarned) {
    osxsaveWarned = true;
    warnReport(`CPU feature '${sign}osxsave' ignored: CPUID.01H:ECX.osxsave [bit 27] is set by the guest OS (CR4.OSXSAVE), not by -cpu`);
  }
  return true;
}

/** The +feat / -feat lists, in command-line order. */
export function cpuPlusFeatures(): readonly string[] {
  return plusFeatures;
}

export function cpuMinusFeatures(): readonly string[] {
  return minusFeatures;
}

/** Forgets what was parsed (tests run several configurations in one process). */
export function x86CpuResetFeaturestr(): void {
  plusFeatures = [];
  minusFeatures = [];
  cpuGlobalsInitialized = false;
  osxsaveWarned = false;
  osxsaveCompat = false;
}
