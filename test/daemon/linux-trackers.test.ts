/**
 * The VRRP process's trackers on a real host: the track_files an instance follows are watched
 * (init_file applied, start values in the instances' start event, changes reported), the ones
 * nobody follows are not, and a reload keeps watching a file whose path did not change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { createLogger } from '../../src/daemon/logger.js';
import { LinuxTrackerHub } from '../../src/daemon/linux-trackers.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('track_files followed by an instance: init_file, start value, changes; unfollowed files are not read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-trackers-'));
  const followed = path.join(dir, 'followed');
  const ignored = path.join(dir, 'ignored');
  const config = (extra: string) =>
    `track_file FOLLOWED {\n  file ${followed}\n  init_file 7\n}\ntrack_file IGNORED {\n  file ${ignored}\n  init_file 3\n}\n` +
    `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n` +
    `  track_file {\n    FOLLOWED\n${extra}  }\n}\n`;
  const loaded = loadConfigText(config(''), { host });
  assert.deepEqual(loaded.diagnostics.list.map((d) => d.message), []);
  const lines: string[] = [];
  const log = createLogger({ ident: 'test', console: true, syslog: false, detail: false, write: (l) => lines.push(l) });
  const hub = new LinuxTrackerHub(loaded.config, log);
  const changes: string[] = [];
  hub.onChange((c) => changes.push(`${c.kind} ${c.name} ${c.value}`));
  try {
    assert.equal(fs.readFileSync(followed, 'utf8'), '7\n', 'init_file wrote the followed file');
    assert.equal(fs.existsSync(ignored), false, 'nobody follows IGNORED: keepalived leaves it alone');
    assert.deepEqual(hub.initial(), [{ kind: 'file', name: 'FOLLOWED', value: 7 }]);
    fs.writeFileSync(followed, '-2\n');
    await waitFor('the change', () => changes.length === 1);
    assert.deepEqual(changes, ['file FOLLOWED -2']);

    // a reload that also follows IGNORED: FOLLOWED keeps its watch and value, IGNORED is initialised
    hub.reload(loadConfigText(config('    IGNORED\n'), { host }).config);
    assert.equal(fs.readFileSync(followed, 'utf8'), '-2\n', 'a reload never rewrites an existing file');
    assert.equal(fs.readFileSync(ignored, 'utf8'), '3\n');
    assert.deepEqual(hub.initial(), [{ kind: 'file', name: 'FOLLOWED', value: -2 }, { kind: 'file', name: 'IGNORED', value: 3 }]);
    fs.writeFileSync(ignored, '4\n');
    await waitFor('the second change', () => changes.length === 2);
    assert.deepEqual(changes, ['file FOLLOWED -2', 'file IGNORED 4']);
  } finally {
    hub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(lines, []);
});
