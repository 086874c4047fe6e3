/**
 * Two keepalived-ts directors and a `keepalived-ts witness` in network namespaces (root): cut the
 * director-director path with nft drops (every packet between them, VRRP and votes) — the master
 * keeps the VIP with the witness's lease and the backup never takes it (no dual master); cut the
 * master from everything — it releases before its lease ends and the other takes over after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason, runOk } from './lab.js';
import { configText, instanceBlock, startKts } from './daemon-lab.js';
import { CLI } from './netns.js';

const skip = labSkipReason();
const SECRET = 'witness-pair-secret';
const PORT = 7788;
const CUT_TABLE = 'kts_witness_cut';

/** `node` drops every packet from each of `from` (by address and MAC), with an nft table of its own. */
async function dropFrom(lab: Lab, node: string, from: readonly string[]): Promise<void> {
  const rules = from.flatMap((f) => [
    `add rule inet ${CUT_TABLE} input ip saddr ${lab.addr4(f)} counter drop`,
    `add rule inet ${CUT_TABLE} input ether saddr ${lab.mac(f)} counter drop`,
  ]);
  const script = [`add table inet ${CUT_TABLE}`, `add chain inet ${CUT_TABLE} input { type filter hook input priority -10; policy accept; }`, ...rules, ''].join('\n');
  await runOk('ip', ['netns', 'exec', lab.ns(node).name, 'nft', '-f', '-'], { input: script });
}

async function healAll(lab: Lab, nodes: readonly string[]): Promise<void> {
  for (const n of nodes) await runOk('ip', ['netns', 'exec', lab.ns(n).name, 'sh', '-c', `nft delete table inet ${CUT_TABLE} 2>/dev/null || true`]);
}

/** Sample who holds the VIP every ~50 ms until `stop()`; returns the samples with two holders. */
function watchHolders(lab: Lab, vip: string) {
  const dual: number[] = [];
  const seen: string[][] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [a, b] = await Promise.all([lab.hasAddress('d1', vip), lab.hasAddress('d2', vip)]);
      const holders = [...(a ? ['d1'] : []), ...(b ? ['d2'] : [])];
      seen.push(holders);
      if (holders.length > 1) dual.push(Date.now());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { dual, seen };
    },
  };
}

test('with a witness: no dual master when the heartbeat is cut; an isolated master releases and the other takes over', { skip }, async () => {
  const lab = await Lab.create({ nodes: ['d1', 'd2', 'w'], ipv6: false });
  try {
    const vip = lab.v4(200);
    const secretFile = lab.writeFile('witness.secret', `${SECRET}\n`, 0o600);
    const witness = lab.startProcess('w', [process.execPath, CLI, 'witness', '--listen', `${lab.addr4('w')}:${PORT}`, '--secret-file', secretFile, '--max-lease', '3']);
    await witness.waitForLog(/witness: listening on/, 15_000);
    const global = (peer: string) => [`witness ${lab.addr4('w')} ${PORT}`, `witness_secret ${SECRET}`, 'vote_peers {', `    ${lab.addr4(peer)}`, '}'];
    const d1 = startKts(lab, 'd1', configText([instanceBlock({ priority: 150, vips: [`${vip}/24`] })], global('d2')));
    const d2 = startKts(lab, 'd2', configText([instanceBlock({ priority: 100, vips: [`${vip}/24`] })], global('d1')));
    await d1.process.waitForLog(/\(VI_1\) Entering MASTER STATE/, 20_000);
    await lab.waitForVip('d1', vip, true);
    const s1 = (await d1.status()).instances[0]!;
    assert.equal(s1.majority?.held, true);
    assert.equal(s1.majority?.group, 'v4/51');
    assert.equal(s1.majority?.needed, 2);

    // 1. cut d1 <-> d2 completely (VRRP and votes); both still reach the witness
    const watch = watchHolders(lab, vip);
    await dropFrom(lab, 'd1', ['d2']);
    await dropFrom(lab, 'd2', ['d1']);
    await d2.process.waitForLog(/no majority of votes - staying BACKUP/, 20_000);
    await new Promise((r) => setTimeout(r, 6000));
    const cut = await watch.stop();
    assert.deepEqual(cut.dual, [], 'no instant with the VIP on both directors');
    assert.ok(cut.seen.every((h) => h.length === 1 && h[0] === 'd1'), 'd1 kept serving throughout');
    const during1 = (await d1.status()).instances[0]!;
    const during2 = (await d2.status()).instances[0]!;
    assert.equal(during1.state, 'MASTER');
    assert.equal(during1.majority?.held, true);
    assert.notEqual(during1.majority?.witness?.lease, null);
    assert.equal(during2.state, 'BACKUP');
    assert.equal(during2.majority?.held, false);
    assert.equal(during2.majority?.witness?.holder, lab.addr4('d1'));
    await healAll(lab, ['d1', 'd2']);

    // 2. d1 loses everything: it releases, then d2 takes over
    await new Promise((r) => setTimeout(r, 3000));
    const watch2 = watchHolders(lab, vip);
    const from = d1.process.lines.length;
    await dropFrom(lab, 'd1', ['d2', 'w']);
    await dropFrom(lab, 'd2', ['d1']);
    await dropFrom(lab, 'w', ['d1']);
    await d1.process.waitForLog(/lost the majority of votes .* - releasing the VIPs/, 20_000, from);
    await lab.waitForVip('d2', vip, true, 20_000);
    const iso = await watch2.stop();
    assert.deepEqual(iso.dual, [], 'the isolated master released before the other took over');
    assert.equal(await lab.hasAddress('d1', vip), false);
    assert.ok(![...d1.process.lines, ...d2.process.lines, ...witness.lines].some((l) => l.includes(SECRET)), 'the secret is never logged');
    await healAll(lab, ['d1', 'd2', 'w']);
  } finally {
    await healAll(lab, ['d1', 'd2', 'w']).catch(() => {});
    await lab.destroy();
  }
});
