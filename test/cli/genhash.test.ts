/**
 * genhash: `keepalived-ts genhash …` and `keepalived-ts -T …` print what keepalived 2.2.7's genhash
 * prints — compared byte for byte with /usr/bin/genhash when it is installed (against nginx and
 * against Node servers with fixed answers), else against recorded expectations.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main.js';
import { hexDump, parseGenhashArgs } from '../../src/cli/genhash.js';
import { freePort, haveNginx, startNginx, tcpServer, type NginxFixture } from '../check/http-fixture.js';

const run = promisify(execFile);
const GENHASH = '/usr/bin/genhash';
const haveGenhash = fs.existsSync(GENHASH);

interface Result {
  out: string;
  err: string;
  code: number;
}

async function ours(argv: string[]): Promise<Result> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { out, err, code };
}

async function theirs(args: string[]): Promise<Result> {
  try {
    const r = await run(GENHASH, args, { encoding: 'latin1', timeout: 20_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: x.code };
  }
}

/** Our output with keepalived's program name, and without the timing line of -v. */
const comparable = (r: Result) => ({
  out: r.out.replace(/\nGlobal response time for \[(.*)\] = \d+ usecs\n$/, '\nGlobal response time for [$1] = N usecs\n'),
  err: r.err.replace(/keepalived-ts genhash|\/usr\/bin\/genhash/g, 'genhash'),
  code: r.code,
});

let nginx: NginxFixture | undefined;
before(async () => {
  if (haveNginx()) nginx = await startNginx();
});
after(async () => {
  await nginx?.stop();
});

test("hexDump is keepalived's dump_buffer", () => {
  assert.equal(
    hexDump(Buffer.from('hello keepalived\n')),
    '0000  68 65 6c 6c 6f 20 6b 65 - 65 70 61 6c 69 76 65 64   hello keepalived\n' +
      '0016  0a                      -                           .               \n',
  );
  assert.equal(hexDump(Buffer.alloc(0)), '');
});

test('argument errors and usage (no network)', async () => {
  const usageHead = 'Usage: keepalived-ts genhash COMMAND [OPTIONS]\nCommands:\n';
  const cases: Array<[string[], string]> = [
    [[], ''],
    [['-x'], ''],
    [['-s', '127.0.0.1', '-p', '0', '-u', '/'], "invalid port number '0'\n"],
    [['-s', 'foo', '-p', '1', '-u', '/'], 'server should be an IP, not foo\n'],
    [['-s', '127.0.0.1', '-p', '80', '-u', '/', 'extra'], 'Unexpected argument(s): extra\n'],
    [['-s', '127.0.0.1', '-p', '80', '-u', '/', '-P', '2'], "invalid HTTP protocol version '2'\n"],
    [['-s', '127.0.0.1', '-p', '80', '-u', '/', '-t', 'x'], "invalid timeout 'x'\n"],
    [['-s', '127.0.0.1', '-p'], 'Missing parameter for option -p\n'],
    [['-s', '127.0.0.1', '-q', '-p', '1', '-u', '/'], 'Unknown option -q\n'],
    [['-s', '127.0.0.1', '--bogus', '-p', '1', '-u', '/'], 'Unknown option --bogus\n'],
    [['-s', '127.0.0.1', '-p', '80'], ''],
    [['-h', '-s', '127.0.0.1'], ''],
  ];
  for (const [args, first] of cases) {
    const r = await ours(['genhash', ...args]);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.out, '');
    assert.ok(r.err.startsWith(first + usageHead), `${args.join(' ')}: ${r.err.slice(0, 120)}`);
    if (haveGenhash) assert.deepEqual(comparable(r), { ...comparable(await theirs(args)), out: '' }, args.join(' '));
  }
  const req = parseGenhashArgs(['--serv', '2001:DB8::1', '--port=8080', '-u', '/a', '-u', '/b', '-Sv', '-t', '5000'], 10);
  assert.deepEqual(req, { family: 'inet6', address: '2001:db8::1', port: 8080, paths: ['/a', '/b'], ssl: true, sni: false, verbose: true, protocol: '1.0', timeout: 705032704 });
});

test('against nginx: the same output as keepalived genhash, the digest keepalived would check', async (t) => {
  if (!nginx) return t.skip('nginx is not installed');
  const p = String(nginx.httpPort);
  const s = String(nginx.httpsPort);
  const closed = String(await freePort());
  const runs: string[][] = [
    ['-s', '127.0.0.1', '-p', p, '-u', '/index.html'],
    ['-s', '127.0.0.1', '-p', p, '-u', '/s500'],
    ['-s', '127.0.0.1', '-p', p, '-u', '/nothing-here', '-P', '1.1'],
    ['-s', '127.0.0.1', '-p', p, '-u', '/', '-V', 'a.test'],
    ['-s', '127.0.0.1', '-p', p, '-u', '/', '-V', 'b.test', '-P', '1.0C'],
    ['-S', '-s', '127.0.0.1', '-p', s, '-u', '/index.html'],
    ['-S', '-I', '-s', '127.0.0.1', '-p', s, '-u', '/', '-V', 'a.test'],
    ['-s', '127.0.0.1', '-p', closed, '-u', '/'],
  ];
  const md5 = (x: string) => createHash('md5').update(x).digest('hex');
  const expected = [md5(nginx.files.index!), undefined, undefined, md5(nginx.files.a!), md5(nginx.files.b!), md5(nginx.files.index!), md5(nginx.files.a!)];
  for (const [i, args] of runs.entries()) {
    const r = await ours(['genhash', ...args]);
    assert.equal(r.code, 0);
    if (expected[i]) assert.equal(r.out, expected[i] + '\n', args.join(' '));
    if (i === runs.length - 1) assert.equal(r.out, 'Connection failed\n');
    if (haveGenhash) assert.deepEqual(comparable(r), comparable(await theirs(args)), args.join(' '));
  }
  // keepalived's -T form
  const viaT = await ours(['-T', '-s', '127.0.0.1', '-p', p, '-u', '/index.html']);
  assert.deepEqual(viaT, { out: md5(nginx.files.index!) + '\n', err: '', code: 0 });
  const late = await ours(['-l', '-T', '-s', '127.0.0.1', '-p', p, '-u', '/index.html']);
  assert.equal(late.err, 'Warning -- `-T` not used as first option, previous options ignored\n');
  assert.equal(late.out, md5(nginx.files.index!) + '\n');
});

test('verbose output and raw chunked hashing match keepalived, read by read', async (t) => {
  const answers: Record<string, string> = {
    plain: 'HTTP/1.0 200 OK\r\nServer: fixed\r\nContent-Length: 11\r\n\r\nhello worldTRAILING',
    chunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    noHead: 'HTTP/1.0 200 OK\r\nX: never ends',
  };
  for (const [name, answer] of Object.entries(answers)) {
    const server = await tcpServer((sock) => sock.once('data', () => sock.end(answer)));
    try {
      const args = ['-v', '-s', '127.0.0.1', '-p', String(server.port), '-u', '/v'];
      const r = await ours(['genhash', ...args]);
      if (name === 'chunked') assert.ok(r.out.includes(createHash('md5').update(answer.slice(answer.indexOf('\r\n\r\n') + 4)).digest('hex') + '\n'), 'chunk framing is hashed');
      if (name === 'noHead') assert.equal(r.err, 'no data received from remote webserver\n');
      if (!haveGenhash) continue;
      assert.deepEqual(comparable(r), comparable(await theirs(args)), name);
    } finally {
      await server.close();
    }
  }
  if (!haveGenhash) t.diagnostic('keepalived genhash not installed: compared with recorded expectations only');
});
