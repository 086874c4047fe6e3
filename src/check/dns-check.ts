/**
 * DNS_CHECK: one query over UDP to the real server; healthy when a response with our id arrives
 * with RCODE 0 within connect_timeout (check_dns.c). Retries are the scheduler's (DNS_CHECK's
 * default retry is 3). Each attempt uses a fresh socket and a fresh random id.
 */
import { randomInt } from 'node:crypto';
import type { DnsChecker } from '../config/model/lvs.js';
import { registerChecker } from './checker-registry.js';
import type { CheckAttempt, CheckerContext, CheckOutcome } from './checker-types.js';
import { exchangeDatagram, openConnectedSocket, timeoutMs, ABORTED } from './datagram-exchange.js';
import { buildDnsQuery, DNS_RECEIVE_BUFFER, judgeDnsReply } from './dns-message.js';
import { SyscallError } from '../platform/linux/libc.js';

/** A datagram-level hook for tests and diagnostics: every ignored datagram and why. */
export interface DnsCheckObserver {
  ignored?(why: string): void;
}

export function createDnsCheck(ctx: CheckerContext, observer: DnsCheckObserver = {}): CheckAttempt {
  const checker = ctx.checker as DnsChecker;
  const target = ctx.target;
  return {
    async run(signal: AbortSignal): Promise<CheckOutcome> {
      if (signal.aborted) return ABORTED;
      const id = randomInt(0, 0x10000);
      let query: Buffer;
      try {
        query = buildDnsQuery(id, checker.name, checker.queryType);
      } catch (e) {
        return { ok: false, reason: (e as Error).message };
      }
      let fd: number;
      try {
        fd = openConnectedSocket('udp', target);
      } catch (e) {
        return { ok: false, reason: `connection error: ${(e as Error).message}` };
      }
      return exchangeDatagram(fd, query, { timeoutMs: timeoutMs(target.connectTimeout), signal, maxDatagram: DNS_RECEIVE_BUFFER }, {
        onDatagram(data) {
          const verdict = judgeDnsReply(id, data);
          if (verdict.kind === 'ok') return { ok: true, reason: `${checker.queryType} query answered` };
          if (verdict.kind === 'error') return { ok: false, reason: `read error occurred. (rcode = ${verdict.rcode})` };
          observer.ignored?.(verdict.why);
          return undefined;
        },
        onError(error: SyscallError) {
          return { ok: false, reason: `failed to read socket; errno ${error.errno} (${error.code})` };
        },
        onTimeout() {
          return { ok: false, reason: 'read timeout from socket' };
        },
      });
    },
  };
}

registerChecker('DNS_CHECK', (ctx) => createDnsCheck(ctx));
