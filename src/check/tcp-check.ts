/**
 * TCP_CHECK (check_tcp.c): one attempt is a non-blocking connect to the target, optionally from
 * bindto[:bind_port], given up after connect_timeout; connected means success and the socket is
 * closed at once. A failure to bind is not a verdict on the real server: keepalived logs "TCP
 * socket bind failed. Rescheduling." and tries again after delay_loop (an inconclusive outcome).
 *
 * Node's net.connect cannot set SO_MARK or SO_BINDTODEVICE: `bind_if` is honoured for IPv6
 * link-local targets through the scope id; `fwmark` and `bind_if` otherwise are not applied
 * (unsupportedTcpOptions() names them so the runtime can say so once).
 */
import net from 'node:net';
import type { CheckAttempt, CheckOutcome, CheckTarget, CheckerContext, CheckerFactory } from './checker-types.js';
import { registerChecker } from './checker-registry.js';

/** Connect errors that say the real server is unreachable (keepalived's connect_fail list and the async SO_ERROR case). */
const SOCKET_CREATION_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

function isLinkLocal6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** The host string for net.connect: link-local IPv6 needs the interface as scope id. */
function connectHost(target: CheckTarget): string {
  if (target.family === 'inet6' && target.bindInterface !== undefined && isLinkLocal6(target.address) && !target.address.includes('%'))
    return `${target.address}%${target.bindInterface}`;
  return target.address;
}

/** Target options this driver cannot apply (for a one-time warning). */
export function unsupportedTcpOptions(target: CheckTarget): string[] {
  const out: string[] = [];
  if (target.fwmark !== undefined) out.push('fwmark');
  if (target.bindInterface !== undefined && !(target.family === 'inet6' && isLinkLocal6(target.address))) out.push('bind_if');
  return out;
}

/** One TCP connect attempt against `target`. */
export function tcpConnectAttempt(target: CheckTarget, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise<CheckOutcome>((resolve) => {
    const where = target.family === 'inet6' ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
    let settled = false;
    let socket: net.Socket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: CheckOutcome): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      socket = net.connect({
        host: connectHost(target),
        port: target.port,
        family: target.family === 'inet6' ? 6 : 4,
        ...(target.bindAddress !== undefined ? { localAddress: target.bindAddress } : {}),
        ...(target.bindPort !== undefined ? { localPort: target.bindPort } : {}),
      });
    } catch (e) {
      return finish({ ok: false, inconclusive: true, reason: `TCP connect fail to create socket. Rescheduling. (${(e as Error).message})` });
    }
    socket.once('connect', () => finish({ ok: true, reason: `connected to ${where}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.syscall === 'bind' || (target.bindAddress !== undefined && err.code === 'EADDRNOTAVAIL'))
        return finish({ ok: false, inconclusive: true, reason: 'TCP socket bind failed. Rescheduling.' });
      if (err.code !== undefined && SOCKET_CREATION_ERRORS.has(err.code))
        return finish({ ok: false, inconclusive: true, reason: 'TCP connect fail to create socket. Rescheduling.' });
      finish({ ok: false, reason: `connect to ${where} failed: ${err.code ?? err.message}` });
    });
    const ms = Math.max(1, Math.ceil(target.connectTimeout / 1000));
    timer = setTimeout(() => finish({ ok: false, timedOut: true, reason: `connect to ${where} timed out` }), ms);
  });
}

export const tcpCheckerFactory: CheckerFactory = (ctx: CheckerContext): CheckAttempt => ({
  run: (signal) => tcpConnectAttempt(ctx.target, signal),
});

registerChecker('TCP_CHECK', tcpCheckerFactory);
