/*
 * Child process for the quit test: a 2-vCPU VM whose BSP spins forever and
 * whose AP never gets a SIPI (so its thread sits in KVM_RUN inside the
 * kernel); once the BSP has run, the process calls process.exit(0).
 */
import { assemble, createVm, startVcpus } from './kvm-helpers.js';

const vm = createVm({ cpus: 2 });
vm.ram.set(assemble('bits 16\norg 0x1000\nspin: inc dword [0x500]\njmp spin\n'), 0x1000);
startVcpus(vm, { cs: 0, ip: 0x1000 });
const view = new DataView(vm.ramBuffer);
const timer = setInterval(() => {
  if (view.getUint32(0x500, true) > 1000) {
    clearInterval(timer);
    process.stdout.write(`EXIT ${Date.now()}\n`);
    process.exit(0);
  }
}, 5);
