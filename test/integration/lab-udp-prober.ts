/**
 * Client-side prober for failover measurements (lab.ts `probeVip`). Runs inside the client
 * namespace: `node lab-udp-prober.js VIP PORT EVERY_MS TIMEOUT_MS`. Every EVERY_MS it sends one
 * datagram to VIP:PORT (answered by lab-udp-echo.ts on whichever director holds the VIP) and
 * prints one JSON line per probe once its fate is known:
 *   {"seq":7,"sentAt":1712345678901.25,"ok":true,"rttMs":0.41,"responder":"d1"}
 *   {"seq":8,"sentAt":1712345678951.30,"ok":false,"error":"timeout"}
 * `sentAt` is wall-clock epoch milliseconds (performance.timeOrigin + now), comparable with the
 * test process's `epochMs()`. A reply arriving after TIMEOUT_MS counts as lost, because a client
 * waiting that long has already seen an outage. Probes still pending at SIGTERM are not printed.
 * The first line is `{"ready":true}`.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

const [vip = '', portText = '', everyText = '', timeoutText = ''] = process.argv.slice(2);
const port = Number(portText);
const everyMs = Number(everyText);
const timeoutMs = Number(timeoutText);
if (!vip || !Number.isInteger(port) || !(everyMs > 0) || !(timeoutMs > 0)) {
  process.stderr.write(`usage: lab-udp-prober VIP PORT EVERY_MS TIMEOUT_MS (got ${process.argv.slice(2).join(' ')})\n`);
  process.exit(2);
}

const epochMs = (): number => performance.timeOrigin + performance.now();
/* A per-run token so that a late reply from an earlier prober can never be taken for ours. */
const token = randomBytes(4);
const pending = new Map<number, { sentAt: number; timer: NodeJS.Timeout }>();
const socket = dgram.createSocket(vip.includes(':') ? 'udp6' : 'udp4');
let seq = 0;

function report(record: object): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

socket.on('error', (err) => process.stderr.write(`lab-udp-prober: ${err.message}\n`));
socket.on('message', (msg) => {
  const receivedAt = epochMs();
  if (msg.length < 8 || !msg.subarray(4, 8).equals(token)) return;
  const n = msg.readUInt32BE(0);
  const probe = pending.get(n);
  if (!probe) return;
  clearTimeout(probe.timer);
  pending.delete(n);
  const responder = msg.subarray(8).toString('utf8');
  report({ seq: n, sentAt: probe.sentAt, ok: true, rttMs: Math.round((receivedAt - probe.sentAt) * 1000) / 1000, responder });
});

function fail(n: number, error: string): void {
  const probe = pending.get(n);
  if (!probe) return;
  clearTimeout(probe.timer);
  pending.delete(n);
  report({ seq: n, sentAt: probe.sentAt, ok: false, error });
}

function sendProbe(): void {
  const n = ++seq;
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(n >>> 0, 0);
  token.copy(payload, 4);
  const sentAt = epochMs();
  pending.set(n, { sentAt, timer: setTimeout(() => fail(n, 'timeout'), timeoutMs) });
  socket.send(payload, port, vip, (err) => {
    if (err) fail(n, (err as NodeJS.ErrnoException).code ?? err.message);
  });
}

socket.bind(0, () => {
  report({ ready: true });
  sendProbe();
  setInterval(sendProbe, everyMs);
});
process.on('SIGTERM', () => process.exit(0));
