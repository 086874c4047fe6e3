/**
 * Runs one PING_CHECK or UDP_CHECK attempt and prints its outcome as JSON. The tests start this
 * inside a test namespace (`ip netns exec`): sockets belong to the namespace of their process.
 * With `echo`, it first opens a UDP echo server in the same namespace and aims the check at it.
 * These checkers read only the target (and UDP_CHECK its payload/reply fields), so the context's
 * config objects are minimal stand-ins.
 */
import * as dgram from 'node:dgram';
import { createPingCheck, type PingSocketKind } from '../../src/check/ping-check.js';
import { createUdpCheck } from '../../src/check/udp-check.js';
import type { CheckerContext, CheckTarget } from '../../src/check/checker-types.js';

interface ProbeArgs {
  checker: 'ping' | 'udp';
  address: string;
  port?: number;
  timeoutUs: number;
  kinds?: PingSocketKind[];
  bindInterface?: string;
  fwmark?: number;
  /** Start a UDP echo server on this address (with %iface for link-local) first. */
  echo?: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ProbeArgs;
const family = args.address.includes(':') ? 'inet6' : 'inet';
let port = args.port ?? 0;
let server: dgram.Socket | undefined;
if (args.echo !== undefined) {
  const s = dgram.createSocket(family === 'inet' ? 'udp4' : 'udp6');
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, args.echo, r));
  port = s.address().port;
  server = s;
}
const target: CheckTarget = {
  family,
  address: args.address,
  port,
  connectTimeout: args.timeoutUs,
  ...(args.bindInterface !== undefined ? { bindInterface: args.bindInterface } : {}),
  ...(args.fwmark !== undefined ? { fwmark: args.fwmark } : {}),
};
const ctx = {
  checker:
    args.checker === 'ping'
      ? { type: 'PING_CHECK' }
      : { type: 'UDP_CHECK', payload: '6b61', requireReply: true, replyData: '6b61', minReplyLength: 0, maxReplyLength: 255 },
  realServer: {},
  virtualServer: {},
  target,
} as unknown as CheckerContext;
const attempt = args.checker === 'ping' ? createPingCheck(ctx, args.kinds ? { socketKinds: args.kinds } : {}) : createUdpCheck(ctx);
const outcome = await attempt.run(new AbortController().signal);
server?.close();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
