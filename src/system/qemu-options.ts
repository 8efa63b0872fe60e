/*
 * The option table of qemu-system-x86_64 7.2 (qemu-options.hx as built into
 * Debian's 7.2 binary: every option name, whether it takes an argument, the
 * architectures it applies to, and its -h help text), lookup_opt(), and
 * vl.c's two passes over argv.
 *
 * The table was read out of the 7.2 binary's qemu_options[] array and its
 * "-h" output; test/oracle checks it against that binary.
 */
import { QemuError, withLoc } from '../util/error.js';

/** QEMU_ARCH_ALL and QEMU_ARCH_I386 (include/sysemu/arch_init.h). */
export const QEMU_ARCH_ALL = 0xffffffff;
export const QEMU_ARCH_I386 = 0x8;

export interface QEMUOption {
  /** As typed after '-' (or '--'). */
  readonly name: string;
  readonly hasArg: boolean;
  readonly archMask: number;
  /** The option's lines of "-h" (empty for aliases and other architectures). */
  readonly help: string;
  /** A section heading printed before this option's help, if any. */
  readonly heading: string;
}

const ALL = QEMU_ARCH_ALL;

function opt(name: string, hasArg: boolean, archMask: number, help = '', heading = ''): QEMUOption {
  return { name, hasArg, archMask, help, heading };
}

/* In qemu-options.hx order, which is the order of "-h". */
export const QEMU_OPTIONS: readonly QEMUOption[] = [
  opt("h", false, ALL, "-h or -help     display this help and exit\n", "Standard options:\n"),
  opt("help", false, ALL),
  opt("version", false, ALL, "-version        display version information and exit\n"),
  opt("machine", true, ALL, "-machine [type=]name[,prop[=value][,...]]\n                selects emulated machine ('-machine help' for list)\n                property accel=accel1[:accel2[:...]] selects accelerator\n                supported accelerators are kvm, xen, hax, hvf, nvmm, whpx or tcg (default: tcg)\n                vmport=on|off|auto controls emulation of vmport (default: auto)\n                dump-guest-core=on|off include guest memory in a core dump (default=on)\n                mem-merge=on|off controls memory merge support (default: on)\n                aes-key-wrap=on|off controls support for AES key wrapping (default=on)\n                dea-key-wrap=on|off controls support for DEA key wrapping (default=on)\n                suppress-vmdesc=on|off disables self-describing migration (default=off)\n                nvdimm=on|off controls NVDIMM support (default=off)\n                memory-encryption=@var{} memory encryption object to use (default=none)\n                hmat=on|off controls ACPI HMAT support (default=off)\n                memory-backend='backend-id' specifies explicitly provided backend for main RAM (default=none)\n                cxl-fmw.0.targets.0=firsttarget,cxl-fmw.0.targets.1=secondtarget,cxl-fmw.0.size=size[,cxl-fmw.0.interleave-granularity=granularity]\n                sgx-epc.0.memdev=memid,sgx-epc.0.node=numaid\n"),
  opt("M", true, ALL),
  opt("cpu", true, ALL, "-cpu cpu        select CPU ('-cpu help' for list)\n"),
  opt("accel", true, ALL, "-accel [accel=]accelerator[,prop[=value][,...]]\n                select accelerator (kvm, xen, hax, hvf, nvmm, whpx or tcg; use 'help' for a list)\n                igd-passthru=on|off (enable Xen integrated Intel graphics passthrough, default=off)\n                kernel-irqchip=on|off|split controls accelerated irqchip support (default=on)\n                kvm-shadow-mem=size of KVM shadow MMU in bytes\n                split-wx=on|off (enable TCG split w^x mapping)\n                tb-size=n (TCG translation block cache size)\n                dirty-ring-size=n (KVM dirty ring GFN count, default 0)\n                notify-vmexit=run|internal-error|disable,notify-window=n (enable notify VM exit and set notify window, x86 only)\n                thread=single|multi (enable multi-threaded TCG)\n"),
  opt("smp", true, ALL, "-smp [[cpus=]n][,maxcpus=maxcpus][,sockets=sockets][,dies=dies][,clusters=clusters][,cores=cores][,threads=threads]\n                set the number of initial CPUs to 'n' [default=1]\n                maxcpus= maximum number of total CPUs, including\n                offline CPUs for hotplug, etc\n                sockets= number of sockets on the machine board\n                dies= number of dies in one socket\n                clusters= number of clusters in one die\n                cores= number of cores in one cluster\n                threads= number of threads in one core\nNote: Different machines may have different subsets of the CPU topology\n      parameters supported, so the actual meaning of the supported parameters\n      will vary accordingly. For example, for a machine type that supports a\n      three-level CPU hierarchy of sockets/cores/threads, the parameters will\n      sequentially mean as below:\n                sockets means the number of sockets on the machine board\n                cores means the number of cores in one socket\n                threads means the number of threads in one core\n      For a particular machine type board, an expected CPU topology hierarchy\n      can be defined through the supported sub-option. Unsupported parameters\n      can also be provided in addition to the sub-option, but their values\n      must be set as 1 in the purpose of correct parsing.\n"),
  opt("numa", true, ALL, "-numa node[,mem=size][,cpus=firstcpu[-lastcpu]][,nodeid=node][,initiator=node]\n-numa node[,memdev=id][,cpus=firstcpu[-lastcpu]][,nodeid=node][,initiator=node]\n-numa dist,src=source,dst=destination,val=distance\n-numa cpu,node-id=node[,socket-id=x][,core-id=y][,thread-id=z]\n-numa hmat-lb,initiator=node,target=node,hierarchy=memory|first-level|second-level|third-level,data-type=access-latency|read-latency|write-latency[,latency=lat][,bandwidth=bw]\n-numa hmat-cache,node-id=node,size=size,level=level[,associativity=none|direct|complex][,policy=none|write-back|write-through][,line=size]\n"),
  opt("add-fd", true, ALL, "-add-fd fd=fd,set=set[,opaque=opaque]\n                Add 'fd' to fd 'set'\n"),
  opt("set", true, ALL, "-set group.id.arg=value\n                set <arg> parameter for item <id> of type <group>\n                i.e. -set drive.$id.file=/path/to/image\n"),
  opt("global", true, ALL, "-global driver.property=value\n-global driver=driver,property=property,value=value\n                set a global default for a driver property\n"),
  opt("boot", true, ALL, "-boot [order=drives][,once=drives][,menu=on|off]\n      [,splash=sp_name][,splash-time=sp_time][,reboot-timeout=rb_time][,strict=on|off]\n                'drives': floppy (a), hard disk (c), CD-ROM (d), network (n)\n                'sp_name': the file's name that would be passed to bios as logo picture, if menu=on\n                'sp_time': the period that splash picture last if menu=on, unit is ms\n                'rb_timeout': the timeout before guest reboot when boot failed, unit is ms\n"),
  opt("m", true, ALL, "-m [size=]megs[,slots=n,maxmem=size]\n                configure guest RAM\n                size: initial amount of guest memory\n                slots: number of hotplug slots (default: none)\n                maxmem: maximum amount of guest memory (default: none)\nNOTE: Some architectures might enforce a specific granularity\n"),
  opt("mem-path", true, ALL, "-mem-path FILE  provide backing storage for guest RAM\n"),
  opt("mem-prealloc", false, ALL, "-mem-prealloc   preallocate guest memory (use with -mem-path)\n"),
  opt("k", true, ALL, "-k language     use keyboard layout (for example 'fr' for French)\n"),
  opt("audio-help", false, ALL, "-audio-help     show -audiodev equivalent of the currently specified audio settings\n"),
  opt("audio", true, ALL, "-audio [driver=]driver,model=value[,prop[=value][,...]]\n                specifies the audio backend and device to use;\n                apart from 'model', options are the same as for -audiodev.\n                use '-audio model=help' to show possible devices.\n"),
  opt("audiodev", true, ALL, "-audiodev [driver=]driver,id=id[,prop[=value][,...]]\n                specifies the audio backend to use\n                Use ``-audiodev help`` to list the available drivers\n                id= identifier of the backend\n                timer-period= timer period in microseconds\n                in|out.mixing-engine= use mixing engine to mix streams inside QEMU\n                in|out.fixed-settings= use fixed settings for host audio\n                in|out.frequency= frequency to use with fixed settings\n                in|out.channels= number of channels to use with fixed settings\n                in|out.format= sample format to use with fixed settings\n                valid values: s8, s16, s32, u8, u16, u32, f32\n                in|out.voices= number of voices to use\n                in|out.buffer-length= length of buffer in microseconds\n-audiodev none,id=id,[,prop[=value][,...]]\n                dummy driver that discards all output\n-audiodev alsa,id=id[,prop[=value][,...]]\n                in|out.dev= name of the audio device to use\n                in|out.period-length= length of period in microseconds\n                in|out.try-poll= attempt to use poll mode\n                threshold= threshold (in microseconds) when playback starts\n-audiodev oss,id=id[,prop[=value][,...]]\n                in|out.dev= path of the audio device to use\n                in|out.buffer-count= number of buffers\n                in|out.try-poll= attempt to use poll mode\n                try-mmap= try using memory mapped access\n                exclusive= open device in exclusive mode\n                dsp-policy= set timing policy (0..10), -1 to use fragment mode\n-audiodev pa,id=id[,prop[=value][,...]]\n                server= PulseAudio server address\n                in|out.name= source/sink device name\n                in|out.latency= desired latency in microseconds\n-audiodev sdl,id=id[,prop[=value][,...]]\n                in|out.buffer-count= number of buffers\n-audiodev sndio,id=id[,prop[=value][,...]]\n-audiodev spice,id=id[,prop[=value][,...]]\n-audiodev dbus,id=id[,prop[=value][,...]]\n-audiodev wav,id=id[,prop[=value][,...]]\n                path= path of wav file to record\n"),
  opt("device", true, ALL, "-device driver[,prop[=value][,...]]\n                add device (based on driver)\n                prop=value,... sets driver properties\n                use '-device help' to print all possible drivers\n                use '-device driver,help' to print all possible properties\n"),
  opt("name", true, ALL, "-name string1[,process=string2][,debug-threads=on|off]\n                set the name of the guest\n                string1 sets the window title and string2 the process name\n                When debug-threads is enabled, individual threads are given a separate name\n                NOTE: The thread names are for debugging and not a stable API.\n"),
  opt("uuid", true, ALL, "-uuid %08x-%04x-%04x-%04x-%012x\n                specify machine UUID\n"),
  opt("fda", true, ALL, "-fda/-fdb file  use 'file' as floppy disk 0/1 image\n", "\nBlock device options:\n"),
  opt("fdb", true, ALL),
  opt("hda", true, ALL, "-hda/-hdb file  use 'file' as hard disk 0/1 image\n"),
  opt("hdb", true, ALL),
  opt("hdc", true, ALL, "-hdc/-hdd file  use 'file' as hard disk 2/3 image\n"),
  opt("hdd", true, ALL),
  opt("cdrom", true, ALL, "-cdrom file     use 'file' as CD-ROM image\n"),
  opt("blockdev", true, ALL, "-blockdev [driver=]driver[,node-name=N][,discard=ignore|unmap]\n          [,cache.direct=on|off][,cache.no-flush=on|off]\n          [,read-only=on|off][,auto-read-only=on|off]\n          [,force-share=on|off][,detect-zeroes=on|off|unmap]\n          [,driver specific parameters...]\n                configure a block backend\n"),
  opt("drive", true, ALL, "-drive [file=file][,if=type][,bus=n][,unit=m][,media=d][,index=i]\n       [,cache=writethrough|writeback|none|directsync|unsafe][,format=f]\n       [,snapshot=on|off][,rerror=ignore|stop|report]\n       [,werror=ignore|stop|report|enospc][,id=name]\n       [,aio=threads|native|io_uring]\n       [,readonly=on|off][,copy-on-read=on|off]\n       [,discard=ignore|unmap][,detect-zeroes=on|off|unmap]\n       [[,bps=b]|[[,bps_rd=r][,bps_wr=w]]]\n       [[,iops=i]|[[,iops_rd=r][,iops_wr=w]]]\n       [[,bps_max=bm]|[[,bps_rd_max=rm][,bps_wr_max=wm]]]\n       [[,iops_max=im]|[[,iops_rd_max=irm][,iops_wr_max=iwm]]]\n       [[,iops_size=is]]\n       [[,group=g]]\n                use 'file' as a drive image\n"),
  opt("mtdblock", true, ALL, "-mtdblock file  use 'file' as on-board Flash memory image\n"),
  opt("sd", true, ALL, "-sd file        use 'file' as SecureDigital card image\n"),
  opt("snapshot", false, ALL, "-snapshot       write to temporary files instead of disk image files\n"),
  opt("fsdev", true, ALL, "-fsdev local,id=id,path=path,security_model=mapped-xattr|mapped-file|passthrough|none\n [,writeout=immediate][,readonly=on][,fmode=fmode][,dmode=dmode]\n [[,throttling.bps-total=b]|[[,throttling.bps-read=r][,throttling.bps-write=w]]]\n [[,throttling.iops-total=i]|[[,throttling.iops-read=r][,throttling.iops-write=w]]]\n [[,throttling.bps-total-max=bm]|[[,throttling.bps-read-max=rm][,throttling.bps-write-max=wm]]]\n [[,throttling.iops-total-max=im]|[[,throttling.iops-read-max=irm][,throttling.iops-write-max=iwm]]]\n [[,throttling.iops-size=is]]\n-fsdev proxy,id=id,socket=socket[,writeout=immediate][,readonly=on]\n-fsdev proxy,id=id,sock_fd=sock_fd[,writeout=immediate][,readonly=on]\n-fsdev synth,id=id\n"),
  opt("virtfs", true, ALL, "-virtfs local,path=path,mount_tag=tag,security_model=mapped-xattr|mapped-file|passthrough|none\n        [,id=id][,writeout=immediate][,readonly=on][,fmode=fmode][,dmode=dmode][,multidevs=remap|forbid|warn]\n-virtfs proxy,mount_tag=tag,socket=socket[,id=id][,writeout=immediate][,readonly=on]\n-virtfs proxy,mount_tag=tag,sock_fd=sock_fd[,id=id][,writeout=immediate][,readonly=on]\n-virtfs synth,mount_tag=tag[,id=id][,readonly=on]\n"),
  opt("iscsi", true, ALL, "-iscsi [user=user][,password=password]\n       [,header-digest=CRC32C|CR32C-NONE|NONE-CRC32C|NONE\n       [,initiator-name=initiator-iqn][,id=target-iqn]\n       [,timeout=timeout]\n                iSCSI session parameters\n"),
  opt("usb", false, ALL, "-usb            enable on-board USB host controller (if not enabled by default)\n", "\nUSB convenience options:\n"),
  opt("usbdevice", true, ALL, "-usbdevice name add the host or guest USB device 'name'\n"),
  opt("display", true, ALL, "-display spice-app[,gl=on|off]\n-display sdl[,gl=on|core|es|off][,grab-mod=<mod>][,show-cursor=on|off]\n            [,window-close=on|off]\n-display gtk[,full-screen=on|off][,gl=on|off][,grab-on-hover=on|off]\n            [,show-tabs=on|off][,show-cursor=on|off][,window-close=on|off]\n            [,show-menubar=on|off]\n-display vnc=<display>[,<optargs>]\n-display curses[,charset=<encoding>]\n-display egl-headless[,rendernode=<file>]\n-display dbus[,addr=<dbusaddr>]\n             [,gl=on|core|es|off][,rendernode=<file>]\n-display none\n                select display backend type\n                The default display is equivalent to\n                \"-display gtk\"\n", "\nDisplay options:\n"),
  opt("nographic", false, ALL, "-nographic      disable graphical output and redirect serial I/Os to console\n"),
  opt("spice", true, ALL, "-spice [port=port][,tls-port=secured-port][,x509-dir=<dir>]\n       [,x509-key-file=<file>][,x509-key-password=<file>]\n       [,x509-cert-file=<file>][,x509-cacert-file=<file>]\n       [,x509-dh-key-file=<file>][,addr=addr]\n       [,ipv4=on|off][,ipv6=on|off][,unix=on|off]\n       [,tls-ciphers=<list>]\n       [,tls-channel=[main|display|cursor|inputs|record|playback]]\n       [,plaintext-channel=[main|display|cursor|inputs|record|playback]]\n       [,sasl=on|off][,disable-ticketing=on|off]\n       [,password=<string>][,password-secret=<secret-id>]\n       [,image-compression=[auto_glz|auto_lz|quic|glz|lz|off]]\n       [,jpeg-wan-compression=[auto|never|always]]\n       [,zlib-glz-wan-compression=[auto|never|always]]\n       [,streaming-video=[off|all|filter]][,disable-copy-paste=on|off]\n       [,disable-agent-file-xfer=on|off][,agent-mouse=[on|off]]\n       [,playback-compression=[on|off]][,seamless-migration=[on|off]]\n       [,gl=[on|off]][,rendernode=<file>]\n   enable spice\n   at least one of {port, tls-port} is mandatory\n"),
  opt("portrait", false, ALL, "-portrait       rotate graphical output 90 deg left (only PXA LCD)\n"),
  opt("rotate", true, ALL, "-rotate <deg>   rotate graphical output some deg left (only PXA LCD)\n"),
  opt("vga", true, ALL, "-vga [std|cirrus|vmware|qxl|xenfb|tcx|cg3|virtio|none]\n                select video card type\n"),
  opt("full-screen", false, ALL, "-full-screen    start in full screen\n"),
  opt("g", true, 0x910),
  opt("vnc", true, ALL, "-vnc <display>  shorthand for -display vnc=<display>\n"),
  opt("win2k-hack", false, 0x8, "-win2k-hack     use it when installing Windows 2000 to avoid a disk full bug\n", "\ni386 target only:\n"),
  opt("no-fd-bootchk", false, 0x8, "-no-fd-bootchk  disable boot signature checking for floppy disks\n"),
  opt("no-acpi", false, 0xa, "-no-acpi        disable ACPI\n"),
  opt("no-hpet", false, 0x8, "-no-hpet        disable HPET\n"),
  opt("acpitable", true, 0x8, "-acpitable [sig=str][,rev=n][,oem_id=str][,oem_table_id=str][,oem_rev=n][,asl_compiler_id=str][,asl_compiler_rev=n][,{data|file}=file1[:file2]...]\n                ACPI table description\n"),
  opt("smbios", true, 0xa, "-smbios file=binary\n                load SMBIOS entry from binary file\n-smbios type=0[,vendor=str][,version=str][,date=str][,release=%d.%d]\n              [,uefi=on|off]\n                specify SMBIOS type 0 fields\n-smbios type=1[,manufacturer=str][,product=str][,version=str][,serial=str]\n              [,uuid=uuid][,sku=str][,family=str]\n                specify SMBIOS type 1 fields\n-smbios type=2[,manufacturer=str][,product=str][,version=str][,serial=str]\n              [,asset=str][,location=str]\n                specify SMBIOS type 2 fields\n-smbios type=3[,manufacturer=str][,version=str][,serial=str][,asset=str]\n              [,sku=str]\n                specify SMBIOS type 3 fields\n-smbios type=4[,sock_pfx=str][,manufacturer=str][,version=str][,serial=str]\n              [,asset=str][,part=str][,max-speed=%d][,current-speed=%d]\n              [,processor-id=%d]\n                specify SMBIOS type 4 fields\n-smbios type=8[,external_reference=str][,internal_reference=str][,connector_type=%d][,port_type=%d]\n                specify SMBIOS type 8 fields\n-smbios type=11[,value=str][,path=filename]\n                specify SMBIOS type 11 fields\n-smbios type=17[,loc_pfx=str][,bank=str][,manufacturer=str][,serial=str]\n               [,asset=str][,part=str][,speed=%d]\n                specify SMBIOS type 17 fields\n-smbios type=41[,designation=str][,kind=str][,instance=%d][,pcidev=str]\n                specify SMBIOS type 41 fields\n"),
  opt("netdev", true, ALL, "-netdev user,id=str[,ipv4=on|off][,net=addr[/mask]][,host=addr]\n         [,ipv6=on|off][,ipv6-net=addr[/int]][,ipv6-host=addr]\n         [,restrict=on|off][,hostname=host][,dhcpstart=addr]\n         [,dns=addr][,ipv6-dns=addr][,dnssearch=domain][,domainname=domain]\n         [,tftp=dir][,tftp-server-name=name][,bootfile=f][,hostfwd=rule][,guestfwd=rule][,smb=dir[,smbserver=addr]]\n                configure a user mode network backend with ID 'str',\n                its DHCP server and optional services\n-netdev tap,id=str[,fd=h][,fds=x:y:...:z][,ifname=name][,script=file][,downscript=dfile]\n         [,br=bridge][,helper=helper][,sndbuf=nbytes][,vnet_hdr=on|off][,vhost=on|off]\n         [,vhostfd=h][,vhostfds=x:y:...:z][,vhostforce=on|off][,queues=n]\n         [,poll-us=n]\n                configure a host TAP network backend with ID 'str'\n                connected to a bridge (default=br0)\n                use network scripts 'file' (default=/etc/qemu-ifup)\n                to configure it and 'dfile' (default=/etc/qemu-ifdown)\n                to deconfigure it\n                use '[down]script=no' to disable script execution\n                use network helper 'helper' (default=/usr/lib/qemu/qemu-bridge-helper) to\n                configure it\n                use 'fd=h' to connect to an already opened TAP interface\n                use 'fds=x:y:...:z' to connect to already opened multiqueue capable TAP interfaces\n                use 'sndbuf=nbytes' to limit the size of the send buffer (the\n                default is disabled 'sndbuf=0' to enable flow control set 'sndbuf=1048576')\n                use vnet_hdr=off to avoid enabling the IFF_VNET_HDR tap flag\n                use vnet_hdr=on to make the lack of IFF_VNET_HDR support an error condition\n                use vhost=on to enable experimental in kernel accelerator\n                    (only has effect for virtio guests which use MSIX)\n                use vhostforce=on to force vhost on for non-MSIX virtio guests\n                use 'vhostfd=h' to connect to an already opened vhost net device\n                use 'vhostfds=x:y:...:z to connect to multiple already opened vhost net devices\n                use 'queues=n' to specify the number of queues to be created for multiqueue TAP\n                use 'poll-us=n' to specify the maximum number of microseconds that could be\n                spent on busy polling for vhost net\n-netdev bridge,id=str[,br=bridge][,helper=helper]\n                configure a host TAP network backend with ID 'str' that is\n                connected to a bridge (default=br0)\n                using the program 'helper (default=/usr/lib/qemu/qemu-bridge-helper)\n-netdev l2tpv3,id=str,src=srcaddr,dst=dstaddr[,srcport=srcport][,dstport=dstport]\n         [,rxsession=rxsession],txsession=txsession[,ipv6=on|off][,udp=on|off]\n         [,cookie64=on|off][,counter][,pincounter][,txcookie=txcookie]\n         [,rxcookie=rxcookie][,offset=offset]\n                configure a network backend with ID 'str' connected to\n                an Ethernet over L2TPv3 pseudowire.\n                Linux kernel 3.3+ as well as most routers can talk\n                L2TPv3. This transport allows connecting a VM to a VM,\n                VM to a router and even VM to Host. It is a nearly-universal\n                standard (RFC3931). Note - this implementation uses static\n                pre-configured tunnels (same as the Linux kernel).\n                use 'src=' to specify source address\n                use 'dst=' to specify destination address\n                use 'udp=on' to specify udp encapsulation\n                use 'srcport=' to specify source udp port\n                use 'dstport=' to specify destination udp port\n                use 'ipv6=on' to force v6\n                L2TPv3 uses cookies to prevent misconfiguration as\n                well as a weak security measure\n                use 'rxcookie=0x012345678' to specify a rxcookie\n                use 'txcookie=0x012345678' to specify a txcookie\n                use 'cookie64=on' to set cookie size to 64 bit, otherwise 32\n                use 'counter=off' to force a 'cut-down' L2TPv3 with no counter\n                use 'pincounter=on' to work around broken counter handling in peer\n                use 'offset=X' to add an extra offset between header and data\n-netdev socket,id=str[,fd=h][,listen=[host]:port][,connect=host:port]\n                configure a network backend to connect to another network\n                using a socket connection\n-netdev socket,id=str[,fd=h][,mcast=maddr:port[,localaddr=addr]]\n                configure a network backend to connect to a multicast maddr and port\n                use 'localaddr=addr' to specify the host address to send packets from\n-netdev socket,id=str[,fd=h][,udp=host:port][,localaddr=host:port]\n                configure a network backend to connect to another network\n                using an UDP tunnel\n-netdev stream,id=str[,server=on|off],addr.type=inet,addr.host=host,addr.port=port[,to=maxport][,numeric=on|off][,keep-alive=on|off][,mptcp=on|off][,addr.ipv4=on|off][,addr.ipv6=on|off]\n-netdev stream,id=str[,server=on|off],addr.type=unix,addr.path=path[,abstract=on|off][,tight=on|off]\n-netdev stream,id=str[,server=on|off],addr.type=fd,addr.str=file-descriptor\n                configure a network backend to connect to another network\n                using a socket connection in stream mode.\n-netdev dgram,id=str,remote.type=inet,remote.host=maddr,remote.port=port[,local.type=inet,local.host=addr]\n-netdev dgram,id=str,remote.type=inet,remote.host=maddr,remote.port=port[,local.type=fd,local.str=file-descriptor]\n                configure a network backend to connect to a multicast maddr and port\n                use ``local.host=addr`` to specify the host address to send packets from\n-netdev dgram,id=str,local.type=inet,local.host=addr,local.port=port[,remote.type=inet,remote.host=addr,remote.port=port]\n-netdev dgram,id=str,local.type=unix,local.path=path[,remote.type=unix,remote.path=path]\n-netdev dgram,id=str,local.type=fd,local.str=file-descriptor\n                configure a network backend to connect to another network\n                using an UDP tunnel\n-netdev vde,id=str[,sock=socketpath][,port=n][,group=groupname][,mode=octalmode]\n                configure a network backend to connect to port 'n' of a vde switch\n                running on host and listening for incoming connections on 'socketpath'.\n                Use group 'groupname' and mode 'octalmode' to change default\n                ownership and permissions for communication port.\n-netdev vhost-user,id=str,chardev=dev[,vhostforce=on|off]\n                configure a vhost-user network, backed by a chardev 'dev'\n-netdev vhost-vdpa,id=str[,vhostdev=/path/to/dev][,vhostfd=h]\n                configure a vhost-vdpa network,Establish a vhost-vdpa netdev\n                use 'vhostdev=/path/to/dev' to open a vhost vdpa device\n                use 'vhostfd=h' to connect to an already opened vhost vdpa device\n-netdev hubport,id=str,hubid=n[,netdev=nd]\n                configure a hub port on the hub with ID 'n'\n", "\nNetwork options:\n"),
  opt("nic", true, ALL, "-nic [tap|bridge|user|l2tpv3|vde|vhost-user|socket][,option][,...][mac=macaddr]\n                initialize an on-board / default host NIC (using MAC address\n                macaddr) and connect it to the given host network backend\n-nic none       use it alone to have zero network devices (the default is to\n                provided a 'user' network connection)\n"),
  opt("net", true, ALL, "-net nic[,macaddr=mac][,model=type][,name=str][,addr=str][,vectors=v]\n                configure or create an on-board (or machine default) NIC and\n                connect it to hub 0 (please use -nic unless you need a hub)\n-net [user|tap|bridge|vde|socket][,option][,option][,...]\n                old way to initialize a host network interface\n                (use the -netdev option if possible instead)\n"),
  opt("chardev", true, ALL, "-chardev help\n-chardev null,id=id[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev socket,id=id[,host=host],port=port[,to=to][,ipv4=on|off][,ipv6=on|off][,nodelay=on|off]\n         [,server=on|off][,wait=on|off][,telnet=on|off][,websocket=on|off][,reconnect=seconds][,mux=on|off]\n         [,logfile=PATH][,logappend=on|off][,tls-creds=ID][,tls-authz=ID] (tcp)\n-chardev socket,id=id,path=path[,server=on|off][,wait=on|off][,telnet=on|off][,websocket=on|off][,reconnect=seconds]\n         [,mux=on|off][,logfile=PATH][,logappend=on|off][,abstract=on|off][,tight=on|off] (unix)\n-chardev udp,id=id[,host=host],port=port[,localaddr=localaddr]\n         [,localport=localport][,ipv4=on|off][,ipv6=on|off][,mux=on|off]\n         [,logfile=PATH][,logappend=on|off]\n-chardev msmouse,id=id[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev vc,id=id[[,width=width][,height=height]][[,cols=cols][,rows=rows]]\n         [,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev ringbuf,id=id[,size=size][,logfile=PATH][,logappend=on|off]\n-chardev file,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev pipe,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev pty,id=id[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev stdio,id=id[,mux=on|off][,signal=on|off][,logfile=PATH][,logappend=on|off]\n-chardev braille,id=id[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev serial,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev tty,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev parallel,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev parport,id=id,path=path[,mux=on|off][,logfile=PATH][,logappend=on|off]\n-chardev spicevmc,id=id,name=name[,debug=debug][,logfile=PATH][,logappend=on|off]\n-chardev spiceport,id=id,name=name[,debug=debug][,logfile=PATH][,logappend=on|off]\n", "\nCharacter device options:\n"),
  opt("tpmdev", true, ALL, "-tpmdev passthrough,id=id[,path=path][,cancel-path=path]\n                use path to provide path to a character device; default is /dev/tpm0\n                use cancel-path to provide path to TPM's cancel sysfs entry; if\n                not provided it will be searched for in /sys/class/misc/tpm?/device\n-tpmdev emulator,id=id,chardev=dev\n                configure the TPM device using chardev backend\n", "\nTPM device options:\n"),
  opt("bios", true, ALL, "-bios file      set the filename for the BIOS\n", "\nBoot Image or Kernel specific:\n"),
  opt("pflash", true, ALL, "-pflash file    use 'file' as a parallel flash image\n"),
  opt("kernel", true, ALL, "-kernel bzImage use 'bzImage' as kernel image\n"),
  opt("append", true, ALL, "-append cmdline use 'cmdline' as kernel command line\n"),
  opt("initrd", true, ALL, "-initrd file    use 'file' as initial ram disk\n"),
  opt("dtb", true, ALL, "-dtb    file    use 'file' as device tree image\n"),
  opt("compat", true, ALL, "-compat [deprecated-input=accept|reject|crash][,deprecated-output=accept|hide]\n                Policy for handling deprecated management interfaces\n-compat [unstable-input=accept|reject|crash][,unstable-output=accept|hide]\n                Policy for handling unstable management interfaces\n", "\nDebug/Expert options:\n"),
  opt("fw_cfg", true, ALL, "-fw_cfg [name=]<name>,file=<file>\n                add named fw_cfg entry with contents from file\n-fw_cfg [name=]<name>,string=<str>\n                add named fw_cfg entry with contents from string\n"),
  opt("serial", true, ALL, "-serial dev     redirect the serial port to char device 'dev'\n"),
  opt("parallel", true, ALL, "-parallel dev   redirect the parallel port to char device 'dev'\n"),
  opt("monitor", true, ALL, "-monitor dev    redirect the monitor to char device 'dev'\n"),
  opt("qmp", true, ALL, "-qmp dev        like -monitor but opens in 'control' mode\n"),
  opt("qmp-pretty", true, ALL, "-qmp-pretty dev like -qmp but uses pretty JSON formatting\n"),
  opt("mon", true, ALL, "-mon [chardev=]name[,mode=readline|control][,pretty[=on|off]]\n"),
  opt("debugcon", true, ALL, "-debugcon dev   redirect the debug console to char device 'dev'\n"),
  opt("pidfile", true, ALL, "-pidfile file   write PID to 'file'\n"),
  opt("singlestep", false, ALL, "-singlestep     always run in singlestep mode\n--preconfig     pause QEMU before machine is initialized (experimental)\n"),
  opt("preconfig", false, ALL),
  opt("S", false, ALL, "-S              freeze CPU at startup (use 'c' to start execution)\n"),
  opt("overcommit", true, ALL, "-overcommit [mem-lock=on|off][cpu-pm=on|off]\n                run qemu with overcommit hints\n                mem-lock=on|off controls memory lock support (default: off)\n                cpu-pm=on|off controls cpu power management (default: off)\n"),
  opt("gdb", true, ALL, "-gdb dev        accept gdb connection on 'dev'. (QEMU defaults to starting\n                the guest without waiting for gdb to connect; use -S too\n                if you want it to not start execution.)\n"),
  opt("s", false, ALL, "-s              shorthand for -gdb tcp::1234\n"),
  opt("d", true, ALL, "-d item1,...    enable logging of specified items (use '-d help' for a list of log items)\n"),
  opt("D", true, ALL, "-D logfile      output log to logfile (default stderr)\n"),
  opt("dfilter", true, ALL, "-dfilter range,..  filter debug output to range of addresses (useful for -d cpu,exec,etc..)\n"),
  opt("seed", true, ALL, "-seed number       seed the pseudo-random number generator\n"),
  opt("L", true, ALL, "-L path         set the directory for the BIOS, VGA BIOS and keymaps\n"),
  opt("enable-kvm", false, 0x8038a, "-enable-kvm     enable KVM full virtualization support\n"),
  opt("xen-domid", true, 0xa, "-xen-domid id   specify xen guest domain id\n"),
  opt("xen-attach", false, 0xa, "-xen-attach     attach to existing xen domain\n                libxl will use this when starting QEMU\n"),
  opt("xen-domid-restrict", false, 0xa, "-xen-domid-restrict     restrict set of available xen operations\n                        to specified domain id. (Does not affect\n                        xenpv machine type).\n"),
  opt("no-reboot", false, ALL, "-no-reboot      exit instead of rebooting\n"),
  opt("no-shutdown", false, ALL, "-no-shutdown    stop before shutdown\n"),
  opt("action", true, ALL, "-action reboot=reset|shutdown\n                   action when guest reboots [default=reset]\n-action shutdown=poweroff|pause\n                   action when guest shuts down [default=poweroff]\n-action panic=pause|shutdown|exit-failure|none\n                   action when guest panics [default=shutdown]\n-action watchdog=reset|shutdown|poweroff|inject-nmi|pause|debug|none\n                   action when watchdog fires [default=reset]\n"),
  opt("loadvm", true, ALL, "-loadvm [tag|id]\n                start right away with a saved state (loadvm in monitor)\n"),
  opt("daemonize", false, ALL, "-daemonize      daemonize QEMU after initializing\n"),
  opt("option-rom", true, ALL, "-option-rom rom load a file, rom, into the option ROM space\n"),
  opt("rtc", true, ALL, "-rtc [base=utc|localtime|<datetime>][,clock=host|rt|vm][,driftfix=none|slew]\n                set the RTC base and clock, enable drift fix for clock ticks (x86 only)\n"),
  opt("icount", true, ALL, "-icount [shift=N|auto][,align=on|off][,sleep=on|off][,rr=record|replay,rrfile=<filename>[,rrsnapshot=<snapshot>]]\n                enable virtual instruction counter with 2^N clock ticks per\n                instruction, enable aligning the host and virtual clocks\n                or disable real time cpu sleeping, and optionally enable\n                record-and-replay mode\n"),
  opt("watchdog-action", true, ALL, "-watchdog-action reset|shutdown|poweroff|inject-nmi|pause|debug|none\n                action when watchdog fires [default=reset]\n"),
  opt("echr", true, ALL, "-echr chr       set terminal escape character instead of ctrl-a\n"),
  opt("incoming", true, ALL, "-incoming tcp:[host]:port[,to=maxport][,ipv4=on|off][,ipv6=on|off]\n-incoming rdma:host:port[,ipv4=on|off][,ipv6=on|off]\n-incoming unix:socketpath\n                prepare for incoming migration, listen on\n                specified protocol and socket address\n-incoming fd:fd\n-incoming exec:cmdline\n                accept incoming migration on given file descriptor\n                or from given external command\n-incoming defer\n                wait for the URI to be specified via migrate_incoming\n"),
  opt("only-migratable", false, ALL, "-only-migratable     allow only migratable devices\n"),
  opt("nodefaults", false, ALL, "-nodefaults     don't create default devices\n"),
  opt("chroot", true, ALL, "-chroot dir     chroot to dir just before starting the VM\n"),
  opt("runas", true, ALL, "-runas user     change to user id user just before starting the VM\n                user can be numeric uid:gid instead\n"),
  opt("prom-env", true, 0x900),
  opt("semihosting", false, 0xa1092),
  opt("semihosting-config", true, 0xa1092),
  opt("old-param", false, 0x2),
  opt("sandbox", true, ALL, "-sandbox on[,obsolete=allow|deny][,elevateprivileges=allow|deny|children]\n          [,spawn=allow|deny][,resourcecontrol=allow|deny]\n                Enable seccomp mode 2 system call filter (default 'off').\n                use 'obsolete' to allow obsolete system calls that are provided\n                    by the kernel, but typically no longer used by modern\n                    C library implementations.\n                use 'elevateprivileges' to allow or deny the QEMU process ability\n                    to elevate privileges using set*uid|gid system calls.\n                    The value 'children' will deny set*uid|gid system calls for\n                    main QEMU process but will allow forks and execves to run unprivileged\n                use 'spawn' to avoid QEMU to spawn new threads or processes by\n                     blocking *fork and execve\n                use 'resourcecontrol' to disable process affinity and schedular priority\n"),
  opt("readconfig", true, ALL, "-readconfig <file>\n                read config file\n"),
  opt("no-user-config", false, ALL, "-no-user-config\n                do not load default user-provided config files at startup\n"),
  opt("trace", true, ALL, "-trace [[enable=]<pattern>][,events=<file>][,file=<file>]\n                specify tracing options\n"),
  opt("plugin", true, ALL, "-plugin [file=]<file>[,<argname>=<argvalue>]\n                load a plugin\n"),
  opt("qtest", true, ALL),
  opt("qtest-log", true, ALL),
  opt("async-teardown", false, ALL, "-async-teardown enable asynchronous teardown\n"),
  opt("msg", true, ALL, "-msg [timestamp[=on|off]][,guest-name=[on|off]]\n                control error message format\n                timestamp=on enables timestamps (default: off)\n                guest-name=on enables guest name prefix but only if\n                              -name guest option is set (default: off)\n"),
  opt("dump-vmstate", true, ALL, "-dump-vmstate <file>\n                Output vmstate information in JSON format to file.\n                Use the scripts/vmstate-static-checker.py file to\n                check for possible regressions in migration code\n                by comparing two such vmstate dumps.\n"),
  opt("enable-sync-profile", false, ALL, "-enable-sync-profile\n                enable synchronization profiling\n"),
  opt("object", true, ALL, "-object TYPENAME[,PROP1=VALUE1,...]\n                create a new object of type TYPENAME setting properties\n                in the order they are specified.  Note that the 'id'\n                property must be set.  These objects are placed in the\n                '/objects' path.\n", "\nGeneric object creation:\n"),
];

const byName = new Map<string, QEMUOption>(QEMU_OPTIONS.map((o) => [o.name, o]));

/** The option named `name` (without the leading '-'), if QEMU 7.2 has it. */
export function findOption(name: string): QEMUOption | undefined {
  return byName.get(name);
}

/** Whether the option exists on x86 (else QEMU says "Option not supported for this target"). */
export function optionAvailableOnX86(o: QEMUOption): boolean {
  return (o.archMask & QEMU_ARCH_I386) !== 0;
}

/* loc_set_cmdline(argv, idx, cnt): the location text is the arguments joined by spaces. */
function cmdlineLoc(argv: readonly string[], idx: number, cnt: number): string {
  return argv.slice(idx, idx + cnt).join(' ');
}

export interface LookedUpOpt {
  readonly option: QEMUOption;
  readonly arg: string | undefined;
  /** The argv index of the option itself. */
  readonly index: number;
  /** The argv index after the option (and its argument). */
  readonly next: number;
  /** QEMU's location for messages about this option: "-opt arg". */
  readonly loc: string;
}

/**
 * lookup_opt(): the option at argv[index] ("--foo" is "-foo") and its
 * argument.  Throws QEMU's "invalid option" / "requires an argument".
 */
export function lookupOpt(argv: readonly string[], index: number): LookedUpOpt {
  const r = argv[index]!;
  const name = r[1] === '-' ? r.slice(2) : r.slice(1);
  const option = byName.get(name);
  const loc1 = cmdlineLoc(argv, index, 1);
  if (!option) throw withLoc(loc1, () => new QemuError('invalid option'));
  if (!option.hasArg) return { option, arg: undefined, index, next: index + 1, loc: loc1 };
  if (index + 1 >= argv.length) throw withLoc(loc1, () => new QemuError('requires an argument'));
  return { option, arg: argv[index + 1], index, next: index + 2, loc: cmdlineLoc(argv, index, 2) };
}

export interface CmdlineItem {
  /** The option's name as in the table ("M" and "machine" stay distinct); "drive" for a bare argument. */
  readonly name: string;
  readonly option: QEMUOption | undefined;
  /** The option argument; for a bare argument, the file name. */
  readonly arg: string | undefined;
  /** argv index of the option. */
  readonly index: number;
  /** The location prefix QEMU uses while handling this item. */
  readonly loc: string;
  /**
   * True for a bare (non-option) argument: QEMU does
   * drive_add(IF_DEFAULT, 0, arg, "media=disk"), i.e. -drive index=0,media=disk,file=arg.
   */
  readonly bare: boolean;
}

/** The -drive option string equivalent to a bare argument (commas in the name doubled). */
export function bareDriveOptstr(file: string): string {
  return `index=0,media=disk,file=${file.replace(/,/g, ',,')}`;
}

/**
 * vl.c's first pass: every option is looked up (so an unknown option or a
 * missing argument fails before anything else happens); bare arguments are
 * skipped.  Returns whether -no-user-config was given.
 */
export function qemuOptionsPass1(argv: readonly string[]): { userconfig: boolean } {
  let userconfig = true;
  for (let i = 1; i < argv.length;) {
    if (argv[i]![0] !== '-') {
      i++;
      continue;
    }
    const o = lookupOpt(argv, i);
    if (o.option.name === 'no-user-config') userconfig = false;
    i = o.next;
  }
  return { userconfig };
}

/**
 * vl.c's second pass, lazily: yields the items in order; an option not
 * available on x86 throws "Option not supported for this target" when the
 * walk reaches it, after the caller has handled every earlier item.
 */
export function* qemuOptionsPass2(argv: readonly string[]): Generator<CmdlineItem, void, void> {
  for (let i = 1; i < argv.length;) {
    const a = argv[i]!;
    if (a[0] !== '-') {
      yield { name: 'drive', option: findOption('drive'), arg: a, index: i, loc: a, bare: true };
      i++;
      continue;
    }
    const o = lookupOpt(argv, i);
    if (!optionAvailableOnX86(o.option)) {
      throw withLoc(o.loc, () => new QemuError('Option not supported for this target'));
    }
    yield { name: o.option.name, option: o.option, arg: o.arg, index: i, loc: o.loc, bare: false };
    i = o.next;
  }
}

/** Both passes: validates the whole argv, then walks it as vl.c does. */
export function qemuOptionsWalk(argv: readonly string[]): Generator<CmdlineItem, void, void> {
  qemuOptionsPass1(argv);
  return qemuOptionsPass2(argv);
}

/**
 * The text of help() (vl.c), after the version lines the caller prints:
 * usage, every option available on x86 with its section headings, and the
 * closing notes.
 */
export function qemuHelpText(prog: string): string {
  let s = `usage: ${prog} [options] [disk_image]\n\n` +
    "'disk_image' is a raw hard disk image for IDE hard disk 0\n\n";
  for (const o of QEMU_OPTIONS) {
    if (!optionAvailableOnX86(o)) continue;
    s += o.heading + o.help;
  }
  s += '\nDuring emulation, the following keys are useful:\n' +
    'ctrl-alt-f      toggle full screen\n' +
    "ctrl-alt-n      switch to virtual console 'n'\n" +
    'ctrl-alt-g      toggle mouse and keyboard grab\n' +
    '\n' +
    "When using -nographic, press 'ctrl-a h' to get some help.\n" +
    '\n' +
    'See <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n' +
    'More information on the QEMU project at <https://qemu.org>.\n';
  return s;
}
