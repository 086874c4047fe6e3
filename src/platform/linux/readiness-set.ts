/**
 * One-shot readiness of many short-lived fds (TCP_CHECK's connecting sockets) through one epoll
 * instance, which libuv watches as a single readable fd. A libuv poll handle per socket costs
 * five or six system calls (the fd check and non-blocking ioctl of uv_poll_init, the add, the
 * delete when closing) plus a native object; here an fd costs one epoll_ctl, and closing it
 * removes it from the set. Ready fds are collected in batches, one JS call per batch, a bounded
 * number of batches per wakeup.
 *
 * Each registration carries a sequence number beside the fd in the event's data, so that an event
 * for an fd that was closed and reused in the meantime never reaches the new owner.
 */
import { watchReadable, type FdWatch } from './fd-poller.js';
import { EPOLLONESHOT, EPOLL_CTL_ADD, EPOLL_EVENT_SIZE, epollControl, epollCreate, epollEventAt, epollWaitNow } from './libc.js';

const BATCH = 256;
/**
 * Events taken per wakeup at most. The set stays readable while events are left, so libuv calls
 * again on its next turn; in between, timers run (a flood of completions must not hold back the
 * checks that are due).
 */
const BATCHES_PER_WAKEUP = 4;

interface Waiter {
  readonly sequence: number;
  readonly onReady: (events: number) => void;
}

export class ReadinessSet {
  private readonly epfd: number;
  private readonly watch: FdWatch;
  private readonly waiters = new Map<number, Waiter>();
  private readonly events = Buffer.alloc(BATCH * EPOLL_EVENT_SIZE);
  private sequence = 0;

  constructor() {
    this.epfd = epollCreate();
    this.watch = watchReadable(this.epfd, () => this.drain());
    // the waiters' own timers keep the process alive while anything is pending
    this.watch.unref();
  }

  /**
   * Call `onReady` once with the epoll event bits (EPOLLOUT, EPOLLERR, EPOLLHUP…) when `fd` is
   * ready for `events`. Throws SyscallError when the fd cannot be watched. The owner closes the fd
   * after `forget` (or after onReady): closing is what takes it out of the set.
   */
  once(fd: number, events: number, onReady: (events: number) => void): void {
    const sequence = (this.sequence = (this.sequence + 1) >>> 0);
    epollControl(this.epfd, EPOLL_CTL_ADD, fd, events | EPOLLONESHOT, fd, sequence);
    this.waiters.set(fd, { sequence, onReady });
  }

  /** Stop waiting for `fd` (timeout, abort): a late event is dropped. */
  forget(fd: number): void {
    this.waiters.delete(fd);
  }

  get pending(): number {
    return this.waiters.size;
  }

  private drain(): void {
    for (let batch = 0; batch < BATCHES_PER_WAKEUP; batch++) {
      const n = epollWaitNow(this.epfd, this.events);
      for (let i = 0; i < n; i++) {
        const e = epollEventAt(this.events, i);
        const w = this.waiters.get(e.dataLow);
        if (w === undefined || w.sequence !== e.dataHigh) continue;
        this.waiters.delete(e.dataLow);
        try {
          w.onReady(e.events);
        } catch (err) {
          // one owner's bug must not starve the others of their events
          queueMicrotask(() => {
            throw err;
          });
        }
      }
      if (n < BATCH) return;
    }
  }
}

let shared: ReadinessSet | undefined;

/** The thread's set (created on first use). */
export function readinessSet(): ReadinessSet {
  shared ??= new ReadinessSet();
  return shared;
}
