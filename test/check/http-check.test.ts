/**
 * HTTP_GET / SSL_GET against real servers on loopback: nginx (HTTP, HTTPS with a self-signed
 * certificate, name-based virtual hosts) for status codes, digests, regexes and virtualhost routing;
 * Node servers for the exact request bytes, SNI, and hostile servers (garbage, silence, never
 * closing, trickling, endless bodies) whose verdicts and timeouts are checked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { checkerFactory } from '../../src/check/checker-registry.js';
import { buildHttpRequest, httpCheckerFactory, type HttpCheckOutcome } from '../../src/check/http-check.js';
import { compileHttpRegex, httpRegexMatches } from '../../src/check/http-regex.js';
import type { CheckTarget } from '../../src/check/checker-types.js';
import { checkerContext, NEVER } from './checker-fixture.js';
import { freePort, haveNginx, selfSignedCert, startNginx, tcpServer, type NginxFixture } from './http-fixture.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const factory = httpCheckerFactory();

async function check(block: string, target: Partial<CheckTarget> & Pick<CheckTarget, 'address' | 'port'>, signal = NEVER): Promise<HttpCheckOutcome> {
  return (await factory(checkerContext(block, target)).run(signal)) as HttpCheckOutcome;
}

const http = (urls: string, extra = '', kind = 'HTTP_GET') => `    ${kind} {\n${extra}\n${urls}\n    }`;
const url = (lines: string) => `      url {\n${lines}\n      }`;

test('HTTP_GET and SSL_GET are registered', () => {
  assert.equal(typeof checkerFactory('HTTP_GET'), 'function');
  assert.equal(typeof checkerFactory('SSL_GET'), 'function');
});

test("keepalived's request bytes for each http_protocol and address family", () => {
  const v4 = { family: 'inet' as const, address: '10.0.0.5', port: 8080 };
  assert.equal(buildHttpRequest('/h', '1.0', v4), 'GET /h HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.5:8080\r\n\r\n');
  assert.equal(buildHttpRequest('/h', '1.0C', v4), 'GET /h HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.5:8080\r\n\r\n');
  assert.equal(buildHttpRequest('/h', '1.1', { ...v4, vhost: 'www.example' }), 'GET /h HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example\r\n\r\n');
  assert.equal(buildHttpRequest('/', '1.0', { family: 'inet6', address: '2001:db8::5', port: 80 }), 'GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [2001:db8::5]:80\r\n\r\n');
});

test('requests on the wire: urls in order, virtualhost precedence url > checker > real server > virtual server', async () => {
  const seen: string[] = [];
  const server = await tcpServer((s) => {
    let req = '';
    s.on('data', (d) => {
      req += d.toString('latin1');
      if (req.endsWith('\r\n\r\n')) {
        seen.push(req);
        s.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  try {
    const target = { address: '127.0.0.1', port: server.port };
    const block = http(url('        path /one\n        virtualhost url.test') + '\n' + url('        path /two'), '      virtualhost chk.test\n      http_protocol 1.1');
    const out = await check(block, target);
    assert.equal(out.ok, true, out.reason);
    assert.deepEqual(seen, [
      'GET /one HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: url.test\r\n\r\n',
      'GET /two HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: chk.test\r\n\r\n',
    ]);
    seen.length = 0;
    // real server and virtual server virtualhost: built by hand from the fixture's parsed config
    const ctx = checkerContext(http(url('        path /three')), target);
    await factory({ ...ctx, realServer: { ...ctx.realServer, virtualhost: 'rs.test' }, virtualServer: { ...ctx.virtualServer, virtualhost: 'vs.test' } }).run(NEVER);
    await factory({ ...ctx, virtualServer: { ...ctx.virtualServer, virtualhost: 'vs.test' } }).run(NEVER);
    await factory(ctx).run(NEVER);
    assert.deepEqual(seen.map((r) => /Host: (.*)\r\n/.exec(r)![1]), ['rs.test', 'vs.test', `127.0.0.1:${server.port}`]);
  } finally {
    await server.close();
  }
});

let nginx: NginxFixture | undefined;
before(async () => {
  if (haveNginx()) nginx = await startNginx();
});
after(async () => {
  await nginx?.stop();
});

test('nginx: status codes, digests, regexes, virtual hosts, several urls', async (t) => {
  if (!nginx) return t.skip('nginx is not installed');
  const target = { address: '127.0.0.1', port: nginx.httpPort };
  const files = nginx.files;
  const cases: Array<[string, string, boolean, RegExp]> = [
    ['default 200-299', http(url('        path /index.html')), true, /^HTTP status code success to \[127\.0\.0\.1\]:tcp:\d+ url\(\/index\.html\)$/],
    ['digest ok', http(url(`        path /index.html\n        digest ${md5(files.index!)}`)), true, /^MD5 digest success/],
    ['digest mismatch', http(url(`        path /index.html\n        digest ${md5('other')}`)), false, new RegExp(`^MD5 digest error to server .* url\\(/index.html\\) \\(got ${md5(files.index!)}\\)$`)],
    ['500', http(url('        path /s500')), false, /^HTTP status code error to server \[127\.0\.0\.1\]:tcp:\d+ url\(\/s500\) \(status 500\)$/],
    ['500 accepted', http(url('        path /s500\n        status_code 500')), true, /^HTTP status code success/],
    ['404 in a range', http(url('        path /s404\n        status_code 200 400-404')), true, /success/],
    ['missing file', http(url('        path /nothing-here')), false, /status 404/],
    ['vhost a', http(url(`        path /\n        virtualhost a.test\n        digest ${md5(files.a!)}`)), true, /MD5 digest success/],
    ['vhost b (checker level)', http(url(`        path /\n        digest ${md5(files.b!)}`), '      virtualhost b.test'), true, /MD5 digest success/],
    ['vhost b with digest of a', http(url(`        path /\n        virtualhost b.test\n        digest ${md5(files.a!)}`)), false, /MD5 digest error/],
    ['regex match', http(url('        path /index.html\n        regex "keep[a-z]+ved"')), true, /^Regex match success/],
    ['regex no match', http(url('        path /index.html\n        regex "^nope"')), false, /Regex match failed .*does not match/],
    ['regex_no_match', http(url('        path /index.html\n        regex "^nope"\n        regex_no_match')), true, /Regex match success/],
    ['regex caseless', http(url('        path /index.html\n        regex "HELLO"\n        regex_options caseless')), true, /Regex match success/],
    ['regex max offset', http(url('        path /index.html\n        regex "keepalived"\n        regex_max_offset 3')), false, /Regex match failed/],
    ['second url fails', http(url('        path /index.html') + '\n' + url('        path /s500')), false, /url\(\/s500\)/],
    ['http 1.1 and 1.0C', http(url(`        path /index.html\n        digest ${md5(files.index!)}`), '      http_protocol 1.1'), true, /MD5 digest success/],
  ];
  for (const [name, block, ok, reason] of cases) {
    const out = await check(block, target);
    assert.equal(out.ok, ok, `${name}: ${out.reason}`);
    assert.match(out.reason, reason, name);
  }
});

test('nginx over TLS: SSL_GET digests and status codes; the self-signed certificate is accepted', async (t) => {
  if (!nginx) return t.skip('nginx is not installed');
  const target = { address: '127.0.0.1', port: nginx.httpsPort };
  const ok = await check(http(url(`        path /index.html\n        digest ${md5(nginx.files.index!)}`), '', 'SSL_GET'), target);
  assert.equal(ok.ok, true, ok.reason);
  const vhost = await check(http(url(`        path /\n        digest ${md5(nginx.files.a!)}`), '      virtualhost a.test\n      enable_sni', 'SSL_GET'), target);
  assert.equal(vhost.ok, true, vhost.reason);
  const bad = await check(http(url('        path /s500'), '', 'SSL_GET'), target);
  assert.equal(bad.ok, false);
  assert.match(bad.reason, /^HTTP status code error to/);
  // plain HTTP spoken to the TLS port: nginx answers 400 in clear text
  const plain = await check(http(url('        path /index.html')), target);
  assert.equal(plain.ok, false);
});

test('SSL_GET sends SNI only with enable_sni, taken from the virtualhost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kats-sni-'));
  const names: Array<string | false> = [];
  const { cert, key } = selfSignedCert(dir, 'sni.test');
  const server = tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (s) => {
    names.push((s as tls.TLSSocket & { servername?: string | false }).servername ?? false);
    s.on('error', () => {});
    s.on('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const target = { address: '127.0.0.1', port };
    for (const extra of ['      virtualhost sni.test\n      enable_sni', '      virtualhost sni.test', '      enable_sni']) {
      const out = await check(http(url('        path /'), extra, 'SSL_GET'), target);
      assert.equal(out.ok, true, out.reason);
    }
    assert.deepEqual(names, ['sni.test', false, false]);
  } finally {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a closed port fails with "Connection failed"', async () => {
  const port = await freePort();
  const out = await check(http(url('        path /')), { address: '127.0.0.1', port });
  assert.equal(out.ok, false);
  assert.match(out.reason, /^Connection failed server \[127\.0\.0\.1\]:tcp:\d+ url\(\/\) \(ECONNREFUSED\)$/);
});

test('hostile servers: garbage, silence, never closing, trickling, endless body, early close', async () => {
  const behaviours: Record<string, (s: import('node:net').Socket) => void> = {
    garbage: (s) => s.once('data', () => s.end('\x00\x01garbage\r\n\r\nmore')),
    silent: () => {},
    neverCloses: (s) => s.once('data', () => s.write('HTTP/1.0 200 OK\r\n\r\npartial body')),
    trickle: (s) =>
      s.once('data', () => {
        const bytes = Buffer.from('HTTP/1.0 200 OK\r\n\r\n' + 'x'.repeat(1000));
        let i = 0;
        const timer = setInterval(() => (i < bytes.length && !s.destroyed ? s.write(bytes.subarray(i, ++i)) : clearInterval(timer)), 100);
        s.on('close', () => clearInterval(timer));
      }),
    endless: (s) =>
      s.once('data', () => {
        s.write('HTTP/1.0 200 OK\r\n\r\n');
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (!s.destroyed && s.write(chunk));
        };
        s.on('drain', pump);
        pump();
      }),
    closesEarly: (s) => s.once('data', () => s.end()),
    hugeHead: (s) => s.once('data', () => s.end('HTTP/1.0 200 OK\r\n' + 'X-Pad: y\r\n'.repeat(10_000) + '\r\n')),
  };
  const expected: Record<string, RegExp> = {
    garbage: /^HTTP status code error to .*bad status line/,
    silent: /^Timeout WEB read .*nothing received for 400 ms/,
    neverCloses: /^Timeout HTTP read .*nothing received for 400 ms/,
    trickle: /^Timeout HTTP read .*response not complete within 800 ms/,
    endless: /^HTTP response error from .*response body exceeds 8388608 bytes/,
    closesEarly: /^Read, no data received from .*no data received/,
    hugeHead: /^Read, no data received from .*response head exceeds/,
  };
  for (const [name, behaviour] of Object.entries(behaviours)) {
    const server = await tcpServer(behaviour);
    try {
      const out = await check(http(url('        path /')), { address: '127.0.0.1', port: server.port, connectTimeout: 400_000 });
      assert.equal(out.ok, false, name);
      assert.match(out.reason, expected[name]!, name);
    } finally {
      await server.close();
    }
  }
});

test('an aborted attempt resolves at once with a failure', async () => {
  const server = await tcpServer(() => {});
  try {
    const ac = new AbortController();
    const pending = check(http(url('        path /')), { address: '127.0.0.1', port: server.port, connectTimeout: 60_000_000 }, ac.signal);
    setTimeout(() => ac.abort(), 50);
    const out = await pending;
    assert.equal(out.ok, false);
    assert.equal(out.reason, 'check aborted');
  } finally {
    await server.close();
  }
});

test('regex translation keeps PCRE2 meaning or refuses the pattern', () => {
  const m = (p: string, opts: string[], body: string, min?: number, max?: number) => {
    const c = compileHttpRegex(p, opts);
    assert.notEqual(typeof c, 'string', `${p}: ${String(c)}`);
    return httpRegexMatches(c as Exclude<typeof c, string>, Buffer.from(body, 'latin1'), min, max);
  };
  assert.equal(m('end$', [], 'the end\n'), true, "PCRE2's $ also matches before a final newline");
  assert.equal(m('end$', ['dollar_endonly'], 'the end\n'), false);
  assert.equal(m('\\Aab', [], 'xab'), false);
  assert.equal(m('ab\\z', [], 'ab\n'), false);
  assert.equal(m('ab\\Z', [], 'ab\n'), true);
  assert.equal(m('a\\hb', [], 'a\tb'), true);
  assert.equal(m('a b # comment', ['extended'], 'ab'), true);
  assert.equal(m('(?i)abc', [], 'ABC'), true);
  assert.equal(m('[]a]', [], ']'), true);
  assert.equal(m('b', ['firstline'], 'a\nb'), false);
  assert.equal(m('abc', [], 'xxabc', 2), true);
  assert.equal(m('abc', [], 'xxabc', 3), false);
  assert.equal(m('abc', [], 'xxabc', 0, 1), false);
  assert.equal(m('\\xe9', [], '\xe9'), true, 'without utf one byte is one character');
  for (const refused of ['\\Qa.b\\E', 'a++', '(?>a)', 'a(?i)b', '\\Kx', '\\p{L}']) {
    assert.equal(typeof compileHttpRegex(refused, []), 'string', refused);
  }
  assert.equal(typeof compileHttpRegex('a', ['ungreedy']), 'string');
});

test("SSL_GET presents the config's SSL { } client certificate through the daemon's path (runtime → registry); an unreadable key fails the check", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kats-client-cert-'));
  const serverCert = selfSignedCert(path.join(dir), 'server.test');
  const clientDir = path.join(dir, 'client');
  fs.mkdirSync(clientDir);
  const clientCert = selfSignedCert(clientDir, 'director.test');
  const peers: string[] = [];
  const server = tls.createServer({ cert: fs.readFileSync(serverCert.cert), key: fs.readFileSync(serverCert.key), requestCert: true, rejectUnauthorized: false }, (s) => {
    peers.push(String(s.getPeerCertificate().subject?.CN ?? 'none'));
    s.on('error', () => {});
    s.on('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const conf = (key: string) =>
    `SSL {\n  certificate ${clientCert.cert}\n  key ${key}\n}\nvirtual_server 10.9.9.1 443 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n` +
    `  real_server 127.0.0.1 ${port} {\n    SSL_GET {\n      connect_timeout 2\n      retry 0\n      log_all_failures\n      url {\n        path /\n      }\n    }\n  }\n}\n`;
  const { CheckRuntime } = await import('../../src/check/check-runtime.js');
  const { loadConfigText } = await import('../../src/config/load.js');
  const { staticHostFacts, ethernetInterface } = await import('../../src/config/host-facts.js');
  const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });
  const run = async (key: string): Promise<string[]> => {
    const { config } = loadConfigText(conf(key), { host });
    const logs: string[] = [];
    const rt = new CheckRuntime({ virtualServers: config.lvs.virtualServers, ...(config.lvs.ssl ? { ssl: config.lvs.ssl } : {}), log: (_l, m) => logs.push(m), random: () => 0 });
    rt.start();
    try {
      const end = Date.now() + 15_000;
      while (rt.stats.attemptsFinished === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return logs;
    } finally {
      await rt.stop();
    }
  };
  try {
    await run(clientCert.key);
    assert.deepEqual(peers, ['director.test'], 'the server saw the configured client certificate');
    const logs = await run(path.join(dir, 'missing.key'));
    assert.ok(logs.some((l) => l.startsWith('SSL error : Cant load certificate or key file (')), logs.join('\n'));
    assert.deepEqual(peers, ['director.test'], 'without its key no TLS connection is made');
  } finally {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
