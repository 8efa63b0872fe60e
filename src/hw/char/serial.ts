/*
 * The 16550A UART core (hw/char/serial.c), TYPE_SERIAL: registers at offsets
 * 0-7, 16-byte FIFOs, the interrupt priority scheme of IIR, loopback (MCR bit
 * 4) and modem lines.  Transmission is immediate: a byte goes to the chardev
 * when written, as in QEMU, whose chardev writes do not block here either.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, TYPE_DEVICE, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { qemuIrqLower, qemuIrqRaise, type QemuIrq } from '../core/irq.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerDel, timerMod, timerNew, type QEMUTimer } from '../../qemu/timer.js';
import { qemuChrFeInit, type CharBackend } from '../../chardev/char-fe.js';
import { qemuChrFind } from '../../chardev/char.js';
import type { ChrEvent } from '../../chardev/char.js';

export const TYPE_SERIAL = 'serial';

const UART_LCR_DLAB = 0x80;
const UART_IER_MSI = 0x08, UART_IER_RLSI = 0x04, UART_IER_THRI = 0x02, UART_IER_RDI = 0x01;
const UART_IIR_NO_INT = 0x01, UART_IIR_ID = 0x06, UART_IIR_MSI = 0x00, UART_IIR_THRI = 0x02, UART_IIR_RDI = 0x04,
  UART_IIR_RLSI = 0x06, UART_IIR_CTI = 0x0c, UART_IIR_FE = 0xc0;
const UART_MCR_LOOP = 0x10, UART_MCR_OUT2 = 0x08;
const UART_MSR_DCD = 0x80, UART_MSR_DSR = 0x20, UART_MSR_CTS = 0x10, UART_MSR_ANY_DELTA = 0x0f;
const UART_LSR_TEMT = 0x40, UART_LSR_THRE = 0x20, UART_LSR_BI = 0x10, UART_LSR_OE = 0x02, UART_LSR_DR = 0x01,
  UART_LSR_INT_ANY = 0x1e;
const UART_FCR_ITL_MASK = 0xc0, UART_FCR_XFR = 0x04, UART_FCR_RFR = 0x02, UART_FCR_FE = 0x01;
const UART_FIFO_LENGTH = 16;
const NS = 1e9;

/** A byte ring of UART_FIFO_LENGTH (Fifo8). */
class Fifo8 {
  data = new Uint8Array(UART_FIFO_LENGTH);
  head = 0;
  num = 0;
  push(b: number): void {
    this.data[(this.head + this.num) % UART_FIFO_LENGTH] = b;
    this.num++;
  }
  pop(): number {
    const b = this.data[this.head]!;
    this.head = (this.head + 1) % UART_FIFO_LENGTH;
    this.num--;
    return b;
  }
  reset(): void {
    this.head = 0;
    this.num = 0;
  }
  full(): boolean {
    return this.num === UART_FIFO_LENGTH;
  }
}

export class SerialState extends DeviceState {
  divider = 0;
  rbr = 0;
  thr = 0;
  tsr = 0;
  ier = 0;
  iir = UART_IIR_NO_INT;
  lcr = 0;
  mcr = 0;
  lsr = 0;
  msr = 0;
  scr = 0;
  fcr = 0;
  thrIpending = 0;
  timeoutIpending = 0;
  recvFifoItl = 1;
  charTransmitTime = 0;
  lastBreakEnable = 0;
  recvFifo = new Fifo8();
  xmitFifo = new Fifo8();
  irq: QemuIrq = null;
  chr: CharBackend | undefined;
  baudbase = 115200;
  fifoTimeoutTimer: QEMUTimer | null = null;
  private readonly byte = Buffer.alloc(1);

  /** The chardev write of one transmitted byte. */
  sendByte(b: number): void {
    if (!this.chr) return;
    this.byte[0] = b;
    this.chr.write(this.byte);
  }
}

function serialUpdateIrq(s: SerialState): void {
  let tmp = UART_IIR_NO_INT;
  if (s.ier & UART_IER_RLSI && s.lsr & UART_LSR_INT_ANY) tmp = UART_IIR_RLSI;
  else if (s.ier & UART_IER_RDI && s.timeoutIpending) tmp = UART_IIR_CTI;
  else if (s.ier & UART_IER_RDI && s.lsr & UART_LSR_DR && (!(s.fcr & UART_FCR_FE) || s.recvFifo.num >= s.recvFifoItl)) tmp = UART_IIR_RDI;
  else if (s.ier & UART_IER_THRI && s.thrIpending) tmp = UART_IIR_THRI;
  else if (s.ier & UART_IER_MSI && s.msr & UART_MSR_ANY_DELTA) tmp = UART_IIR_MSI;
  s.iir = tmp | (s.iir & 0xf0);
  if (tmp !== UART_IIR_NO_INT) qemuIrqRaise(s.irq);
  else qemuIrqLower(s.irq);
}

function serialUpdateParameters(s: SerialState): void {
  if (s.divider === 0 || s.divider > s.baudbase) return;
  const parity = s.lcr & 0x08 ? 1 : 0;
  const stop = s.lcr & 0x04 ? 2 : 1;
  const dataBits = (s.lcr & 0x03) + 5;
  const frameSize = 1 + dataBits + parity + stop;
  s.charTransmitTime = Math.floor((NS / (s.baudbase / s.divider)) * frameSize);
}

function recvFifoPut(s: SerialState, b: number): void {
  // Receive overruns do not overwrite the FIFO.
  if (!s.recvFifo.full()) s.recvFifo.push(b);
  else s.lsr |= UART_LSR_OE;
}

function serialReceive1(s: SerialState, buf: Uint8Array): void {
  if (s.fcr & UART_FCR_FE) {
    for (const b of buf) recvFifoPut(s, b);
    s.lsr |= UART_LSR_DR;
    timerMod(s.fifoTimeoutTimer!, qemuClockGetNs(QEMU_CLOCK_VIRTUAL) + s.charTransmitTime * 4);
  } else {
    if (s.lsr & UART_LSR_DR) s.lsr |= UART_LSR_OE;
    s.rbr = buf[0]!;
    s.lsr |= UART_LSR_DR;
  }
  serialUpdateIrq(s);
}

const loopByte = new Uint8Array(1);

function serialXmit(s: SerialState): void {
  do {
    if (s.fcr & UART_FCR_FE) {
      s.tsr = s.xmitFifo.pop();
      if (!s.xmitFifo.num) s.lsr |= UART_LSR_THRE;
    } else {
      s.tsr = s.thr;
      s.lsr |= UART_LSR_THRE;
    }
    if (s.lsr & UART_LSR_THRE && !s.thrIpending) {
      s.thrIpending = 1;
      serialUpdateIrq(s);
    }
    if (s.mcr & UART_MCR_LOOP) {
      loopByte[0] = s.tsr;
      serialReceive1(s, loopByte);
    } else {
      s.sendByte(s.tsr);
    }
  } while (!(s.lsr & UART_LSR_THRE));
  s.lsr |= UART_LSR_TEMT;
}

function serialWriteFcr(s: SerialState, val: number): void {
  s.fcr = val;
  if (val & UART_FCR_FE) {
    s.iir |= UART_IIR_FE;
    s.recvFifoItl = [1, 4, 8, 14][(val & UART_FCR_ITL_MASK) >> 6]!;
  } else {
    s.iir &= ~UART_IIR_FE;
  }
}

export function serialIoportWrite(s: SerialState, addr: number, val: number): void {
  switch (addr & 7) {
    case 0:
      if (s.lcr & UART_LCR_DLAB) {
        s.divider = (s.divider & 0xff00) | val;
        serialUpdateParameters(s);
        break;
      }
      s.thr = val;
      if (s.fcr & UART_FCR_FE) {
        // Transmit overruns overwrite the oldest byte.
        if (s.xmitFifo.full()) s.xmitFifo.pop();
        s.xmitFifo.push(val);
      }
      s.thrIpending = 0;
      s.lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
      serialUpdateIrq(s);
      serialXmit(s);
      break;
    case 1:
      if (s.lcr & UART_LCR_DLAB) {
        s.divider = (s.divider & 0xff) | (val << 8);
        serialUpdateParameters(s);
        break;
      }
      {
        const changed = (s.ier ^ val) & 0x0f;
        s.ier = val & 0x0f;
        if (changed & UART_IER_THRI) {
          // Enabling THRI with THR empty raises it even if IIR was read before (Windows relies on it).
          if (s.ier & UART_IER_THRI) {
            if (s.lsr & UART_LSR_THRE) s.thrIpending = 1;
          } else {
            s.thrIpending = 0;
          }
        }
        if (changed) serialUpdateIrq(s);
      }
      break;
    case 2:
      // Toggling the FIFO enable flushes both FIFOs.
      if ((val ^ s.fcr) & UART_FCR_FE) val |= UART_FCR_XFR | UART_FCR_RFR;
      if (val & UART_FCR_RFR) {
        s.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        timerDel(s.fifoTimeoutTimer!);
        s.timeoutIpending = 0;
        s.recvFifo.reset();
      }
      if (val & UART_FCR_XFR) {
        s.lsr |= UART_LSR_THRE;
        s.thrIpending = 1;
        s.xmitFifo.reset();
      }
      serialWriteFcr(s, val & 0xc9);
      serialUpdateIrq(s);
      break;
    case 3:
      s.lcr = val;
      serialUpdateParameters(s);
      s.lastBreakEnable = (val >> 6) & 1;
      break;
    case 4:
      s.mcr = val & 0x1f;
      break;
    case 7:
      s.scr = val;
      break;
    default:
      break; // LSR and MSR are read-only
  }
}

export function serialIoportRead(s: SerialState, addr: number): number {
  let ret: number;
  switch (addr & 7) {
    case 0:
      if (s.lcr & UART_LCR_DLAB) return s.divider & 0xff;
      if (s.fcr & UART_FCR_FE) {
        ret = s.recvFifo.num === 0 ? 0 : s.recvFifo.pop();
        if (s.recvFifo.num === 0) s.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        else timerMod(s.fifoTimeoutTimer!, qemuClockGetNs(QEMU_CLOCK_VIRTUAL) + s.charTransmitTime * 4);
        s.timeoutIpending = 0;
      } else {
        ret = s.rbr;
        s.lsr &= ~(UART_LSR_DR | UART_LSR_BI);
      }
      serialUpdateIrq(s);
      if (!(s.mcr & UART_MCR_LOOP)) s.chr?.acceptInput();
      return ret;
    case 1:
      return s.lcr & UART_LCR_DLAB ? (s.divider >> 8) & 0xff : s.ier;
    case 2:
      ret = s.iir;
      if ((ret & UART_IIR_ID) === UART_IIR_THRI && (ret & 0x0f) === UART_IIR_THRI) {
        s.thrIpending = 0;
        serialUpdateIrq(s);
      }
      return ret;
    case 3:
      return s.lcr;
    case 4:
      return s.mcr;
    case 5:
      ret = s.lsr;
      // Reading LSR clears break and overrun.
      if (s.lsr & (UART_LSR_BI | UART_LSR_OE)) {
        s.lsr &= ~(UART_LSR_BI | UART_LSR_OE);
        serialUpdateIrq(s);
      }
      return ret;
    case 6:
      if (s.mcr & UART_MCR_LOOP) {
        // In loopback the modem outputs feed the inputs: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.
        return ((s.mcr & 0x0c) << 4) | ((s.mcr & 0x02) << 3) | ((s.mcr & 0x01) << 5);
      }
      ret = s.msr;
      if (s.msr & UART_MSR_ANY_DELTA) {
        s.msr &= 0xf0;
        serialUpdateIrq(s);
      }
      return ret;
    default:
      return s.scr;
  }
}

/** serial_reset(): 9600 8N1, OUT2 set, THR empty, the modem inputs DCD/DSR/CTS high. */
export function serialReset(s: SerialState): void {
  s.rbr = 0;
  s.ier = 0;
  s.iir = UART_IIR_NO_INT;
  s.lcr = 0;
  s.lsr = UART_LSR_TEMT | UART_LSR_THRE;
  s.msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
  s.divider = 0x0c;
  s.mcr = UART_MCR_OUT2;
  s.scr = 0;
  s.charTransmitTime = (NS / 9600) * 10;
  s.timeoutIpending = 0;
  if (s.fifoTimeoutTimer) timerDel(s.fifoTimeoutTimer);
  s.recvFifo.reset();
  s.xmitFifo.reset();
  s.thrIpending = 0;
  s.lastBreakEnable = 0;
  s.fcr = 0;
  qemuIrqLower(s.irq);
}

function serialCanReceive(s: SerialState): number {
  if (s.fcr & UART_FCR_FE) {
    if (s.recvFifo.num < UART_FIFO_LENGTH) {
      // Up to the trigger level, then one at a time, so that the timeout interrupt can fire.
      return s.recvFifo.num <= s.recvFifoItl ? s.recvFifoItl - s.recvFifo.num : 1;
    }
    return 0;
  }
  return s.lsr & UART_LSR_DR ? 0 : 1;
}

function serialEvent(s: SerialState, ev: ChrEvent): void {
  if (ev !== 'break') return;
  s.rbr = 0;
  recvFifoPut(s, 0);
  s.lsr |= UART_LSR_BI | UART_LSR_DR;
  serialUpdateIrq(s);
}

function fifoTimeoutInt(opaque: unknown): void {
  const s = opaque as SerialState;
  if (s.recvFifo.num) {
    s.timeoutIpending = 1;
    serialUpdateIrq(s);
  }
}

/** serial_realize(): the chardev (if any) feeds the receiver. */
function serialRealize(dev: DeviceState): void {
  const s = dev as SerialState;
  s.baudbase = qdevPropGet(s, 'baudbase') as number;
  s.fifoTimeoutTimer = timerNew(QEMU_CLOCK_VIRTUAL, fifoTimeoutInt, s);
  serialReset(s);
  const id = qdevPropGet(s, 'chardev') as string;
  const chr = id ? qemuChrFind(id) : undefined;
  if (chr) {
    s.chr = qemuChrFeInit(chr, {
      canReceive: () => serialCanReceive(s),
      receive: (buf) => {
        if (!(s.mcr & UART_MCR_LOOP)) serialReceive1(s, buf);
      },
      event: (ev) => serialEvent(s, ev),
    });
  }
}

/** Host-side input for tests and the start-up code without a chardev. */
export function serialReceive(s: SerialState, buf: Uint8Array): void {
  serialReceive1(s, buf);
}

export function registerSerialTypes(): void {
  typeRegisterStatic({
    name: TYPE_SERIAL,
    parent: TYPE_DEVICE,
    instance: SerialState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.userCreatable = false;
      dc.realize = serialRealize;
      dc.reset = (d) => serialReset(d as SerialState);
      deviceClassSetProps(oc, [
        { name: 'chardev', kind: 'chr' },
        { name: 'baudbase', kind: 'uint32', def: 115200 },
        { name: 'wakeup', kind: 'bool', def: false },
      ]);
    },
  });
}
