/*
 * The QemuOptsList groups that qemu_init() registers (vl.c's qemu_add_opts()
 * calls, plus "vnc" and "sandbox" from MODULE_INIT_OPTS), with QEMU 7.2's
 * keys, types, help texts, implied first keys and merge flags.
 *
 * The desc lists were checked key by key against "-<opt> ...,help" of the
 * 7.2 binary (test/oracle/cli-oracle.test.ts compares the help texts); an
 * empty desc means QEMU accepts any key here and a later layer (QOM, QAPI,
 * the block layer) checks them.
 */
import { QemuError } from '../util/error.js';
import { QemuOptType, qemuOptsListNew, type QemuOptDesc, type QemuOptsList } from '../util/qemu-option.js';

const str = (name: string, help?: string): QemuOptDesc => ({ name, type: QemuOptType.STRING, help });
const bool = (name: string, help?: string): QemuOptDesc => ({ name, type: QemuOptType.BOOL, help });
const num = (name: string, help?: string): QemuOptDesc => ({ name, type: QemuOptType.NUMBER, help });
const size = (name: string, help?: string): QemuOptDesc => ({ name, type: QemuOptType.SIZE, help });

type ListDef = Omit<QemuOptsList, 'head'>;

/* blockdev.c qemu_drive_opts: keys are checked by drive_new()/blockdev_init(). */
const drive: ListDef = { name: 'drive', desc: [] };

/* chardev/char.c qemu_chardev_opts */
const chardev: ListDef = {
  name: 'chardev',
  impliedOptName: 'backend',
  desc: [
    str('backend'), str('path'), str('host'), str('port'), str('fd'), str('localaddr'), str('localport'),
    num('to'), bool('ipv4'), bool('ipv6'), bool('wait'), bool('server'), bool('delay'), bool('nodelay'),
    num('reconnect'), bool('telnet'), bool('tn3270'), str('tls-creds'), str('tls-authz'), bool('websocket'),
    num('width'), num('height'), num('cols'), num('rows'), bool('mux'), bool('signal'), str('name'),
    num('debug'), size('size'), str('chardev'), bool('append'), str('logfile'), bool('logappend'),
    bool('mouse'), bool('clipboard'), bool('tight'), bool('abstract'),
  ],
};

/* system/qdev-monitor.c qemu_device_opts */
const device: ListDef = { name: 'device', impliedOptName: 'driver', desc: [] };

/* net/net.c: checked against the QAPI Netdev union later. */
const netdev: ListDef = { name: 'netdev', impliedOptName: 'type', desc: [] };
const nic: ListDef = { name: 'nic', impliedOptName: 'type', desc: [] };
const net: ListDef = { name: 'net', impliedOptName: 'type', desc: [] };

/* softmmu/vl.c qemu_rtc_opts */
const rtc: ListDef = {
  name: 'rtc',
  mergeLists: true,
  desc: [str('base'), str('clock'), str('driftfix')],
};

/* softmmu/qdev-monitor.c qemu_global_opts */
const global: ListDef = {
  name: 'global',
  desc: [str('driver'), str('property'), str('value')],
};

/* monitor/monitor.c qemu_mon_opts */
const mon: ListDef = {
  name: 'mon',
  impliedOptName: 'chardev',
  desc: [str('mode'), str('chardev'), bool('pretty')],
};

/* trace/control.c qemu_trace_opts */
const trace: ListDef = {
  name: 'trace',
  impliedOptName: 'enable',
  desc: [str('enable'), str('events'), str('file')],
};

/* plugins/loader.c qemu_plugin_opts: arguments go to the plugin. */
const plugin: ListDef = { name: 'plugin', impliedOptName: 'file', desc: [] };

/* vl.c qemu_option_rom_opts */
const optionRom: ListDef = {
  name: 'option-rom',
  impliedOptName: 'romfile',
  desc: [num('bootindex'), str('romfile')],
};

/* accel/accel-softmmu.c qemu_accel_opts: properties of the accelerator object. */
const accel: ListDef = { name: 'accel', impliedOptName: 'accel', desc: [] };

/* vl.c qemu_mem_opts */
const memory: ListDef = {
  name: 'memory',
  impliedOptName: 'size',
  mergeLists: true,
  desc: [size('size'), num('slots'), size('maxmem')],
};

/* hw/core/machine.c / vl.c qemu_smp_opts: only for "-smp help"; -smp itself is keyval. */
const smpOpts: ListDef = {
  name: 'smp-opts',
  impliedOptName: 'cpus',
  mergeLists: true,
  desc: [num('cpus'), num('sockets'), num('dies'), num('clusters'), num('cores'), num('threads'), num('maxcpus')],
};

/* vl.c qemu_boot_opts: only for "-boot help"; -boot itself is keyval. */
const bootOpts: ListDef = {
  name: 'boot-opts',
  impliedOptName: 'order',
  mergeLists: true,
  desc: [
    str('order'), str('once'), bool('menu'), str('splash'), num('splash-time'), num('reboot-timeout'),
    bool('strict'),
  ],
};

/* util/osdep.c qemu_add_fd_opts (-add-fd) */
const addFd: ListDef = {
  name: 'add-fd',
  desc: [
    num('fd', 'file descriptor of which a duplicate is added to fd set'),
    num('set', 'ID of the fd set to add fd to'),
    str('opaque', 'free-form string used to describe fd'),
  ],
};

/* qom/object_interfaces.c qemu_object_opts: properties of the object. */
const object: ListDef = { name: 'object', impliedOptName: 'qom-type', desc: [] };

/* backends/tpm qemu_tpmdev_opts */
const tpmdev: ListDef = { name: 'tpmdev', impliedOptName: 'type', desc: [] };

/* vl.c qemu_overcommit_opts */
const overcommit: ListDef = {
  name: 'overcommit',
  desc: [bool('mem-lock'), bool('cpu-pm')],
};

/* vl.c qemu_msg_opts */
const msg: ListDef = {
  name: 'msg',
  desc: [
    bool('timestamp'),
    bool('guest-name',
      'Prepends guest name for error messages but only if -name guest is set otherwise option is ignored\n'),
  ],
};

/* vl.c qemu_name_opts */
const name: ListDef = {
  name: 'name',
  impliedOptName: 'guest',
  mergeLists: true,
  desc: [
    str('guest', 'Sets the name of the guest.\nThis name will be displayed in the SDL window caption.\n' +
      'The name will also be used for the VNC server'),
    str('process', 'Sets the name of the QEMU process, as shown in top etc'),
    bool('debug-threads', 'When enabled, name the individual threads; defaults off.\n' +
      'NOTE: The thread names are for debugging and not a\nstable API.'),
  ],
};

/* hw/core/numa.c qemu_numa_opts: checked against the QAPI NumaOptions union. */
const numa: ListDef = { name: 'numa', impliedOptName: 'type', desc: [] };

/* softmmu/cpus.c qemu_icount_opts */
const icount: ListDef = {
  name: 'icount',
  impliedOptName: 'shift',
  mergeLists: true,
  desc: [str('shift'), bool('align'), bool('sleep'), str('rr'), str('rrfile'), str('rrsnapshot')],
};

/* vl.c qemu_fw_cfg_opts */
const fwCfg: ListDef = {
  name: 'fw_cfg',
  impliedOptName: 'name',
  desc: [
    str('name', 'Sets the fw_cfg name of the blob to be inserted'),
    str('file', 'Sets the name of the file from which the fw_cfg blob will be loaded'),
    str('string', 'Sets content of the blob to be inserted from a string'),
    str('gen_id', 'Sets id of the object generating the fw_cfg blob to be inserted'),
  ],
};

/* softmmu/runstate-action.c qemu_action_opts */
const action: ListDef = {
  name: 'action',
  mergeLists: true,
  desc: [str('shutdown'), str('reboot'), str('panic'), str('watchdog')],
};

/* ui/vnc.c qemu_vnc_opts (MODULE_INIT_OPTS) */
const vnc: ListDef = {
  name: 'vnc',
  impliedOptName: 'vnc',
  desc: [
    str('vnc'), str('websocket'), str('tls-creds'), str('share'), str('display'),
    num('head'), num('connections'), num('to'), bool('ipv4'), bool('ipv6'), bool('password'),
    str('password-secret'), bool('reverse'), bool('lock-key-sync'), num('key-delay-ms'), bool('sasl'),
    str('tls-authz'), str('sasl-authz'), bool('lossy'), bool('non-adaptive'), str('audiodev'),
    bool('power-control'),
  ],
};

/* softmmu/qemu-seccomp.c qemu_sandbox_opts (MODULE_INIT_OPTS) */
const sandbox: ListDef = {
  name: 'sandbox',
  impliedOptName: 'enable',
  desc: [bool('enable'), str('obsolete'), str('elevateprivileges'), str('spawn'), str('resourcecontrol')],
};

/* In qemu_init()'s registration order. */
const VL_OPTS_LISTS: readonly ListDef[] = [
  drive, chardev, device, netdev, nic, net, rtc, global, mon, trace, plugin, optionRom, accel, memory,
  smpOpts, bootOpts, addFd, object, tpmdev, overcommit, msg, name, numa, icount, fwCfg, action, vnc, sandbox,
];

/**
 * A fresh set of the option groups (QEMU's vm_config_groups), each with an
 * empty head: one per qemu_init() run, so that tests do not share state.
 */
export function createVlOptsLists(): Map<string, QemuOptsList> {
  return new Map(VL_OPTS_LISTS.map((d) => [d.name, qemuOptsListNew(d)]));
}

/** qemu_find_opts(): the group named `group`. */
export function qemuFindOpts(lists: ReadonlyMap<string, QemuOptsList>, group: string): QemuOptsList {
  const l = lists.get(group);
  if (!l) throw new QemuError(`There is no option group '${group}'`);
  return l;
}
