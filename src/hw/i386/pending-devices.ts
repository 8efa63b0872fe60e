/*
 * Device types that later issues implement, registered now with QEMU 7.2's
 * names, buses, categories and property lists (as `-device <type>,help` prints
 * them), so that -device parses and checks their options already.  Realizing
 * one fails with "Device '<type>' is not supported yet": nothing given on the
 * command line is silently dropped.  An issue that implements a device removes
 * its entry here.
 *
 * Each property list is "name:kind[=default]" words; kinds are qdev-properties
 * kinds, plus "bootindex" (int32, no default), "qombool" (a plain QOM bool),
 * and link<T>/child<T> instance properties.
 */
import {
  ObjectClass, QObject, objectClassPropertyAdd, objectNew, objectPropertyAdd, objectPropertyAddChild, objectPropertyFind,
  typeRegisterStatic, type PropValue } from '../../qom/object.js';
import { visitBool, visitInt, visitStr } from '../../qom/visitor.js';
import { QemuError } from '../../util/error.js';
import { TYPE_DEVICE, deviceClass, type DeviceCategory, type DeviceState } from '../core/qdev.js';
import { deviceClassSetProps, type QdevProp, type QdevPropKind } from '../core/qdev-properties.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { TYPE_PCI_DEVICE, pciDeviceClass } from '../pci/pci.js';
import { registerPcDeviceTypes } from './pc-devices.js';

const VIRTIO_BLK_PCI_PROPS = `
account-failed:OnOffAuto=auto account-invalid:OnOffAuto=auto aer:bit=false any_layout:bit=true
ats:bit=false backend_defaults:OnOffAuto=auto bootindex:bootindex class:uint32=0
config-wce:bit=true cyls:uint32=0 disable-legacy:OnOffAuto=auto disable-modern:bool=false
discard:bit=true discard_granularity:size=4294967295 drive:drive event_idx:bit=true heads:uint32=0
indirect_desc:bit=true ioeventfd:bit=true iommu_platform:bit=false iothread:link<iothread>
lcyls:uint32=0 lheads:uint32=0 logical_block_size:blocksize=0 lsecs:uint32=0
max-discard-sectors:uint32=4194303 max-write-zeroes-sectors:uint32=4194303 migrate-extra:bit=true
min_io_size:size=0 modern-pio-notify:bit=false notify_on_empty:bit=true num-queues:uint16=65535
opt_io_size:size=0 packed:bit=false page-per-vq:bit=false physical_block_size:blocksize=0
queue-size:uint16=256 queue_reset:bit=true report-discard-granularity:bool=true
request-merging:bit=true rerror:BlockdevOnError=auto scsi:bit=false secs:uint32=0
seg-max-adjust:bool=true serial:str share-rw:bool=false use-disabled-flag:bool=true
use-started:bool=true vectors:uint32=4294967295 virtio-backend:child<virtio-blk-device>
virtio-pci-bus-master-bug-migration:bit=false werror:BlockdevOnError=auto
write-cache:OnOffAuto=auto write-zeroes:bit=true x-ats-page-aligned:bit=true
x-disable-legacy-check:bool=false x-disable-pcie:bit=false x-enable-wce-if-config-wce:bool=true
x-ignore-backend-features:bool=false x-pcie-deverr-init:bit=true x-pcie-flr-init:bit=true
x-pcie-lnkctl-init:bit=true x-pcie-pm-init:bit=true`;

const VIRTIO_NET_PCI_PROPS = `
aer:bit=false any_layout:bit=true ats:bit=false bootindex:bootindex csum:bit=true
ctrl_guest_offloads:bit=true ctrl_mac_addr:bit=true ctrl_rx:bit=true ctrl_rx_extra:bit=true
ctrl_vlan:bit=true ctrl_vq:bit=true disable-legacy:OnOffAuto=auto disable-modern:bool=false
duplex:str event_idx:bit=true failover:bool=false gso:bit=true guest_announce:bit=true
guest_csum:bit=true guest_ecn:bit=true guest_rsc_ext:bit=false guest_tso4:bit=true
guest_tso6:bit=true guest_ufo:bit=true hash:bit=false host_ecn:bit=true host_mtu:uint16=0
host_tso4:bit=true host_tso6:bit=true host_ufo:bit=true indirect_desc:bit=true ioeventfd:bit=true
iommu_platform:bit=false mac:macaddr migrate-extra:bit=true modern-pio-notify:bit=false
mq:bit=false mrg_rxbuf:bit=true netdev:netdev notify_on_empty:bit=true packed:bit=false
page-per-vq:bit=false queue_reset:bit=true rsc_interval:uint32=300000 rss:bit=false
rx_queue_size:uint16=256 speed:int32=-1 status:bit=true tx:str tx_queue_size:uint16=256
use-disabled-flag:bool=true use-started:bool=true vectors:uint32=4294967295
virtio-backend:child<virtio-net-device> virtio-pci-bus-master-bug-migration:bit=false
x-ats-page-aligned:bit=true x-disable-legacy-check:bool=false x-disable-pcie:bit=false
x-ignore-backend-features:bool=false x-mtu-bypass-backend:bool=true x-pcie-deverr-init:bit=true
x-pcie-flr-init:bit=true x-pcie-lnkctl-init:bit=true x-pcie-pm-init:bit=true x-txburst:int32=256
x-txtimer:uint32=150000`;

const CIRRUS_VGA_PROPS = `
blitter:bool=true global-vmstate:bool=false vgamem_mb:uint32=4`;

const VGA_PROPS = `
big-endian-framebuffer:qombool edid:bit=true global-vmstate:bool=false mmio:bit=true
qemu-extended-regs:bit=true refresh_rate:uint32=0 vgamem_mb:uint32=16 xmax:uint32=0 xres:uint32=0
ymax:uint32=0 yres:uint32=0`;

const E1000_PROPS = `
autonegotiation:bit=true bootindex:bootindex extra_mac_registers:bit=true init-vet:bit=true
mac:macaddr migrate_tso_props:bit=true mitigation:bit=true netdev:netdev`;

const VIRTIO_BLK_DEVICE_PROPS = `
account-failed:OnOffAuto=auto account-invalid:OnOffAuto=auto any_layout:bit=true
backend_defaults:OnOffAuto=auto bootindex:bootindex config-wce:bit=true cyls:uint32=0
discard:bit=true discard_granularity:size=4294967295 drive:drive event_idx:bit=true heads:uint32=0
indirect_desc:bit=true iommu_platform:bit=false iothread:link<iothread> lcyls:uint32=0
lheads:uint32=0 logical_block_size:blocksize=0 lsecs:uint32=0 max-discard-sectors:uint32=4194303
max-write-zeroes-sectors:uint32=4194303 min_io_size:size=0 notify_on_empty:bit=true
num-queues:uint16=65535 opt_io_size:size=0 packed:bit=false physical_block_size:blocksize=0
queue-size:uint16=256 queue_reset:bit=true report-discard-granularity:bool=true
request-merging:bit=true rerror:BlockdevOnError=auto scsi:bit=false secs:uint32=0
seg-max-adjust:bool=true serial:str share-rw:bool=false use-disabled-flag:bool=true
use-started:bool=true werror:BlockdevOnError=auto write-cache:OnOffAuto=auto write-zeroes:bit=true
x-disable-legacy-check:bool=false x-enable-wce-if-config-wce:bool=true`;

const VIRTIO_NET_DEVICE_PROPS = `
any_layout:bit=true bootindex:bootindex csum:bit=true ctrl_guest_offloads:bit=true
ctrl_mac_addr:bit=true ctrl_rx:bit=true ctrl_rx_extra:bit=true ctrl_vlan:bit=true ctrl_vq:bit=true
duplex:str event_idx:bit=true failover:bool=false gso:bit=true guest_announce:bit=true
guest_csum:bit=true guest_ecn:bit=true guest_rsc_ext:bit=false guest_tso4:bit=true
guest_tso6:bit=true guest_ufo:bit=true hash:bit=false host_ecn:bit=true host_mtu:uint16=0
host_tso4:bit=true host_tso6:bit=true host_ufo:bit=true indirect_desc:bit=true
iommu_platform:bit=false mac:macaddr mq:bit=false mrg_rxbuf:bit=true netdev:netdev
notify_on_empty:bit=true packed:bit=false queue_reset:bit=true rsc_interval:uint32=300000
rss:bit=false rx_queue_size:uint16=256 speed:int32=-1 status:bit=true tx:str
tx_queue_size:uint16=256 use-disabled-flag:bool=true use-started:bool=true
x-disable-legacy-check:bool=false x-mtu-bypass-backend:bool=true x-txburst:int32=256
x-txtimer:uint32=150000`;

const PIIX3_USB_UHCI_PROPS = `
bandwidth:uint32=1280 maxframes:uint32=128`;

const IDE_HD_PROPS = `
account-failed:OnOffAuto=auto account-invalid:OnOffAuto=auto backend_defaults:OnOffAuto=auto
bios-chs-trans:BiosAtaTranslation=auto bootindex:bootindex cyls:uint32=0
discard_granularity:size=4294967295 drive:drive heads:uint32=0 lcyls:uint32=0 lheads:uint32=0
logical_block_size:blocksize=0 lsecs:uint32=0 min_io_size:size=0 model:str opt_io_size:size=0
physical_block_size:blocksize=0 rerror:BlockdevOnError=auto rotation_rate:uint16=0 secs:uint32=0
serial:str share-rw:bool=false unit:uint32=4294967295 ver:str werror:BlockdevOnError=auto
write-cache:OnOffAuto=auto wwn:uint64=0`;

const IDE_CD_PROPS = `
account-failed:OnOffAuto=auto account-invalid:OnOffAuto=auto backend_defaults:OnOffAuto=auto
bootindex:bootindex discard_granularity:size=4294967295 drive:drive logical_block_size:blocksize=0
min_io_size:size=0 model:str opt_io_size:size=0 physical_block_size:blocksize=0
rerror:BlockdevOnError=auto serial:str share-rw:bool=false unit:uint32=4294967295 ver:str
werror:BlockdevOnError=auto write-cache:OnOffAuto=auto wwn:uint64=0`;

const VIRTIO_SERIAL_PCI_PROPS = `
aer:bit=false any_layout:bit=true ats:bit=false class:uint32=0 disable-legacy:OnOffAuto=auto
disable-modern:bool=false emergency-write:bit=true event_idx:bit=true indirect_desc:bit=true
ioeventfd:bit=true iommu_platform:bit=false max_ports:uint32=31 migrate-extra:bit=true
modern-pio-notify:bit=false notify_on_empty:bit=true packed:bit=false page-per-vq:bit=false
queue_reset:bit=true use-disabled-flag:bool=true use-started:bool=true vectors:uint32=2
virtio-backend:child<virtio-serial-device> virtio-pci-bus-master-bug-migration:bit=false
x-ats-page-aligned:bit=true x-disable-legacy-check:bool=false x-disable-pcie:bit=false
x-ignore-backend-features:bool=false x-pcie-deverr-init:bit=true x-pcie-flr-init:bit=true
x-pcie-lnkctl-init:bit=true x-pcie-pm-init:bit=true`;

const VIRTIO_SERIAL_DEVICE_PROPS = `
any_layout:bit=true emergency-write:bit=true event_idx:bit=true indirect_desc:bit=true
iommu_platform:bit=false max_ports:uint32=31 notify_on_empty:bit=true packed:bit=false
queue_reset:bit=true use-disabled-flag:bool=true use-started:bool=true
x-disable-legacy-check:bool=false`;

interface PendingDevice {
  name: string;
  parent: string;
  category: DeviceCategory;
  desc?: string;
  busType?: string;
  props: string;
}

const pendingDevices: PendingDevice[] = [
  { name: 'virtio-blk-device', parent: TYPE_DEVICE, category: 'storage', busType: 'virtio-bus', props: VIRTIO_BLK_DEVICE_PROPS },
  { name: 'virtio-net-device', parent: TYPE_DEVICE, category: 'network', busType: 'virtio-bus', props: VIRTIO_NET_DEVICE_PROPS },
  { name: 'virtio-blk-pci', parent: TYPE_PCI_DEVICE, category: 'storage', props: VIRTIO_BLK_PCI_PROPS },
  { name: 'virtio-net-pci', parent: TYPE_PCI_DEVICE, category: 'network', props: VIRTIO_NET_PCI_PROPS },
  { name: 'e1000', parent: TYPE_PCI_DEVICE, category: 'network', desc: 'Intel Gigabit Ethernet', props: E1000_PROPS },
  { name: 'cirrus-vga', parent: TYPE_PCI_DEVICE, category: 'display', desc: 'Cirrus CLGD 54xx VGA', props: CIRRUS_VGA_PROPS },
  { name: 'VGA', parent: TYPE_PCI_DEVICE, category: 'display', props: VGA_PROPS },
  { name: 'piix3-usb-uhci', parent: TYPE_PCI_DEVICE, category: 'usb', props: PIIX3_USB_UHCI_PROPS },
  { name: 'pc-testdev', parent: TYPE_ISA_DEVICE, category: 'misc', props: '' },
  { name: 'ide-hd', parent: TYPE_DEVICE, category: 'storage', busType: 'IDE', desc: 'virtual IDE disk', props: IDE_HD_PROPS },
  { name: 'ide-cd', parent: TYPE_DEVICE, category: 'storage', busType: 'IDE', desc: 'virtual IDE CD-ROM', props: IDE_CD_PROPS },
  { name: 'virtio-serial-device', parent: TYPE_DEVICE, category: 'input', busType: 'virtio-bus', props: VIRTIO_SERIAL_DEVICE_PROPS },
  { name: 'virtio-serial-pci', parent: TYPE_PCI_DEVICE, category: 'input', props: VIRTIO_SERIAL_PCI_PROPS },
];

type Special = { name: string; type: string };

function parseSpec(spec: string): { qdev: QdevProp[]; special: Special[] } {
  const qdev: QdevProp[] = [];
  const special: Special[] = [];
  for (const word of spec.split(/\s+/).filter((w) => w)) {
    const m = /^([^:]+):([^=]+)(?:=(.*))?$/.exec(word)!;
    const [, name, kind, def] = m as unknown as [string, string, string, string | undefined];
    if (kind === 'bootindex' || kind === 'qombool' || kind.startsWith('link<') || kind.startsWith('child<')) {
      special.push({ name, type: kind });
      continue;
    }
    let d: PropValue | undefined;
    if (def !== undefined) {
      if (kind === 'bool' || kind === 'bit') d = def === 'true';
      else if (/^(u?int\d+|size|blocksize)$/.test(kind)) d = Number(def);
      else d = def;
    }
    qdev.push({ name, kind: kind as QdevPropKind, def: d });
  }
  return { qdev, special };
}

function addSpecialClassProps(oc: ObjectClass, special: Special[]): void {
  for (const s of special) {
    if (s.type === 'bootindex') {
      // device_add_bootindex_property(): an int32 with no default shown.
      objectClassPropertyAdd(oc, {
        name: s.name, type: 'int32',
        get: (o) => ((o as unknown as Record<string, number>).bootindex ?? -1),
        set: (o, v) => ((o as unknown as Record<string, number>).bootindex = visitInt(s.name, v, 32)),
      });
    } else if (s.type === 'qombool') {
      objectClassPropertyAdd(oc, {
        name: s.name, type: 'bool',
        get: (o) => (o as unknown as Record<string, boolean>)[`qom:${s.name}`] ?? false,
        set: (o, v) => ((o as unknown as Record<string, boolean>)[`qom:${s.name}`] = visitBool(s.name, v)),
      });
    }
  }
}

/**
 * A virtio proxy (virtio-blk-pci) aliases every property of its backend device
 * (qdev_alias_all_properties): reads and writes go to the child, and errors name it.
 */
function addBackendAliases(obj: QObject, backend: QObject, names: readonly string[]): void {
  for (const name of names) {
    const target = objectPropertyFind(backend, name)!;
    objectPropertyAdd(obj, {
      name, type: target.type, description: target.description, defaultValue: target.defaultValue,
      get: () => target.get!(backend),
      set: (_o, v) => target.set!(backend, v),
    });
  }
}

function addSpecialInstanceProps(obj: QObject, special: Special[]): void {
  for (const s of special) {
    const link = /^link<(.+)>$/.exec(s.type);
    if (link) {
      objectPropertyAdd(obj, {
        name: s.name, type: s.type,
        get: () => '',
        set: (_o, v) => {
          throw new QemuError(`Device '${visitStr(s.name, v)}' not found`);
        },
      });
    }
    const child = /^child<(.+)>$/.exec(s.type);
    if (child) {
      const backend = objectNew(child[1]!);
      objectPropertyAddChild(obj, s.name, backend);
      if (s.name === 'virtio-backend') addBackendAliases(obj, backend, backendAliases.get(obj.typeName) ?? []);
    }
  }
}

function pendingRealize(dev: DeviceState): void {
  throw new QemuError(`Device '${dev.typeName}' is not supported yet`);
}

/** For each virtio proxy, the property names it forwards to its backend. */
const backendAliases = new Map<string, string[]>();

export function registerPendingDeviceTypes(): void {
  registerPcDeviceTypes();
  const specs = new Map(pendingDevices.map((p) => [p.name, parseSpec(p.props)]));
  for (const p of pendingDevices) {
    let { qdev, special } = specs.get(p.name)!;
    const backendType = special.find((s) => s.name === 'virtio-backend')?.type.slice(6, -1);
    const backend = backendType ? specs.get(backendType) : undefined;
    if (backend) {
      const names = new Set([...backend.qdev.map((q) => q.name), ...backend.special.map((q) => q.name)]);
      backendAliases.set(p.name, [...names].filter((n) => qdev.some((q) => q.name === n) || special.some((q) => q.name === n)));
      qdev = qdev.filter((q) => !names.has(q.name));
      special = special.filter((q) => !names.has(q.name));
    }
    typeRegisterStatic({
      name: p.name,
      parent: p.parent,
      classInit: (oc) => {
        const dc = deviceClass(oc);
        dc.category = p.category;
        dc.desc = p.desc;
        if (p.busType) dc.busType = p.busType;
        if (p.parent === TYPE_PCI_DEVICE) pciDeviceClass(oc).pciRealize = pendingRealize;
        else dc.realize = pendingRealize;
        deviceClassSetProps(oc, qdev);
        addSpecialClassProps(oc, special);
      },
      instanceInit: (obj) => addSpecialInstanceProps(obj, special),
    });
  }
}
