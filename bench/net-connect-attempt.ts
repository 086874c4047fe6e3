/**
 * The TCP_CHECK attempt as it was before it moved to libc (node:net.connect), kept only so that
 * bench/checks-10k.ts can measure both on the same run (`--checker net`). Same outcomes for the
 * plain case (no fwmark, no bind_if); not used by the daemon.
 */
import net from 'node:net';
import type { CheckOutcome, CheckTarget } from '../src/check/checker-types.js';

export function netConnectAttempt(target: CheckTarget, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise<CheckOutcome>((resolve) => {
    const where = `${target.address}:${target.port}`;
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
    socket = net.connect({ host: target.address, port: target.port, family: target.family === 'inet6' ? 6 : 4 });
    socket.once('connect', () => finish({ ok: true, reason: `connected to ${where}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, reason: `connect to ${where} failed: ${err.code ?? err.message}` }));
    timer = setTimeout(() => finish({ ok: false, timedOut: true, reason: `connect to ${where} timed out` }), Math.max(1, Math.ceil(target.connectTimeout / 1000)));
  });
}
