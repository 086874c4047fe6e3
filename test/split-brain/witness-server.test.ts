/** The witness over real UDP on the loopback (no root needed): the lease table behind a socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WitnessServer } from '../../src/witness/witness-server.js';
import { openUdpEndpoint } from '../../src/platform/linux/udp-endpoint.js';
import { decodeMessage, encodeMessage, type SplitBrainMessage } from '../../src/split-brain/messages.js';
import { parseListen, runWitness } from '../../src/cli/witness.js';

const SECRET = 'loopback-secret';

async function client() {
  const inbox: SplitBrainMessage[] = [];
  let wake: (() => void) | undefined;
  const ep = await openUdpEndpoint({
    host: '127.0.0.1',
    port: 0,
    onMessage: (bytes) => {
      const r = decodeMessage(bytes, SECRET);
      if (r.ok) inbox.push(r.message);
      wake?.();
    },
  });
  const next = async (): Promise<SplitBrainMessage> => {
    for (let i = 0; i < 100 && !inbox.length; i++) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
    const m = inbox.shift();
    if (!m) throw new Error('no reply from the witness');
    return m;
  };
  return { ep, next };
}

test('the witness answers requests over UDP, one holder at a time, and drops junk', async () => {
  let now = 0;
  const lines: string[] = [];
  const server = new WitnessServer({ host: '127.0.0.1', port: 0, secret: SECRET, maxLeaseUs: 5_000_000, now: () => now, log: (l) => lines.push(l) });
  const { port } = await server.start();
  const a = await client();
  const b = await client();
  try {
    const req = (node: string, nonce: string) => encodeMessage({ type: 'request', group: 'v4/51', node, nonce, lease: 3_000_000 }, SECRET);
    a.ep.send('127.0.0.1', port, req('A', 'a1'));
    assert.deepEqual(await a.next(), { type: 'deny', group: 'v4/51', node: 'A', nonce: 'a1', holder: '', remaining: 5_000_000 });
    now = 5_000_000;
    a.ep.send('127.0.0.1', port, req('A', 'a2'));
    assert.deepEqual(await a.next(), { type: 'grant', group: 'v4/51', node: 'A', nonce: 'a2', lease: 3_000_000 });
    now = 6_000_000;
    b.ep.send('127.0.0.1', port, req('B', 'b1'));
    assert.deepEqual(await b.next(), { type: 'deny', group: 'v4/51', node: 'B', nonce: 'b1', holder: 'A', remaining: 2_000_000 });
    a.ep.send('127.0.0.1', port, encodeMessage({ type: 'release', group: 'v4/51', node: 'A' }, SECRET));
    // junk and a forged message (wrong secret) are dropped without a reply
    b.ep.send('127.0.0.1', port, new Uint8Array([1, 2, 3]));
    b.ep.send('127.0.0.1', port, encodeMessage({ type: 'request', group: 'v4/51', node: 'B', nonce: 'x', lease: 1 }, 'wrong-secret'));
    b.ep.send('127.0.0.1', port, req('B', 'b2'));
    assert.deepEqual(await b.next(), { type: 'grant', group: 'v4/51', node: 'B', nonce: 'b2', lease: 3_000_000 });
    assert.deepEqual(server.counters, { received: 7, replies: 4, released: 1, rejected: { short: 1, auth: 1 } });
    assert.deepEqual(server.leases(), [{ group: 'v4/51', holder: 'B', remaining: 3_000_000 }]);
    assert.deepEqual(lines.slice(1), ['witness: v4/51 granted to A for 3s', 'witness: v4/51 released by A', 'witness: v4/51 granted to B for 3s']);
    assert.ok(lines.every((l) => !l.includes(SECRET)));
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});

test('keepalived-ts witness: --listen forms, the secret file, clean stop on SIGTERM', async () => {
  assert.deepEqual(parseListen('10.0.0.9:7788'), { host: '10.0.0.9', port: 7788 });
  assert.deepEqual(parseListen('[fd00::9]:7788'), { host: 'fd00::9', port: 7788 });
  assert.deepEqual(parseListen(':7788'), { host: '0.0.0.0', port: 7788 });
  assert.equal(parseListen('10.0.0.9'), undefined);
  assert.equal(parseListen('10.0.0.9:70000'), undefined);

  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
  assert.equal(await runWitness(['--listen', '127.0.0.1:7788'], io, new EventEmitter()), 1);
  assert.match(err.join(''), /no secret/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-witness-'));
  try {
    const file = path.join(dir, 'secret');
    fs.writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const signals = new EventEmitter();
    const port = 20000 + Math.floor(Math.random() * 30000);
    const run = runWitness(['--listen', `127.0.0.1:${port}`, `--secret-file=${file}`, '--max-lease', '0.5'], io, signals);
    for (let i = 0; i < 100 && !out.join('').includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(out.join(''), new RegExp(`^witness: listening on 127\\.0\\.0\\.1:${port}; no grants for the first 0\\.5s`));
    signals.emit('SIGTERM');
    assert.equal(await run, 0);
    assert.match(out.join(''), /witness: stopped\n$/);
    assert.ok(!out.join('').includes(SECRET));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
