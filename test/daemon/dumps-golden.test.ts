/**
 * The dump formatters against the files keepalived 2.2.7 wrote for the same config and state
 * (test/fixtures/dumps, see capture.sh). The static part of every instance comes from loading the
 * captured keepalived.conf with our own config loader; the dynamic part (states, counters, times,
 * timers, sockets) is read from keepalived's own dumps. The outputs must then match byte for byte,
 * apart from the documented differences:
 *  - secrets are masked (keepalived prints auth_pass in keepalived.json and keepalived.data);
 *  - scripts show the path as configured (keepalived resolves symlinks with realpath(): HostFacts
 *    has no realpath, so /bin/true stays /bin/true instead of /usr/bin/true);
 *  - the data dump leaves out keepalived's internals (libnftnl version, socket pool, interfaces).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { MASK } from '../../src/config/dump.js';
import { staticHostFacts, type FileFacts } from '../../src/config/host-facts.js';
import { loadConfigText } from '../../src/config/load.js';
import type { KeepalivedConfig } from '../../src/config/model/index.js';
import { utcTimeZone } from '../../src/daemon/c-format.js';
import { formatDataDump } from '../../src/daemon/data-dump.js';
import { formatJsonDump } from '../../src/daemon/json-dump.js';
import { formatStatsFile } from '../../src/daemon/stats-file.js';
import type { SyncGroupSnapshot, VrrpInstanceSnapshot } from '../../src/daemon/vrrp-snapshot.js';
import { newInstanceStats, VrrpStatsBook, type VrrpInstanceStats } from '../../src/daemon/vrrp-stats.js';
import { deriveInstanceSettings } from '../../src/vrrp/instance-settings.js';
import type { VrrpStateName } from '../../src/vrrp/instance-types.js';

const DIR = new URL('../../../test/fixtures/dumps/', import.meta.url).pathname;
/** The scenarios of capture.sh. */
const SCENARIOS = ['two-nodes', 'features'] as const;

const dir = (mode = 0o755): FileFacts => ({ exists: true, isFile: false, isDirectory: true, mode, uid: 0, gid: 0 });
const file = (mode = 0o755): FileFacts => ({ exists: true, isFile: true, isDirectory: false, mode, uid: 0, gid: 0 });

/** Host A of capture.sh, as far as the config checks look at it. */
const HOST = staticHostFacts({
  // the capture machine's name: keepalived's default smtp_helo_name
  hostname: 'vm',
  interfaces: [
    { name: 'lo', index: 1, up: true, loopback: true, multicast: false, mtu: 65536, ipv4: ['127.0.0.1'], ipv6: [] },
    { name: 'a0', index: 2, up: true, loopback: false, multicast: true, mtu: 1500, ipv4: ['10.0.0.1'], ipv6: ['fe80::ff:fe00:101'] },
  ],
  files: { '/': dir(), '/bin': dir(), '/bin/true': file() },
});

function loadFixtureConfig(read: (f: string) => string): KeepalivedConfig {
  const r = loadConfigText(read('keepalived.conf'), { host: HOST, fileName: '/etc/keepalived/keepalived.conf' });
  assert.equal(r.diagnostics.aborted, false);
  return r.config;
}

const STATE_BY_NUMBER: Record<number, VrrpStateName> = { 0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'DELETED', 98: 'STOP' };

interface KeepalivedJsonEntry {
  data: Record<string, unknown>;
  stats: Record<string, number>;
}

/** "1795971604.756234" → epoch µs, exactly. */
const parseTimeval = (s: string) => {
  const [sec, usec] = s.split('.') as [string, string];
  return Number(sec) * 1_000_000 + Number(usec.padEnd(6, '0'));
};

/** The lines of one instance block of keepalived.data. */
function dataBlock(data: string, name: string): string[] {
  const lines = data.split('\n');
  const start = lines.indexOf(` VRRP Instance = ${name}`);
  assert.ok(start >= 0, `no block for ${name}`);
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i]!.startsWith('   '); i++) out.push(lines[i]!);
  return out;
}
function field(block: string[], re: RegExp): RegExpExecArray | undefined {
  for (const l of block) {
    const m = re.exec(l);
    if (m) return m;
  }
  return undefined;
}

/**
 * Snapshots of the captured instances: static parts from our config, dynamic parts from
 * keepalived's keepalived.json (`json`) and keepalived.data.
 */
function capturedSnapshots(config: KeepalivedConfig, jsonText: string, dataText: string, statsOf: (name: string) => VrrpInstanceStats): VrrpInstanceSnapshot[] {
  const entries = JSON.parse(jsonText) as KeepalivedJsonEntry[];
  return config.vrrp.instances.map((inst) => {
    const e = entries.find((x) => x.data['iname'] === inst.name)!;
    const d = e.data;
    const block = dataBlock(dataText, inst.name);
    const readTimeout = field(block, /^ {3}Read timeout = (\d+\.\d+) /);
    const fds = field(block, /^ {3}fd_in (\d+), fd_out (\d+)$/);
    const ifindex = field(block, /^ {3}Multicast address \S+, ifindex (\d+)$/);
    return {
      config: inst,
      settings: deriveInstanceSettings(inst, config.global, { scripts: config.vrrp.scripts }),
      state: STATE_BY_NUMBER[d['state'] as number]!,
      wantstate: STATE_BY_NUMBER[d['wantstate'] as number]!,
      basePriority: d['base_priority'] as number,
      effectivePriority: d['effective_priority'] as number,
      totalPriority: Number(field(block, /^ {3}Total priority = (\d+)$/)![1]),
      masterAddress: field(block, /^ {3}Master router = (\S+)$/)?.[1],
      masterPriority: d['master_priority'] as number,
      masterAdverIntUs: Math.round((d['master_adver_int'] as number) * 1e6),
      sourceAddress: field(block, /^ {3}Using src_ip = (\S+)/)![1],
      vipset: d['vipset'] as boolean,
      numScriptIfFault: Number(field(block, /^ {3}Number of interface and track script faults = (\d+)$/)![1]),
      numScriptInit: Number(field(block, /^ {3}Number of track scripts init = (\d+)$/)![1]),
      msDownTimerUs: Number(field(block, /^ {3}Master down timer = (\d+) usecs$/)![1]),
      // from the text: JSON.parse would round the microseconds through a double
      lastTransitionUs: parseTimeval(/"last_transition":([0-9.]+)/.exec(jsonText.slice(jsonText.indexOf(`"iname":"${inst.name}"`)))![1]!),
      lastTransition: undefined,
      readTimeoutUs: readTimeout ? parseTimeval(readTimeout[1]!) : undefined,
      stats: statsOf(inst.name),
      runtime: {
        ...(fds ? { sockets: { fdIn: Number(fds[1]), fdOut: Number(fds[2]) } } : {}),
        ...(ifindex ? { mcastIfindex: Number(ifindex[1]) } : {}),
      },
    };
  });
}

/** The counters of keepalived.stats, in the file's order, per instance. */
function parseStatsFile(text: string): Map<string, VrrpInstanceStats> {
  const order: (keyof VrrpInstanceStats)[] = [
    'advert_rcvd', 'advert_sent', 'become_master', 'release_master', 'packet_len_err', 'ip_ttl_err', 'invalid_type_rcvd',
    'advert_interval_err', 'addr_list_err', 'invalid_authtype', 'authtype_mismatch', 'auth_failure', 'pri_zero_rcvd', 'pri_zero_sent',
  ];
  const out = new Map<string, VrrpInstanceStats>();
  for (const block of text.split(/^(?=VRRP Instance: )/m).filter(Boolean)) {
    const name = /^VRRP Instance: (.*)$/m.exec(block)![1]!;
    const numbers = [...block.matchAll(/: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(numbers.length, order.length, name);
    const s = newInstanceStats();
    order.forEach((k, i) => (s[k] = numbers[i]!));
    out.set(name, s);
  }
  return out;
}

function jsonStats(jsonText: string): Map<string, VrrpInstanceStats> {
  const out = new Map<string, VrrpInstanceStats>();
  for (const e of JSON.parse(jsonText) as KeepalivedJsonEntry[]) out.set(e.data['iname'] as string, { ...newInstanceStats(), ...e.stats });
  return out;
}

/** Our documented differences, applied to keepalived's text. */
function expectedOfKeepalived(text: string, kind: 'json' | 'data'): string {
  let t = text.replaceAll("'\\/usr\\/bin\\/true'", "'\\/bin\\/true'").replaceAll("'/usr/bin/true'", "'/bin/true'");
  if (kind === 'json') return t.replace(/"auth_data":"[^"]*"/g, `"auth_data":"${MASK}"`);
  t = t.replace(/^( {3}Password = ).*$/gm, `$1${MASK}`);
  t = t.replace(/^ libnftnl version .*\n/m, '');
  for (const internal of ['Gratuitous ARP delays', 'VRRP Sockpool', 'Interfaces']) t = dropSection(t, internal);
  return t;
}

/** Removes a "------< TITLE >------" section (up to the next section or the end). */
function dropSection(text: string, title: string): string {
  const start = text.indexOf(`------< ${title} >------\n`);
  if (start < 0) return text;
  const lines = text.slice(start).split('\n');
  let n = 1;
  // sub-headers such as "------< GARP delay group 0 >------" belong to the section
  while (n < lines.length && !(lines[n]!.startsWith('------< ') && !lines[n]!.startsWith('------< GARP delay group'))) n++;
  return text.slice(0, start) + lines.slice(n).join('\n');
}

/** The sync groups as keepalived's data dump shows them ("VRRP Sync Group = G1, MASTER" …). */
function capturedGroups(config: KeepalivedConfig, dataText: string): SyncGroupSnapshot[] {
  return config.vrrp.syncGroups.map((g) => {
    const head = new RegExp(`^ VRRP Sync Group = ${g.name}, (\\w+)\\n {3}Num member fault (\\d+), num member init (\\d+)$`, 'm').exec(dataText)!;
    return { config: g, state: head[1] as VrrpStateName, numMemberFault: Number(head[2]), numMemberInit: Number(head[3]), members: g.members };
  });
}

for (const scenario of SCENARIOS) {
  const read = (f: string) => fs.readFileSync(`${DIR}${scenario}/${f}`, 'utf8');

  describe(`dumps against keepalived 2.2.7 (test/fixtures/dumps/${scenario})`, () => {
    const config = loadFixtureConfig(read);
    const names = config.vrrp.instances.map((i) => i.name);
    const jsonText = read('keepalived.json');
    const dataText = read('keepalived.data');
    const stats = jsonStats(jsonText);
    const snaps = capturedSnapshots(config, jsonText, dataText, (n) => stats.get(n)!);

    it('the fixture config loads into the instances keepalived dumped', () => {
      assert.deepEqual(names, (JSON.parse(jsonText) as KeepalivedJsonEntry[]).map((e) => e.data['iname']));
    });

    it('keepalived.stats: byte for byte', () => {
      const captured = read('keepalived.stats');
      const parsed = parseStatsFile(captured);
      assert.equal(formatStatsFile(names.map((name) => ({ name, stats: parsed.get(name)! }))), captured);
    });

    it('STATS_CLEAR: the file shows the stats as they were, then they are zero', () => {
      const before = parseStatsFile(read('keepalived.stats-before-clear'));
      const book = new VrrpStatsBook();
      for (const name of names)
        for (const [k, n] of Object.entries(before.get(name)!)) for (let i = 0; i < n; i++) book.stat(name, k as keyof VrrpInstanceStats);
      const file = () => formatStatsFile(names.map((name) => ({ name, stats: book.stats(name) })));
      assert.equal(file(), read('keepalived.stats-before-clear'));
      book.clear();
      assert.equal(file(), formatStatsFile(names.map((name) => ({ name, stats: newInstanceStats() }))));
      // keepalived zeroed too: the instances that had become master have not since
      const after = parseStatsFile(read('keepalived.stats-cleared'));
      const masters = names.filter((name) => before.get(name)!.become_master > 0);
      assert.ok(masters.length > 0);
      for (const name of masters) assert.equal(after.get(name)!.become_master, 0, name);
    });

    it('keepalived.json: byte for byte but for the masked password', () => {
      assert.equal(formatJsonDump(snaps, config.vrrp.scripts), expectedOfKeepalived(jsonText, 'json'));
    });

    it('keepalived.data: global definitions, VRRP topology and sync groups byte for byte (documented differences aside)', () => {
      const ours = formatDataDump({
        global: config.global,
        vrrp: config.vrrp,
        snapshot: { instances: snaps, groups: capturedGroups(config, dataText) },
        globalContext: { defaultScriptIds: { uid: 0, gid: 0 } },
        timeZone: utcTimeZone,
      });
      const expected = expectedOfKeepalived(dataText, 'data');
      const a = ours.split('\n');
      const b = expected.split('\n');
      for (let i = 0; i < Math.max(a.length, b.length); i++) assert.equal(a[i], b[i], `line ${i + 1}`);
      assert.equal(ours, expected);
    });

    it('dumps never contain a password', () => {
      const all =
        formatJsonDump(snaps, config.vrrp.scripts)! +
        formatDataDump({ global: config.global, vrrp: config.vrrp, snapshot: { instances: snaps, groups: [] }, timeZone: utcTimeZone });
      for (const inst of config.vrrp.instances) {
        if (!inst.authPass) continue;
        const secret = Buffer.from(inst.authPass).toString('latin1').replace(/\0+$/, '');
        assert.ok(!all.includes(secret), secret);
      }
    });

    it('keepalived wrote every dump with mode 0600 (modes.txt)', () => {
      for (const line of read('modes.txt').trim().split('\n')) assert.match(line, / 600$/);
    });
  });
}
