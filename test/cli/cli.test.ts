/**
 * The keepalived-ts command line, run as a process: exact stdout, stderr and exit codes.
 * keepalived 2.2.7's own behaviour (observed with the real binary) is noted where we copy it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLAGS } from '../../src/cli/flags.js';
import { REPO_ROOT, runCli } from './run.js';

const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const missing = path.join(tmp, 'no-such.conf');

function writeConf(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

test('-v / --version (keepalived prints its version on stderr and exits 0)', () => {
  for (const flag of ['-v', '--version', '--ver']) {
    assert.deepEqual(runCli([flag]), {
      status: 0,
      stdout: '',
      stderr: `keepalived-ts ${version}\nCompatible with keepalived 2.2.7 configuration files (keepalived.conf).\n`,
    });
  }
});

test('-h lists every flag, in keepalived layout, on stderr', () => {
  const r = runCli(['-h']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.startsWith('Usage: keepalived-ts [OPTION...]\n  -f, --use-file=FILE          Use the specified configuration file\n'));
  for (const f of FLAGS.filter((f) => !f.hidden)) assert.ok(r.stderr.includes(`--${f.long}`), `--${f.long} missing from -h`);
  assert.ok(r.stderr.includes("  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to\n"));
  assert.ok(r.stderr.includes('keepalived-ts dump'));
});

test('--signum prints keepalived numbers on stdout', () => {
  const expected: Record<string, string> = { STOP: '15', RELOAD: '1', DATA: '10', STATS: '12', STATS_CLEAR: '63', JSON: '36' };
  for (const [name, n] of Object.entries(expected)) assert.deepEqual(runCli([`--signum=${name}`]), { status: 0, stdout: `${n}\n`, stderr: '' });
  assert.deepEqual(runCli(['--signum', 'RELOAD']), { status: 0, stdout: '1\n', stderr: '' });
});

test('--signum with an unknown name: "Unknown sigfunc NAME", exit 1 (as keepalived; names are case-sensitive)', () => {
  assert.deepEqual(runCli(['--signum=FOO']), { status: 1, stdout: '', stderr: 'Unknown sigfunc FOO\n' });
  assert.deepEqual(runCli(['--signum=stop']), { status: 1, stdout: '', stderr: 'Unknown sigfunc stop\n' });
  /* keepalived prints the option name garbled here (a bug); we name it */
  assert.deepEqual(runCli(['--signum']), { status: 1, stdout: '', stderr: 'Missing parameter for option --signum\n' });
  assert.deepEqual(runCli(['--signum=']), { status: 1, stdout: '', stderr: 'Missing parameter for option --signum\n' });
});

test('unknown options and missing parameters: keepalived messages, exit 1', () => {
  assert.deepEqual(runCli(['-Z']), { status: 1, stdout: '', stderr: 'Unknown option -Z\n' });
  assert.deepEqual(runCli(['--foo=bar']), { status: 1, stdout: '', stderr: 'Unknown option --foo=bar\n' });
  assert.deepEqual(runCli(['--v']), { status: 1, stdout: '', stderr: 'Unknown option --v\n' });
  assert.deepEqual(runCli(['--help=x']), { status: 1, stdout: '', stderr: 'Unknown option --help=x\n' });
  assert.deepEqual(runCli(['-f']), { status: 1, stdout: '', stderr: 'Missing parameter for option -f\n' });
  /* keepalived 2.2.7 segfaults on a bare --use-file; we report it */
  assert.deepEqual(runCli(['--use-file']), { status: 1, stdout: '', stderr: 'Missing parameter for option --use-file\n' });
  assert.deepEqual(runCli(['--use-file=']), { status: 1, stdout: '', stderr: 'Missing parameter for option --use-file\n' });
  /* every error is reported before exiting */
  assert.deepEqual(runCli(['-Z', '-t', '-Y']), { status: 1, stdout: '', stderr: 'Unknown option -Z\nUnknown option -Y\n' });
  /* options act in order: -v after an error still prints the version and exits 0 (keepalived too) */
  assert.equal(runCli(['-Z', '-v']).status, 0);
});

test('-t with a missing main file: keepalived\'s message, exit 4 (keepalived 2.2.7 exits 0: deliberate)', () => {
  const msg = `Config files missing '${missing}'.\n`;
  assert.deepEqual(runCli(['-t', '-f', missing]), { status: 4, stdout: '', stderr: msg });
  assert.deepEqual(runCli(['--config-test', `--use-file=${missing}`]), { status: 4, stdout: '', stderr: msg });
  assert.deepEqual(runCli(['-lnDt', '-f', missing]), { status: 4, stdout: '', stderr: msg });
});

test('-t=LOG_FILE appends diagnostics to LOG_FILE', () => {
  const log = path.join(tmp, 'test.log');
  const arg = `--config-test=${log}`;
  assert.deepEqual(runCli([arg, '-f', missing]), { status: 4, stdout: '', stderr: '' });
  assert.deepEqual(runCli([`-t${log}`, '-f', missing]), { status: 4, stdout: '', stderr: '' });
  assert.equal(fs.readFileSync(log, 'utf8'), `Config files missing '${missing}'.\n`.repeat(2));
  const bad = path.join(tmp, 'no-dir', 'x.log');
  assert.deepEqual(runCli([`-t${bad}`]), { status: 1, stdout: '', stderr: `Unable to open config-test log file ${bad} 2 - No such file or directory\n` });
});

test('operands: "Unexpected argument(s): …" on stdout, as keepalived, and the run goes on', () => {
  assert.deepEqual(runCli(['-t', 'extra', 'more', '-f', missing]), {
    status: 4,
    stdout: 'Unexpected argument(s): extra more \n',
    stderr: `Config files missing '${missing}'.\n`,
  });
});

test('-S and -u values are checked as keepalived does (reported, not fatal)', () => {
  assert.deepEqual(runCli(['-S', 'foo', '-t', '-f', missing]), {
    status: 4,
    stdout: '',
    stderr: `Invalid log facility 'foo'\nConfig files missing '${missing}'.\n`,
  });
  assert.equal(runCli(['-S', 'local3', '-Sdaemon', '-u', '022', '-t', '-f', missing]).stderr, `Config files missing '${missing}'.\n`);
  assert.equal(runCli(['-u', '0999', '-t', '-f', missing]).stderr, `Invalid --umask option 0999\nConfig files missing '${missing}'.\n`);
});

test('features keepalived-ts does not have are refused with one line, exit 1', () => {
  const cases: [string[], string][] = [
    [['-x'], '-x (SNMP)'],
    [['--snmp'], '--snmp (SNMP)'],
    [['-A', '/x'], '-A (SNMP)'],
    [['--perf'], '--perf (perf data collection)'],
    [['--debug=p'], "--debug (keepalived's debug options)"],
    [['-s', 'ns1'], '-s (running in a network namespace)'],
    [['-g'], '-g (logging to a file)'],
    [['--no-mem-check'], "--no-mem-check (keepalived's C memory checker)"],
  ];
  for (const [args, what] of cases) {
    assert.deepEqual(runCli([...args, '-t', '-f', missing]), { status: 1, stdout: '', stderr: `keepalived-ts: ${what} is not available in this version\n` }, args.join(' '));
  }
});

test('the daemon with a missing config file logs it and exits 6 (no config), leaving no pidfile', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const pid = path.join(tmp, 'missing.pid');
  const r = runCli(['-n', '-l', '-G', '-f', missing, '-p', pid, '-r', pid + '.vrrp', '--status-socket', path.join(tmp, "missing.sock")]);
  assert.equal(r.status, 6);
  assert.match(r.stderr, new RegExp(`: Unable to find configuration file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  assert.equal(fs.existsSync(pid), false);
});

test('daemon-only flags are accepted with -t and change nothing (as keepalived -t)', () => {
  const args = ['-P', '-C', '-B', '--all', '-l', '-D', '-G', '-X', '-V', '-I', '-R', '-n', '-a', '-m', '-M', '-p', '/x', '-r', '/y', '-c', '/z', '-b', '/w'];
  assert.deepEqual(runCli([...args, '-t', '-f', missing]), { status: 4, stdout: '', stderr: `Config files missing '${missing}'.\n` });
});

test('-t on a clean config: exit 0, no output', () => {
  const f = writeConf('clean.conf', 'global_defs {\n  router_id r1\n}\n');
  assert.deepEqual(runCli(['-t', '-f', f]), { status: 0, stdout: '', stderr: '' });
});

test('-t prints every diagnostic as (FILE: Line N) message, exit 5 for an unknown keyword', () => {
  const f = writeConf('unknown.conf', 'global_defs {\n  no_such_keyword 1\n}\n');
  assert.deepEqual(runCli(['-t', '-f', f]), { status: 5, stdout: '', stderr: `(${f}: Line 2) Unknown keyword 'no_such_keyword'\n` });
});

test('-i/--config-id selects @id lines', () => {
  const f = writeConf('ids.conf', 'global_defs {\n@a  bogus_a\n@^a bogus_not_a\n}\n');
  assert.deepEqual(runCli(['-t', '-i', 'a', '-f', f]), { status: 5, stdout: '', stderr: `(${f}: Line 2) Unknown keyword 'bogus_a'\n` });
  assert.deepEqual(runCli(['-t', '--config-id=b', '-f', f]), { status: 5, stdout: '', stderr: `(${f}: Line 3) Unknown keyword 'bogus_not_a'\n` });
});

const secretConf = `vrrp_instance VI_1 {
  state BACKUP
  interface lo
  virtual_router_id 51
  priority 100
  authentication {
    auth_type PASS
    auth_pass s3cr3tpw
  }
  virtual_ipaddress {
    192.0.2.1
  }
}
`;

test('dump prints the model as JSON on stdout, secrets masked', () => {
  const f = writeConf('secret.conf', secretConf);
  const r = runCli(['dump', '-f', f]);
  assert.ok(!r.stdout.includes('s3cr3tpw'), 'secret leaked');
  const model = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(model).sort(), ['bfd', 'global', 'lvs', 'vrrp']);
  assert.ok(r.stdout.includes('"********"'));
});

test('-d with -t prints the same JSON after the diagnostics', () => {
  const f = writeConf('secret2.conf', secretConf);
  const r = runCli(['-d', '-t', '-f', f]);
  assert.equal(r.stdout, runCli(['dump', '-f', f]).stdout);
});

test('dump: missing file exit 4; bad flags exit 1', () => {
  assert.deepEqual(runCli(['dump', '-f', missing]), { status: 4, stdout: '', stderr: `Config files missing '${missing}'.\n` });
  assert.deepEqual(runCli(['dump', '-x']), { status: 1, stdout: '', stderr: 'Unknown option -x\n' });
  assert.deepEqual(runCli(['dump', 'a.conf']), { status: 1, stdout: '', stderr: 'Unexpected argument(s): a.conf\n' });
});

test('--data-plane: auto and proxy are accepted; anything else is named and refused (exit 1)', () => {
  const f = writeConf('dp.conf', 'global_defs {\n  router_id r1\n}\n');
  assert.deepEqual(runCli(['--data-plane', 'proxy', '-t', '-f', f]), { status: 0, stdout: '', stderr: '' });
  assert.deepEqual(runCli(['--data-plane=auto', '-t', '-f', f]), { status: 0, stdout: '', stderr: '' });
  assert.deepEqual(runCli(['--data-plane', 'ipvs', '-t', '-f', f]), {
    status: 1,
    stdout: '',
    stderr: 'keepalived-ts: --data-plane ipvs: unknown data plane (choose auto or proxy)\n',
  });
});
