/**
 * Client-side VRRP flood for the socket soak: `node vrrp-flooder.js IFNAME SRC PPS SPEC…` runs in
 * the client's namespace and multicasts VRRPv3 IPv4 adverts at PPS packets per second, cycling
 * over the SPECs `vrid:priority:advertIntCs:vip[,vip…]` (one packet per spec in turn). It sends
 * through keepalived-ts's own VrrpSocket, so the packets are byte for byte what a keepalived-ts
 * master sends. Prints `{"ready":true}`, then every 10 s and at SIGTERM one line
 * `{"sent":N,"sendErrors":M,"elapsedMs":T}`.
 */
import { VrrpSocket } from '../src/platform/linux/vrrp-socket.js';
import { encodeIPv4Advert, VRRP_MCAST_GROUP4 } from '../src/vrrp/packet.js';

const [ifname = '', src = '', ppsText = '', ...specTexts] = process.argv.slice(2);
const pps = Number(ppsText);
if (!ifname || !src || !(pps > 0) || specTexts.length === 0) {
  process.stderr.write(`usage: vrrp-flooder IFNAME SRC PPS vrid:prio:intCs:vip[,vip…]… (got ${process.argv.slice(2).join(' ')})\n`);
  process.exit(2);
}

interface Spec {
  readonly vrid: number;
  readonly priority: number;
  readonly advertIntUs: number;
  readonly vips: string[];
}

const specs: Spec[] = specTexts.map((t) => {
  const [vrid, prio, intCs, vips] = t.split(':');
  const s = { vrid: Number(vrid), priority: Number(prio), advertIntUs: Number(intCs) * 10_000, vips: (vips ?? '').split(',').filter((v) => v !== '') };
  if (!(s.vrid >= 1 && s.vrid <= 255) || !(s.priority >= 0 && s.priority <= 255) || !(s.advertIntUs > 0) || s.vips.length === 0) {
    process.stderr.write(`vrrp-flooder: bad spec ${t}\n`);
    process.exit(2);
  }
  return s;
});

const socket = VrrpSocket.open({ family: 'inet', ifname });
let ipId = 0;
/* Prebuilt packets would repeat the IP id; keepalived's receivers do not care, but build each anyway so the sender costs what a real one does. */
function packet(spec: Spec): Uint8Array {
  ipId = (ipId % 0xffff) + 1;
  return encodeIPv4Advert({ version: 3, family: 'inet', vrid: spec.vrid, priority: spec.priority, advertIntUs: spec.advertIntUs, addresses: spec.vips, src, dst: VRRP_MCAST_GROUP4, ipId });
}

const startedAt = performance.now();
let sent = 0;
let next = 0;
function report(): void {
  process.stdout.write(`${JSON.stringify({ sent: socket.counters.sent, sendErrors: socket.counters.sendErrors, elapsedMs: Math.round(performance.now() - startedAt) })}\n`);
}

/* Catch up to the packets owed by now on each tick, so timer lateness lowers burst spacing, not the rate. */
function tick(): void {
  const owed = Math.floor(((performance.now() - startedAt) * pps) / 1000);
  for (let budget = 1000; sent < owed && budget > 0; budget--) {
    socket.send({ destination: VRRP_MCAST_GROUP4, ttl: 255, payload: packet(specs[next]!) });
    next = (next + 1) % specs.length;
    sent++;
  }
}

process.stdout.write('{"ready":true}\n');
setInterval(tick, 5);
setInterval(report, 10_000);
process.on('SIGTERM', () => {
  report();
  socket.close();
  process.exit(0);
});
