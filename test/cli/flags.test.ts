/** The getopt_long() work-alike against keepalived 2.2.7's option table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAGS, parseArgs, type ArgEvent } from '../../src/cli/flags.js';

function show(events: readonly ArgEvent[]): string[] {
  return events.map((e) =>
    e.type === 'option' ? `${e.flag.id}${e.value !== undefined ? '=' + e.value : ''}` : `${e.type}:${e.text}`,
  );
}

test('every long option of keepalived 2.2.7 main.c long_options is in the table, plus keepalived-ts\'s own', () => {
  const longs = [
    'use-file', 'vrrp', 'check', 'no_bfd', 'all', 'log-console', 'log-detail', 'log-facility', 'log-file',
    'all-config', 'flush-log-file', 'no-syslog', 'umask', 'release-vips', 'dont-release-vrrp', 'dont-release-ipvs',
    'dont-respawn', 'dont-fork', 'dump-conf', 'pid', 'vrrp_pid', 'genhash', 'checkers_pid', 'address-monitoring',
    'bfd_pid', 'snmp', 'snmp-agent-socket', 'core-dump', 'core-dump-pattern', 'no-mem-check', 'mem-check-log',
    'namespace', 'config-id', 'signum', 'config-test', 'config-fd', 'perf', 'debug', 'version', 'help',
  ];
  const ours = ['status-socket', 'data-plane'];
  assert.deepEqual(FLAGS.map((f) => f.long).sort(), [...longs, ...ours].sort());
  /* keepalived's option string: ":vhlndu:DRS:f:p:i:es:mM::g::Gt::" "PC" "r:VX" "ac:IT" "Bb:" "xA:" "L" */
  const optstring = 'vhlndu:DRS:f:p:i:es:mM::g::Gt::PCr:VXac:ITBb:xA:L';
  const shorts = [...optstring.matchAll(/([A-Za-z])(:{0,2})/g)].map((m) => `${m[1]}${m[2]}`).sort();
  const ourShorts = FLAGS.filter((f) => f.short)
    .map((f) => `${f.short}${f.arg === 'required' ? ':' : f.arg === 'optional' ? '::' : ''}`)
    .sort();
  assert.deepEqual(ourShorts, shorts);
});

test('short options bundle; a value is attached or the next argument', () => {
  assert.deepEqual(show(parseArgs(['-lnD', '-ffile', '-i', 'id1']).events), ['log-console', 'dont-fork', 'log-detail', 'use-file=file', 'config-id=id1']);
  assert.deepEqual(show(parseArgs(['-ef', '-x']).events), ['all-config', 'use-file=-x']);
  /* -t takes an optional value: only attached */
  assert.deepEqual(show(parseArgs(['-tlog', '-t', 'x']).events), ['config-test=log', 'config-test']);
  assert.deepEqual(parseArgs(['-t', 'x']).operands, ['x']);
});

test('long options: --opt=value, --opt value, optional values only with =', () => {
  assert.deepEqual(show(parseArgs(['--use-file=a', '--use-file', 'b', '--config-test', '--config-test=l']).events), [
    'use-file=a', 'use-file=b', 'config-test', 'config-test=l',
  ]);
  assert.deepEqual(show(parseArgs(['--use-file', '--dump-conf']).events), ['use-file=--dump-conf']);
});

test('unambiguous abbreviations are accepted, ambiguous ones are unknown', () => {
  assert.deepEqual(show(parseArgs(['--ver', '--dump', '--config-t', '--vrrp']).events), ['version', 'dump-conf', 'config-test', 'vrrp']);
  assert.deepEqual(show(parseArgs(['--v', '--log', '--config-']).events), ['unknown:--v', 'unknown:--log', 'unknown:--config-']);
});

test('errors: unknown options, missing and empty parameters, values given to flags without one', () => {
  assert.deepEqual(show(parseArgs(['-Zl', '--foo=bar', '--help=x']).events), ['unknown:-Z', 'log-console', 'unknown:--foo=bar', 'unknown:--help=x']);
  assert.deepEqual(show(parseArgs(['--use-file=']).events), ['missing:--use-file']);
  assert.deepEqual(show(parseArgs(['--signum']).events), ['missing:--signum']);
  assert.deepEqual(show(parseArgs(['-f']).events), ['missing:-f']);
});

test('operands are permuted out; -- ends the options; - alone is an operand', () => {
  const p = parseArgs(['a', '-t', '-', 'b', '--', '-f', 'c']);
  assert.deepEqual(show(p.events), ['config-test']);
  assert.deepEqual(p.operands, ['a', '-', 'b', '-f', 'c']);
});
