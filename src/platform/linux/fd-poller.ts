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

export interface FdInterest {
  readonly readable?: boolean;
  readonly writable?: boolean;
}

/** What an error status is reported as: ready for everything, so that the owner looks at the fd. */
const ERROR_EVENTS: FdEvents = { readable: true, writable: true, disconnect: true };

export interface FdEvents {
  readonly readable: boolean;
  readonly writable: boolean;
  /** The peer hung up (EPOLLRDHUP). */
  readonly disconnect: boolean;
}

/**
 * Call `onEvent` whenever `fd` is ready for any of `interest` (e.g. writable: a non-blocking
 * connect() finished, one way or the other). Errors reported by the loop arrive as events too:
 * the owner reads the outcome from the fd (SO_ERROR, the next read).
 */
export function watch(fd: number, interest: FdInterest, onEvent: (events: FdEvents) => void): FdWatch {
  // koffi calls back with (status, events); an error status (libuv's EPOLLERR case) comes with no
  // events, and the owner learns what happened from the fd itself
  const handle = koffi().node.poll(fd, { readable: interest.readable === true, writable: interest.writable === true }, ((status: number, events: FdEvents | undefined) =>
    onEvent(status < 0 || events === undefined ? ERROR_EVENTS : events)) as unknown as (ev: FdEvents) => void);
  live.add(handle);
  let open = true;
  return {
    close() {
      if (!open) return;
      open = false;
      live.delete(handle);
      handle.close();
    },
    unref() {
      handle.unref();
    },
  };
}
