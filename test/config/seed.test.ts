/**
 * The seed deployment's two director configs (test/fixtures/seed, transcribed from the document
 * the project was created from) get exactly the verdict keepalived 2.2.7 gives them on a host
 * with their interface (ens33): observed with `keepalived -t` in a namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfig } from '../../src/config/load.js';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../test/fixtures/seed');
const host = staticHostFacts({ interfaces: [ethernetInterface('ens33', 2, ['192.168.88.100'])] });

for (const name of ['director-master.conf', 'director-backup.conf']) {
  test(`seed ${name}: keepalived's diagnostics and exit 5`, () => {
    const file = path.join(dir, name);
    const r = loadConfig(file, { host });
    const at = (line: number, msg: string) => `(${file}: Line ${line}) ${msg}`;
    assert.deepEqual(r.diagnostics.list.map(formatDiagnostic).sort(), [
      at(15, "number '0' outside range [0.000001, 4294.967295]"),
      at(15, "vrrp_garp_interval '0' is invalid"),
      at(16, "number '0' outside range [0.000001, 4294.967295]"),
      at(16, "vrrp_gna_interval '0' is invalid"),
      at(39, "number '0' outside range [1, 2678400]"),
      at(39, 'persistence_timeout invalid'),
      at(47, "Unknown keyword 'nb_get_retry'"),
      at(56, "Unknown keyword 'nb_get_retry'"),
    ].sort());
    assert.equal(r.diagnostics.exitCode(), 5);
    const vi = r.config.vrrp.instances[0]!;
    assert.equal(vi.vrid, name.includes('master') ? 10 : 51);
  });
}
