// tsqemu's native addon: thin wrappers around the Linux system calls the KVM
// accelerator needs.  No emulator logic lives here; every function maps to one
// syscall (or one libuv poll handle) and reports failures as a negative errno
// so that the TypeScript side can print QEMU's messages.

#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

Napi::Value NegErrno(Napi::Env env) { return Napi::Number::New(env, -errno); }

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Int64Value();
}

// The data pointer and length of an ArrayBuffer or a typed array/DataView.
bool BufferOf(Napi::Value v, uint8_t** data, size_t* len) {
  if (v.IsArrayBuffer()) {
    auto ab = v.As<Napi::ArrayBuffer>();
    *data = static_cast<uint8_t*>(ab.Data());
    *len = ab.ByteLength();
    return true;
  }
  if (v.IsTypedArray()) {
    // napi_get_typedarray_info's own data pointer also works when the typed
    // array views a SharedArrayBuffer (guest RAM as a shared WebAssembly.Memory),
    // which napi_get_arraybuffer_info refuses.
    napi_typedarray_type type;
    size_t length;
    void* ptr;
    if (napi_get_typedarray_info(v.Env(), v, &type, &length, &ptr, nullptr, nullptr) != napi_ok) return false;
    *data = static_cast<uint8_t*>(ptr);
    *len = v.As<Napi::TypedArray>().ByteLength();
    return true;
  }
  if (v.IsDataView()) {
    auto dv = v.As<Napi::DataView>();
    *data = static_cast<uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    *len = dv.ByteLength();
    return true;
  }
  return false;
}

// open(path, flags) -> fd | -errno.  O_CLOEXEC is always added.
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = ::open(path.c_str(), static_cast<int>(ArgInt(info, 1)) | O_CLOEXEC);
  return fd < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), fd);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  int r = ::close(static_cast<int>(ArgInt(info, 0)));
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), 0);
}

// ioctl(fd, request, arg) -> result | -errno.  `arg` is either a number passed
// by value or a buffer whose address is passed.
Napi::Value Ioctl(const Napi::CallbackInfo& info) {
  int fd = static_cast<int>(ArgInt(info, 0));
  unsigned long req = static_cast<unsigned long>(info[1].As<Napi::Number>().Int64Value()) & 0xffffffffUL;
  unsigned long arg = 0;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    uint8_t* data;
    size_t len;
    if (BufferOf(info[2], &data, &len)) {
      arg = reinterpret_cast<unsigned long>(data);
    } else {
      arg = static_cast<unsigned long>(ArgInt(info, 2));
    }
  }
  int r = ::ioctl(fd, req, arg);
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), r);
}

// mmap(length, prot, flags, fd, offset) -> external ArrayBuffer | -errno.
// The mapping is released only by munmap(); the ArrayBuffer has no finalizer
// because other threads hold their own views of the same memory.
Napi::Value Mmap(const Napi::CallbackInfo& info) {
  size_t len = static_cast<size_t>(ArgInt(info, 0));
  void* p = ::mmap(nullptr, len, static_cast<int>(ArgInt(info, 1)), static_cast<int>(ArgInt(info, 2)),
                   static_cast<int>(ArgInt(info, 3)), static_cast<off_t>(ArgInt(info, 4)));
  if (p == MAP_FAILED) return NegErrno(info.Env());
  return Napi::ArrayBuffer::New(info.Env(), p, len);
}

// munmap(addr, length) -> 0 | -errno.
Napi::Value Munmap(const Napi::CallbackInfo& info) {
  void* p = reinterpret_cast<void*>(static_cast<uintptr_t>(ArgInt(info, 0)));
  int r = ::munmap(p, static_cast<size_t>(ArgInt(info, 1)));
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), 0);
}

// addressOf(buffer) -> host address of its first byte (user-space addresses
// fit in 47 bits, so a double holds them exactly).
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  uint8_t* data;
  size_t len;
  if (!BufferOf(info[0], &data, &len)) {
    Napi::TypeError::New(info.Env(), "addressOf: expected an ArrayBuffer or a view").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(data)));
}

// view(addr, length) -> external ArrayBuffer over memory mapped elsewhere in
// this process (how a worker thread sees guest RAM and its kvm_run page).
Napi::Value View(const Napi::CallbackInfo& info) {
  void* p = reinterpret_cast<void*>(static_cast<uintptr_t>(ArgInt(info, 0)));
  return Napi::ArrayBuffer::New(info.Env(), p, static_cast<size_t>(ArgInt(info, 1)));
}

Napi::Value EventFd(const Napi::CallbackInfo& info) {
  int fd = ::eventfd(static_cast<unsigned>(ArgInt(info, 0)), static_cast<int>(ArgInt(info, 1)) | EFD_CLOEXEC);
  return fd < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), fd);
}

// eventfdRead(fd) -> counter value | -errno (EAGAIN when non-blocking and zero).
Napi::Value EventFdRead(const Napi::CallbackInfo& info) {
  uint64_t v;
  ssize_t r = ::read(static_cast<int>(ArgInt(info, 0)), &v, sizeof v);
  if (r < 0) return NegErrno(info.Env());
  return Napi::Number::New(info.Env(), static_cast<double>(v));
}

Napi::Value EventFdWrite(const Napi::CallbackInfo& info) {
  uint64_t v = static_cast<uint64_t>(ArgInt(info, 1));
  ssize_t r = ::write(static_cast<int>(ArgInt(info, 0)), &v, sizeof v);
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), 0);
}

Napi::Value GetTid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(::syscall(SYS_gettid)));
}

// setThreadName(name): the calling thread's name (15 bytes at most, as
// qemu_thread_set_name truncates through pthread_setname_np).
Napi::Value SetThreadName(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  char buf[16];
  std::strncpy(buf, name.c_str(), sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  int r = ::prctl(PR_SET_NAME, buf, 0, 0, 0);
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), 0);
}

// The vCPU kick (QEMU's SIG_IPI).  Node uses SIGUSR1 for the inspector, so a
// real-time signal is used.  The handler does nothing: its only purpose is to
// make the signal interrupt KVM_RUN with EINTR instead of being ignored.
int KickSignal() { return SIGRTMIN + 6; }

void KickHandler(int) {}

// initKickSignal() -> signal number | -errno.  Installs the process-wide
// handler (without SA_RESTART) and unblocks the signal in the calling thread.
Napi::Value InitKickSignal(const Napi::CallbackInfo& info) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = KickHandler;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(KickSignal(), &sa, nullptr) < 0) return NegErrno(info.Env());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, KickSignal());
  int r = ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  if (r != 0) return Napi::Number::New(info.Env(), -r);
  return Napi::Number::New(info.Env(), KickSignal());
}

// kick(tid) -> 0 | -errno: sends the kick signal to one thread of this process.
Napi::Value Kick(const Napi::CallbackInfo& info) {
  long r = ::syscall(SYS_tgkill, ::getpid(), static_cast<pid_t>(ArgInt(info, 0)), KickSignal());
  return r < 0 ? NegErrno(info.Env()) : Napi::Number::New(info.Env(), 0);
}

// An fd poller on the calling thread's libuv loop: pollStart(fd, events, cb)
// calls cb(status, events) whenever the fd is ready (level-triggered), until
// pollStop(handle).  events: 1 readable, 2 writable (UV_READABLE/UV_WRITABLE).
struct Poller {
  uv_poll_t handle;
  napi_env env;
  Napi::FunctionReference callback;
  bool stopped = false;
};

void PollCallback(uv_poll_t* h, int status, int events) {
  Poller* p = static_cast<Poller*>(h->data);
  Napi::Env env(p->env);
  Napi::HandleScope scope(env);
  p->callback.MakeCallback(env.Global(), {Napi::Number::New(env, status), Napi::Number::New(env, events)});
}

Napi::Value PollStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return Napi::Number::New(env, -EINVAL);
  auto* p = new Poller();
  p->env = env;
  int r = uv_poll_init(loop, &p->handle, static_cast<int>(ArgInt(info, 0)));
  if (r < 0) {
    delete p;
    return Napi::Number::New(env, r);
  }
  p->handle.data = p;
  p->callback = Napi::Persistent(info[2].As<Napi::Function>());
  r = uv_poll_start(&p->handle, static_cast<int>(ArgInt(info, 1)), PollCallback);
  if (r < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), [](uv_handle_t* h) { delete static_cast<Poller*>(h->data); });
    return Napi::Number::New(env, r);
  }
  return Napi::External<Poller>::New(env, p);
}

Napi::Value PollStop(const Napi::CallbackInfo& info) {
  Poller* p = info[0].As<Napi::External<Poller>>().Data();
  if (!p->stopped) {
    p->stopped = true;
    uv_poll_stop(&p->handle);
    p->callback.Reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), [](uv_handle_t* h) { delete static_cast<Poller*>(h->data); });
  }
  return info.Env().Undefined();
}

// ofdLock(fd, getlk, type, start) -> 0 | -errno.  One byte of an open file
// description lock (F_OFD_SETLK, or F_OFD_GETLK when getlk), as QEMU's image
// locking uses.  For F_OFD_GETLK, -EAGAIN tells that a conflicting lock is held.
Napi::Value OfdLock(const Napi::CallbackInfo& info) {
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = static_cast<short>(ArgInt(info, 2));
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(ArgInt(info, 3));
  fl.l_len = 1;
  const bool get = info[1].ToBoolean().Value();
  if (::fcntl(static_cast<int>(ArgInt(info, 0)), get ? F_OFD_GETLK : F_OFD_SETLK, &fl) < 0) return NegErrno(info.Env());
  return Napi::Number::New(info.Env(), get && fl.l_type != F_UNLCK ? -EAGAIN : 0);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("ioctl", Napi::Function::New(env, Ioctl));
  exports.Set("mmap", Napi::Function::New(env, Mmap));
  exports.Set("munmap", Napi::Function::New(env, Munmap));
  exports.Set("addressOf", Napi::Function::New(env, AddressOf));
  exports.Set("view", Napi::Function::New(env, View));
  exports.Set("eventfd", Napi::Function::New(env, EventFd));
  exports.Set("eventfdRead", Napi::Function::New(env, EventFdRead));
  exports.Set("eventfdWrite", Napi::Function::New(env, EventFdWrite));
  exports.Set("gettid", Napi::Function::New(env, GetTid));
  exports.Set("setThreadName", Napi::Function::New(env, SetThreadName));
  exports.Set("initKickSignal", Napi::Function::New(env, InitKickSignal));
  exports.Set("kick", Napi::Function::New(env, Kick));
  exports.Set("pollStart", Napi::Function::New(env, PollStart));
  exports.Set("pollStop", Napi::Function::New(env, PollStop));
  exports.Set("ofdLock", Napi::Function::New(env, OfdLock));
  exports.Set("F_RDLCK", Napi::Number::New(env, F_RDLCK));
  exports.Set("F_WRLCK", Napi::Number::New(env, F_WRLCK));
  exports.Set("F_UNLCK", Napi::Number::New(env, F_UNLCK));
  exports.Set("PROT_READ", Napi::Number::New(env, PROT_READ));
  exports.Set("PROT_WRITE", Napi::Number::New(env, PROT_WRITE));
  exports.Set("MAP_SHARED", Napi::Number::New(env, MAP_SHARED));
  exports.Set("MAP_PRIVATE", Napi::Number::New(env, MAP_PRIVATE));
  exports.Set("MAP_ANONYMOUS", Napi::Number::New(env, MAP_ANONYMOUS));
  exports.Set("MAP_NORESERVE", Napi::Number::New(env, MAP_NORESERVE));
  exports.Set("O_RDWR", Napi::Number::New(env, O_RDWR));
  exports.Set("EFD_NONBLOCK", Napi::Number::New(env, EFD_NONBLOCK));
  return exports;
}

}  // namespace

NODE_API_MODULE(tsqemu_native, Init)
