/**
 * Handlers for signals Node cannot name: keepalived's JSON dump is SIGRTMIN+2 (36) and
 * STATS_CLEAR is SIGRTMAX-1 (63). libuv can watch any signal number; Node's binary exports
 * libuv, so the watch is a uv_signal_t started through koffi, and the callback runs on this
 * thread's event loop like any `process.on('SIGUSR1')` handler.
 */
import { koffi } from './libc.js';

type NativeFn = (...args: unknown[]) => unknown;

const UV_SIGNAL = 16;

interface Uv {
  readonly loop: unknown;
  readonly size: number;
  readonly init: NativeFn;
  readonly start: NativeFn;
  readonly stop: NativeFn;
  readonly callbackType: unknown;
}

let uv: Uv | undefined;

function libuv(): Uv {
  if (uv) return uv;
  const k = koffi();
  const self = k.load(null);
  const callbackType = k.pointer(k.proto('void uv_signal_cb(void *handle, int signum)'));
  uv = {
    loop: (self.func('void *uv_default_loop(void)') as NativeFn)(),
    size: Number((self.func('size_t uv_handle_size(int type)') as NativeFn)(UV_SIGNAL)),
    init: self.func('int uv_signal_init(void *loop, void *handle)') as NativeFn,
    start: self.func('int uv_signal_start(void *handle, uv_signal_cb *cb, int signum)') as NativeFn,
    stop: self.func('int uv_signal_stop(void *handle)') as NativeFn,
    callbackType,
  };
  return uv;
}

export interface SignalWatch {
  stop(): void;
}

/**
 * Call `handler` on this (main) thread whenever `signum` arrives. The handle stays referenced
 * by libuv but does not keep the process alive on its own, as Node's own signal handlers.
 */
export function onSignalNumber(signum: number, handler: () => void): SignalWatch {
  const k = koffi();
  const u = libuv();
  const handle = k.alloc('uint8_t', u.size);
  // an exception must not vanish inside the native callback: raise it on the loop, as Node's own handlers would
  const cb = k.register(() => {
    try {
      handler();
    } catch (e) {
      process.nextTick(() => {
        throw e;
      });
    }
  }, u.callbackType as never);
  let r = Number(u.init(u.loop, handle));
  if (r === 0) r = Number(u.start(handle, cb, signum));
  if (r !== 0) {
    k.unregister(cb);
    throw new Error(`cannot watch signal ${signum} (libuv error ${r})`);
  }
  const unref = k.load(null).func('void uv_unref(void *handle)') as NativeFn;
  unref(handle);
  let active = true;
  return {
    stop() {
      if (!active) return;
      active = false;
      // the handle memory is kept (never freed): uv_close would be needed first, and a daemon stops its watches only at exit
      u.stop(handle);
      k.unregister(cb);
    },
  };
}
