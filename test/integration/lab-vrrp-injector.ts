/**
 * A packet injector for the integration lab, run inside a node's namespace:
 *
 *   ip netns exec NS node lab-vrrp-injector.js --inject SPEC.json
 *
 * It sends whole IPv4 packets (IP header included: IP_HDRINCL on a raw socket for protocol 112)
 * out of one interface to a destination, so a test can put on the wire exactly the bytes it
 * crafted — wrong TTLs, bad checksums, truncated or garbage VRRP — which no ordinary socket
 * would send. The frames go round-robin, `rounds` times, spread over about `durationMs`, and at
 * the end one JSON line reports how many of each kind went out.
 *
 * Without --inject it does nothing (the test runner loads every file under dist/test).
 */
import * as fs from 'node:fs';
import {
  AF_INET,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IPPROTO_IP,
  SOCK_RAW,
  bindToDevice,
  closeFd,
  ifNameToIndex,
  ipMreqn,
  setsockoptBytes,
  setsockoptInt,
  sendTo,
  sockaddrIn,
  socket,
} from '../../src/platform/linux/libc.js';

export interface InjectionSpec {
  readonly ifname: string;
  /** Where every frame is sent (the IP header's own destination should match it). */
  readonly destination: string;
  readonly frames: readonly { readonly kind: string; readonly hex: string }[];
  readonly rounds: number;
  readonly durationMs: number;
}

export interface InjectionReport {
  /** Frames the kernel accepted, by kind. */
  readonly sent: Record<string, number>;
  /** Frames the kernel refused (full queue), by kind: they never reached the wire. */
  readonly refused: Record<string, number>;
  readonly elapsedMs: number;
}

const IPPROTO_VRRP = 112;

function addressBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

async function inject(spec: InjectionSpec): Promise<InjectionReport> {
  const fd = socket(AF_INET, SOCK_RAW, IPPROTO_VRRP);
  const sent: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const began = performance.now();
  try {
    setsockoptInt(fd, IPPROTO_IP, IP_HDRINCL, 1);
    bindToDevice(fd, spec.ifname);
    /* A multicast destination needs an outgoing interface: the namespace has no multicast route. */
    setsockoptBytes(fd, IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(null, ifNameToIndex(spec.ifname)));
    setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    const to = sockaddrIn(addressBytes(spec.destination));
    const frames = spec.frames.map((f) => ({ kind: f.kind, bytes: Buffer.from(f.hex, 'hex') }));
    for (const f of frames) {
      sent[f.kind] ??= 0;
      refused[f.kind] ??= 0;
    }
    const pauseMs = spec.durationMs / Math.max(1, spec.rounds);
    for (let round = 0; round < spec.rounds; round++) {
      for (const f of frames) {
        const r = sendTo(fd, f.bytes, to);
        if (typeof r === 'number') sent[f.kind]!++;
        else refused[f.kind]!++;
      }
      /* Pace against the clock, so a slow round does not stretch the whole flood. */
      const due = began + (round + 1) * pauseMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  } finally {
    closeFd(fd);
  }
  return { sent, refused, elapsedMs: Math.round(performance.now() - began) };
}

const at = process.argv.indexOf('--inject');
if (at >= 0) {
  const file = process.argv[at + 1];
  if (!file) {
    process.stderr.write('usage: lab-vrrp-injector.js --inject SPEC.json\n');
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as InjectionSpec;
  inject(spec).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (e: Error) => {
      process.stderr.write(`injector: ${e.message}\n`);
      process.exit(1);
    },
  );
}
