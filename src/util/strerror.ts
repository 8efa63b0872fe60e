import { constants } from 'node:os';

/* strerror(3) texts for the errno codes Node reports, so messages read as QEMU's (glibc's) do. */
const messages: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENOTTY: 'Inappropriate ioctl for device',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENOSYS: 'Function not implemented',
  ENOTSUP: 'Operation not supported',
  EOPNOTSUPP: 'Operation not supported',
  EADDRINUSE: 'Address already in use',
  ECONNREFUSED: 'Connection refused',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
  // getaddrinfo()'s EAI_NONAME, as gai_strerror() words it.
  ENOTFOUND: 'Name or service not known',
};

/** The glibc message for a Node system error (err.code) or an errno name. */
export function strerror(codeOrError: string | NodeJS.ErrnoException): string {
  const code = typeof codeOrError === 'string' ? codeOrError : codeOrError.code ?? '';
  return messages[code] ?? (typeof codeOrError === 'string' ? codeOrError : codeOrError.message);
}

/** strerror() for a positive errno number (kvm_init() returns -errno). */
export function strerrorErrno(errno: number): string {
  for (const [name, n] of Object.entries(constants.errno)) if (n === errno) return strerror(name);
  return `Unknown error ${errno}`;
}
