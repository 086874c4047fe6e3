/**
 * The dump writer: files come out with mode 0600 whatever the umask, an existing file is replaced
 * atomically, a symlink at the target is replaced and never written through, failures are
 * returned (never thrown), and the paths follow keepalived's TMPDIR / data_use_instance rules.
 * Then the per-signal dumps (signal-dumps.ts) end to end into a temporary directory.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfigText } from '../../src/config/load.js';
import { dumpDirectory, dumpFilePath, writeDumpFile } from '../../src/daemon/dump-file.js';
import { writeSignalDump } from '../../src/daemon/signal-dumps.js';
import { snapshotEngine } from '../../src/daemon/vrrp-snapshot.js';
import { VrrpStatsBook } from '../../src/daemon/vrrp-stats.js';
import { engineFromConfig } from '../../src/vrrp/engine-from-config.js';

describe('writeDumpFile', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-dump-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the file with mode 0600 even under a permissive umask', () => {
    const target = path.join(dir, 'keepalived.stats');
    const old = process.umask(0o000);
    try {
      const r = writeDumpFile(target, 'VRRP Instance: VI_1\n');
      assert.deepEqual(r, { ok: true, path: target });
    } finally {
      process.umask(old);
    }
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(target, 'utf8'), 'VRRP Instance: VI_1\n');
  });

  it('replaces an existing file (new inode) and leaves no temporary file behind', () => {
    const target = path.join(dir, 'keepalived.json');
    fs.writeFileSync(target, 'old and longer content\n', { mode: 0o644 });
    const oldIno = fs.statSync(target).ino;
    assert.equal(writeDumpFile(target, '[]\n').ok, true);
    assert.equal(fs.readFileSync(target, 'utf8'), '[]\n');
    assert.notEqual(fs.statSync(target).ino, oldIno);
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('keepalived.json')), ['keepalived.json']);
  });

  it('replaces a symlink at the target instead of writing through it', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n', { mode: 0o644 });
    const target = path.join(dir, 'keepalived.data');
    fs.symlinkSync(victim, target);
    assert.equal(writeDumpFile(target, 'dump\n').ok, true);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(fs.lstatSync(target).isSymbolicLink(), false);
    assert.equal(fs.readFileSync(target, 'utf8'), 'dump\n');
    assert.equal(fs.statSync(victim).mode & 0o777, 0o644);
  });

  it('a dangling symlink at the target does not create the file it points to', () => {
    const pointee = path.join(dir, 'would-be-created');
    const target = path.join(dir, 'dangling.stats');
    fs.symlinkSync(pointee, target);
    assert.equal(writeDumpFile(target, 'x\n').ok, true);
    assert.equal(fs.existsSync(pointee), false);
    assert.equal(fs.lstatSync(target).isFile(), true);
  });

  it('reports a failure with the path and the reason instead of throwing', () => {
    const target = path.join(dir, 'no-such-dir', 'keepalived.stats');
    const r = writeDumpFile(target, 'x\n');
    assert.equal(r.ok, false);
    assert.equal(r.path, target);
    if (!r.ok) assert.match(r.error, /^ENOENT: /);
  });

  it('writes with another mode when asked (keepalived -u / umask)', () => {
    const target = path.join(dir, 'keepalived.mode');
    assert.equal(writeDumpFile(target, 'x\n', { mode: 0o640 }).ok, true);
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
  });
});

describe('dump paths', () => {
  it('uses $TMPDIR when absolute, else /tmp', () => {
    assert.equal(dumpDirectory({ TMPDIR: '/var/tmp/x' }), '/var/tmp/x');
    assert.equal(dumpDirectory({ TMPDIR: 'relative' }), '/tmp');
    assert.equal(dumpDirectory({}), '/tmp');
  });

  it('names the files as keepalived 2.2.7 does', () => {
    assert.equal(dumpFilePath('stats', { directory: '/tmp' }), '/tmp/keepalived.stats');
    assert.equal(dumpFilePath('json', { directory: '/tmp' }), '/tmp/keepalived.json');
    assert.equal(dumpFilePath('data', { directory: '/tmp' }), '/tmp/keepalived.data');
  });

  it('data_use_instance adds the namespace and instance name to the data dump only', () => {
    const o = { directory: '/tmp', dataUseInstance: true };
    assert.equal(dumpFilePath('data', { ...o, instanceName: 'lb1' }), '/tmp/keepalived.lb1.data');
    assert.equal(dumpFilePath('data', { ...o, netNamespace: 'blue' }), '/tmp/keepalived.blue.data');
    assert.equal(dumpFilePath('data', { ...o, netNamespace: 'blue', instanceName: 'lb1' }), '/tmp/keepalived.blue_lb1.data');
    assert.equal(dumpFilePath('data', { ...o }), '/tmp/keepalived.data');
    assert.equal(dumpFilePath('stats', { ...o, instanceName: 'lb1' }), '/tmp/keepalived.stats');
    assert.equal(dumpFilePath('data', { directory: '/tmp', instanceName: 'lb1' }), '/tmp/keepalived.data');
  });
});

describe('writeSignalDump', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-signal-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = loadConfigText('vrrp_instance VI_1 {\n interface a0\n virtual_router_id 1\n virtual_ipaddress {\n 10.1.1.1\n }\n}\n', {
    host: staticHostFacts({ interfaces: [{ name: 'a0', index: 2, up: true, loopback: false, multicast: true, mtu: 1500, ipv4: ['10.0.0.1'], ipv6: [] }] }),
  }).config;

  function setup() {
    const engine = engineFromConfig(config);
    const book = new VrrpStatsBook({ wallClockUs: () => 1_000_000 });
    book.recordActions(engine.start(0, { primaryAddress: { VI_1: '10.0.0.1' } }));
    book.stat('VI_1', 'advert_sent');
    const snapshot = () => snapshotEngine(engine, config, book, { coreNowUs: 0, wallNowUs: 1_000_000 });
    return { book, snapshot };
  }

  it('STATS writes keepalived.stats; STATS_CLEAR writes it, then zeroes the counters', () => {
    const { book, snapshot } = setup();
    const r1 = writeSignalDump('stats', { config, snapshot: snapshot(), book, directory: dir });
    assert.deepEqual(r1, { ok: true, path: `${dir}/keepalived.stats` });
    assert.match(fs.readFileSync(`${dir}/keepalived.stats`, 'utf8'), /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n {4}Sent: 1\n/);
    assert.equal(writeSignalDump('stats-clear', { config, snapshot: snapshot(), book, directory: dir })!.ok, true);
    assert.match(fs.readFileSync(`${dir}/keepalived.stats`, 'utf8'), / {4}Sent: 1\n/);
    assert.equal(book.stats('VI_1').advert_sent, 0);
  });

  it('a STATS_CLEAR that cannot write keeps the counters (keepalived clears while printing)', () => {
    const { book, snapshot } = setup();
    const r = writeSignalDump('stats-clear', { config, snapshot: snapshot(), book, directory: `${dir}/missing` });
    assert.equal(r!.ok, false);
    assert.equal(book.stats('VI_1').advert_sent, 1);
  });

  it('JSON and DATA write keepalived.json and keepalived.data, mode 0600; no JSON file without instances', () => {
    const { book, snapshot } = setup();
    assert.equal(writeSignalDump('json', { config, snapshot: snapshot(), book, directory: dir })!.ok, true);
    assert.equal(writeSignalDump('data', { config, snapshot: snapshot(), book, directory: dir })!.ok, true);
    assert.match(fs.readFileSync(`${dir}/keepalived.json`, 'utf8'), /^\[\{"data":\{"iname":"VI_1",/);
    assert.match(fs.readFileSync(`${dir}/keepalived.data`, 'utf8'), /^------< Global definitions >------\n[^]*\n VRRP Instance = VI_1\n/);
    for (const f of ['keepalived.json', 'keepalived.data']) assert.equal(fs.statSync(`${dir}/${f}`).mode & 0o777, 0o600);
    assert.equal(writeSignalDump('json', { config, snapshot: { instances: [], groups: [] }, book, directory: `${dir}/none` }), undefined);
  });
});
