/*
 * The ISA bus at the qdev level (hw/isa/isa-bus.c): the bus a PCI-to-ISA bridge
 * (PIIX3) provides, and the ISA device base.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, TYPE_DEVICE, deviceClass } from '../core/qdev.js';
import { BusState, TYPE_BUS, qbusNew } from '../core/bus.js';

export const TYPE_ISA_BUS = 'ISA';
export const TYPE_ISA_DEVICE = 'isa-device';

/** isa_bus_new(): the bridge's ISA bus, named "isa.0". */
export function isaBusNew(bridge: DeviceState): BusState {
  return qbusNew(TYPE_ISA_BUS, bridge);
}

export function registerIsaTypes(): void {
  typeRegisterStatic({ name: TYPE_ISA_BUS, parent: TYPE_BUS });
  typeRegisterStatic({
    name: TYPE_ISA_DEVICE,
    parent: TYPE_DEVICE,
    abstract: true,
    classInit: (oc) => {
      deviceClass(oc).busType = TYPE_ISA_BUS;
    },
  });
}
