/**
 * Readiness of a native file descriptor from Node's own event loop (libuv uv_poll, through
 * koffi): the callback runs on this thread's loop, like a native addon's, with no extra thread.
 * Works in worker threads too (each has its own loop).
 */
import { koffi } from './libc.js';

export interface FdWatch {
  /** Stop watching (the fd itself is the owner's to close). Idempotent. */
  close(): void;
  /** Do not keep the process alive for this fd alone. */
  unref(): void;
}

/**
 * Call `onReadable` whenever `fd` can be read. An error reported by the loop (e.g. a netlink
 * overrun turning into EPOLLERR) is delivered as a readable event: the owner's next read
 * returns the error as an ordinary errno.
 */
export function watchReadable(fd: number, onReadable: () => void): FdWatch {
  const handle = koffi().node.poll(fd, { readable: true }, () => onReadable());
  let open = true;
  const watch: FdWatch = {
    close() {
      if (!open) return;
      open = false;
      handle.close();
    },
    unref() {
      handle.unref();
    },
  };
  // the handle must stay reachable while watched: uv_poll does not root its JS object
  live.add(handle);
  const close = watch.close;
  watch.close = () => {
    live.delete(handle);
    close();
  };
  return watch;
}

const live = new Set<unknown>();
