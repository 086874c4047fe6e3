/** bfd_instance, as keepalived 2.2.7 reads it (messages observed with keepalived -t). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const FILE = '/etc/keepalived/keepalived.conf';
const host = staticHostFacts({});
const at = (line: number, msg: string) => `(${FILE}: Line ${line}) ${msg}`;
function load(text: string) {
  const r = loadConfigText(text, { host });
  return { ...r, lines: r.diagnostics.list.map(formatDiagnostic), exit: r.diagnostics.exitCode() };
}

test('defaults and completion', () => {
  const { config, lines } = load('bfd_instance b1 {\n  neighbor_ip 10.0.0.1\n}\nbfd_instance b6 {\n  neighbour_ip fe80::1\n  checker\n}\n');
  assert.deepEqual(lines, []);
  const [b1, b6] = config.bfd.instances;
  assert.equal(b1!.minRx, 10_000);
  assert.equal(b1!.minTx, 10_000);
  assert.equal(b1!.idleTx, 1_000_000);
  assert.equal(b1!.multiplier, 5);
  assert.equal(b1!.ttl, 255);
  assert.equal(b1!.vrrp && b1!.checker, true);
  assert.equal(b6!.ttl, 64);
  assert.equal(b6!.vrrp, false);
  assert.equal(b6!.checker, true);
});

test('diagnostics of the three keepalived passes (set of lines)', () => {
  const text = [
    'bfd_instance b1 {', //                1
    '  neighbor_ip 10.0.0.1', //           2
    '  weight 300', //                     3
    '  min_rx 0', //                       4
    '  vrrp', //                           5
    '}', //                                6
    'bfd_instance b1 {', //                7
    '  neighbour_ip 10.0.0.2', //          8
    '}', //                                9
    'bfd_instance b2 {', //               10
    '  source_ip 10.0.0.5', //            11
    '  max_hops 20', //                   12
    '  ttl 10', //                        13
    '}', //                               14
    'bfd_instance b3 {', //               15
    '  neighbor_ip 10.0.0.1', //          16
    '  source_ip fe80::1', //             17
    '  weight 10 foo', //                 18
    '}', //                               19
    'bfd_instance abcdefghijabcdefghijabcdefghijab {', // 20
    '  neighbor_ip 10.0.0.9', //          21
    '}', //                               22
    '',
  ].join('\n');
  const { lines, exit, config } = load(text);
  assert.deepEqual(new Set(lines), new Set([
    at(3, "number '300' outside range [-253, 253]"),
    at(3, 'Configuration error: BFD instance b1 weight value 300 not valid (must be in range [-253-253]), ignoring'),
    at(4, "number '0' outside range [1.000, 4294967.000]"),
    at(4, 'Configuration error: BFD instance b1 min_rx value 0 is not valid (must be in range [1-4294967]), ignoring'),
    at(7, 'BFD b1 already specified'),
    at(7, 'Configuration error: BFD instance b1 already configured - ignoring'),
    at(14, 'Configuration error: BFD instance b2 has no neighbor address set, disabling instance'),
    at(18, 'Configuration error: BFD instance b3 unknown weight option foo'),
    // sic: keepalived prints the source address twice (one static buffer)
    at(19, 'Configuration error: BFD instance b3 source address fe80::1 and neighbor address fe80::1 are not of the same family, disabling instance'),
    at(20, 'BFD name abcdefghijabcdefghijabcdefghijab too long'),
    at(20, 'Configuration error: BFD instance abcdefghijabcdefghijabcdefghijab name too long (maximum length is 31 characters) - ignoring'),
  ]));
  assert.equal(exit, 5);
  assert.deepEqual(config.bfd.instances.map((b) => [b.name, b.disabled]), [['b1', false], ['b2', true], ['b3', true]]);
  assert.equal(config.bfd.instances[0]!.vrrp, true);
  assert.equal(config.bfd.instances[0]!.checker, false);
});

test('malformed neighbor, duplicate address, max_hops, multiplier, idle_tx', () => {
  const text = [
    'bfd_instance b1 {', //           1
    '  neighbor_ip 10.0.0.1', //      2
    '}', //                           3
    'bfd_instance b2 {', //           4
    '  neighbor_ip 10.0.0.x', //      5
    '  min_rx 5', //                  6
    '  weight 20', //                 7
    '}', //                           8
    'bfd_instance b3 {', //           9
    '  neighbor_ip 10.0.0.1', //     10
    '  max_hops 300', //             11
    '}', //                          12
    'bfd_instance b4 {', //          13
    '  neighbor_ip fe80::1', //      14
    '  ttl 10', //                   15
    '  max_hops 20', //              16
    '  multiplier 0', //             17
    '  idle_tx 0.5', //              18
    '  vrrp', //                     19
    '}', //                          20
    '',
  ].join('\n');
  const { lines, config } = load(text);
  assert.deepEqual(new Set(lines), new Set([
    at(5, 'Configuration error: BFD instance b2 has malformed neighbor address 10.0.0.x, ignoring instance'),
    at(11, "number '300' outside range [-1, 255]"),
    at(11, 'Configuration error: BFD instance b3 max_hops value 300 not valid (must be in range [-1-255]), ignoring'),
    at(12, 'Configuration error: BFD instance b3 has duplicate neighbor address 10.0.0.1, ignoring instance'),
    at(17, "number '0' outside range [1, 255]"),
    at(17, 'Configuration error: BFD instance b4 multiplier value 0 not valid (must be in range [1-255]), ignoring'),
    at(18, "number '0.5' outside range [1000.000, 4294967.000]"),
    at(18, 'Configuration error: BFD instance b4 idle_tx value 0.5 is not valid (must be in range [1000-4294967]), ignoring'),
    at(20, 'BFD instance b4: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit'),
  ]));
  const b2 = config.bfd.instances.find((b) => b.name === 'b2')!;
  assert.equal(b2.disabled, true);
  assert.equal(b2.weight, 20, 'the VRRP process still reads the weight');
  const b4 = config.bfd.instances.find((b) => b.name === 'b4')!;
  assert.equal(b4.maxHops, 10);
});
