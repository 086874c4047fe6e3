/**
 * Running a synchronous piece of code inside another network namespace: the thread switches
 * in, `fn` runs (typically opening sockets, which stay in that namespace for good), and the
 * thread switches back. This is how keepalived's `net_namespace` works for the whole process,
 * and how tests open netlink sockets in a namespace they created.
 */
import * as fs from 'node:fs';
import { setNetworkNamespace } from './libc.js';

/** `name` is a namespace under /run/netns (as `ip netns add` makes) or a path to a namespace file. */
export function inNetworkNamespace<T>(name: string, fn: () => T): T {
  const path = name.includes('/') ? name : `/run/netns/${name}`;
  const home = fs.openSync('/proc/thread-self/ns/net', 'r');
  let target: number | undefined;
  try {
    target = fs.openSync(path, 'r');
    setNetworkNamespace(target);
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error('inNetworkNamespace: fn must be synchronous (the thread switches back when it returns)');
      return result;
    } finally {
      // if this fails the thread is stranded in the wrong namespace: nothing sensible can continue
      setNetworkNamespace(home);
    }
  } finally {
    if (target !== undefined) fs.closeSync(target);
    fs.closeSync(home);
  }
}
