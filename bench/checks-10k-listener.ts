/**
 * The listeners of bench/checks-10k.ts: `--ports` stream sockets bound to 0.0.0.0 (so each serves
 * every 127.1.x.y real server on its port) that accept every connection and close it at once with
 * an ordinary FIN. A reset instead (what HAProxy's `tcp-request connection reject` sends) can reach
 * the checker before it looks at its socket, and keepalived's check then reads ECONNRESET from
 * SO_ERROR and fails. Sockets through libc and readiness through libuv: a few µs per connection, so
 * the listener takes little of the CPU both checkers share. Prints "ready" once listening; runs
 * until killed.
 *
 *   node dist/bench/checks-10k-listener.js --ports 100 --base-port 20000
 */
import { watchReadable } from '../src/platform/linux/fd-poller.js';
import { AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, acceptConnection, bindTo, closeFd, listenOn, setsockoptInt, sockaddrIn, socket } from '../src/platform/linux/libc.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const ports = Number(arg('--ports', '100'));
const basePort = Number(arg('--base-port', '20000'));

for (let p = basePort; p < basePort + ports; p++) {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  bindTo(fd, sockaddrIn(new Uint8Array(4), p));
  listenOn(fd, 4096);
  watchReadable(fd, () => {
    for (;;) {
      const c = acceptConnection(fd);
      if (c === undefined) return;
      closeFd(c);
    }
  });
}
process.stdout.write('ready\n');
