/**
 * PING_CHECK (check_ping.c): one ICMP / ICMPv6 echo to the real server; healthy when the matching
 * echo reply arrives within connect_timeout.
 *
 * Socket: the unprivileged "ping socket" (SOCK_DGRAM + IPPROTO_ICMP[V6]) when the process's group
 * is inside net.ipv4.ping_group_range (keepalived widens that sysctl; the daemon may too), else a
 * raw ICMP socket (needs CAP_NET_RAW). On a ping socket the kernel owns the echo id and delivers
 * only replies carrying it; on a raw socket every ICMP message from the peer arrives, so the
 * reply is matched on id, sequence and payload and anything else is ignored.
 */
import { randomInt } from 'node:crypto';
import { EACCES, EPERM, SyscallError } from '../platform/linux/libc.js';
import { registerChecker } from './checker-registry.js';
import type { CheckAttempt, CheckerContext, CheckOutcome } from './checker-types.js';
import { ABORTED, exchangeDatagram, openConnectedSocket, timeoutMs } from './datagram-exchange.js';
import { buildEchoRequest, ECHO_PAYLOAD_LENGTH, isEchoReplyTo, parseIcmpMessage, type EchoRequest } from './icmp-echo.js';
import { fillerBytes } from './udp-check.js';

export type PingSocketKind = 'ping' | 'raw-icmp';

export interface PingCheckOptions {
  /** Socket kinds tried in order (default: ping socket, then raw). */
  readonly socketKinds?: readonly PingSocketKind[];
  /** Sees every datagram that was not our reply (tests, diagnostics). */
  readonly onIgnored?: (why: string) => void;
}

const EAFNOSUPPORT = 97;
const EPROTONOSUPPORT = 93;
/** Errors that mean "this kind of socket is not available to us", so the next kind is worth a try. */
const TRY_NEXT_KIND = new Set([EACCES, EPERM, EAFNOSUPPORT, EPROTONOSUPPORT]);
/** Enough for the largest IPv4 header, the echo header and our payload. */
const RECEIVE_BUFFER = 60 + 8 + ECHO_PAYLOAD_LENGTH + 64;

let nextSequence = randomInt(0, 0x10000);
const payload = fillerBytes(ECHO_PAYLOAD_LENGTH);

export function createPingCheck(ctx: CheckerContext, options: PingCheckOptions = {}): CheckAttempt {
  const target = ctx.target;
  const kinds = options.socketKinds ?? ['ping', 'raw-icmp'];
  const icmpName = target.family === 'inet' ? 'ICMP' : 'ICMPv6';
  return {
    async run(signal: AbortSignal): Promise<CheckOutcome> {
      if (signal.aborted) return ABORTED;
      const ends = { ...target, port: 0 };
      let fd: number | undefined;
      let kind: PingSocketKind | undefined;
      const refusals: string[] = [];
      let lastError: SyscallError | undefined;
      for (const k of kinds) {
        try {
          fd = openConnectedSocket(k, ends);
          kind = k;
          break;
        } catch (e) {
          if (!(e instanceof SyscallError)) return { ok: false, reason: `${icmpName} socket: ${(e as Error).message}` };
          refusals.push(`${k}: ${e.code}`);
          lastError = e;
          if (!TRY_NEXT_KIND.has(e.errno)) break;
        }
      }
      if (fd === undefined || kind === undefined) {
        if (lastError && !TRY_NEXT_KIND.has(lastError.errno)) {
          return { ok: false, reason: `${icmpName} connection to ${target.address} failed: ${lastError.code}` };
        }
        return {
          ok: false,
          reason: `${icmpName} connect fail to create socket (${refusals.join(', ')}): needs net.ipv4.ping_group_range to include our group, or CAP_NET_RAW`,
        };
      }
      const request: EchoRequest = { id: randomInt(0, 0x10000), sequence: nextSequence, payload };
      nextSequence = (nextSequence + 1) & 0xffff;
      const withIpHeader = kind === 'raw-icmp' && target.family === 'inet';
      return exchangeDatagram(fd, buildEchoRequest(target.family, request), { timeoutMs: timeoutMs(target.connectTimeout), signal, maxDatagram: RECEIVE_BUFFER }, {
        onDatagram(data) {
          const msg = parseIcmpMessage(data, withIpHeader);
          if (typeof msg === 'string') {
            options.onIgnored?.(msg);
            return undefined;
          }
          if (isEchoReplyTo(target.family, msg, request, kind === 'raw-icmp')) return { ok: true, reason: `${icmpName} echo reply from ${target.address}` };
          options.onIgnored?.(`${icmpName} type ${msg.type} code ${msg.code} id ${msg.id} seq ${msg.sequence} is not our reply`);
          return undefined;
        },
        onError(error) {
          return { ok: false, reason: `${icmpName} connection to ${target.address} failed: ${error.code}` };
        },
        onTimeout() {
          return { ok: false, reason: `${icmpName} connection to address ${target.address} timeout` };
        },
      });
    },
  };
}

registerChecker('PING_CHECK', (ctx) => createPingCheck(ctx));
