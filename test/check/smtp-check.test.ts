/**
 * SMTP_CHECK: the bounded reply reader, and whole dialogues against tiny SMTP servers on loopback
 * (good, multi-line, bad banner, bad HELO, garbage, oversized, silent, trickling, closed port).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { SmtpReplyReader } from '../../src/check/smtp-reply.js';
import { createSmtpCheck } from '../../src/check/smtp-check.js';
import { checkerFactory } from '../../src/check/checker-registry.js';
import { checkerContext, NEVER } from './checker-fixture.js';

const read = (...chunks: string[]) => {
  const r = new SmtpReplyReader();
  let last = r.push(Buffer.alloc(0));
  for (const c of chunks) last = r.push(Buffer.from(c, 'latin1'));
  return last;
};

test('reply reader: single line, bare code, CRLF split across chunks, bare LF', () => {
  assert.deepEqual(read('220 mail.example ESMTP\r\n'), { kind: 'reply', reply: { code: 220, lines: ['mail.example ESMTP'] } });
  assert.deepEqual(read('250\r\n'), { kind: 'reply', reply: { code: 250, lines: [''] } });
  assert.deepEqual(read('22', '0 hi\r', '\n'), { kind: 'reply', reply: { code: 220, lines: ['hi'] } });
  assert.deepEqual(read('221 bye\n'), { kind: 'reply', reply: { code: 221, lines: ['bye'] } });
  assert.deepEqual(read('220 partial'), { kind: 'more' });
});

test('reply reader: multi-line replies are read to their last line', () => {
  assert.deepEqual(read('250-first\r\n250-second\r\n', '250 last\r\n'), { kind: 'reply', reply: { code: 250, lines: ['first', 'second', 'last'] } });
  assert.deepEqual(read('220-wait\r\n'), { kind: 'more' });
  const changed = read('250-a\r\n251 b\r\n');
  assert.equal(changed.kind, 'error');
  assert.match((changed as { reason: string }).reason, /changed from 250 to 251/);
});

test('reply reader: malformed and oversized input are errors, with bounded memory', () => {
  for (const bad of ['hello\r\n', '22 x\r\n', '2200 x\r\n', '220x\r\n', '\r\n']) {
    const r = read(bad);
    assert.equal(r.kind, 'error', bad);
    assert.match((r as { reason: string }).reason, /malformed reply line/);
  }
  const long = read('220 ' + 'x'.repeat(5000));
  assert.equal(long.kind, 'error');
  assert.match((long as { reason: string }).reason, /longer than 2048 bytes/);
  const many = read('250-x\r\n'.repeat(100));
  assert.equal(many.kind, 'error');
  assert.match((many as { reason: string }).reason, /more than 64 lines/);
  // after an error the reader stays failed and keeps nothing
  const r = new SmtpReplyReader();
  r.push(Buffer.from('junk\r\n'));
  assert.equal(r.push(Buffer.from('220 ok\r\n')).kind, 'error');
  // control characters are escaped in the reason
  const ctl = read('\x01\x02zz\r\n');
  assert.match((ctl as { reason: string }).reason, /\\x01\\x02zz/);
});

/** A scripted SMTP server: `onLine` answers each received line; everything received is recorded. */
async function smtpServer(opts: {
  banner?: string | ((sock: net.Socket) => void);
  onLine?: (line: string, sock: net.Socket) => void;
}): Promise<{ port: number; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    const chunks: string[] = [];
    received.push('');
    const idx = received.length - 1;
    sock.on('data', (d) => {
      chunks.push(d.toString('latin1'));
      received[idx] = chunks.join('');
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        opts.onLine?.(line, sock);
      }
    });
    if (typeof opts.banner === 'function') opts.banner(sock);
    else if (opts.banner !== undefined) sock.write(opts.banner);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const goodDialogue = (line: string, sock: net.Socket) => {
  if (line.startsWith('HELO ')) sock.write('250 pleased to meet you\r\n');
  else if (line === 'QUIT\r\n') sock.end('221 bye\r\n');
};

function smtpAttempt(port: number, block = '    SMTP_CHECK {\n      helo_name probe.example\n    }', connectTimeoutUs = 2_000_000) {
  return createSmtpCheck(checkerContext(block, { address: '127.0.0.1', port, connectTimeout: connectTimeoutUs }));
}

test('SMTP_CHECK: a good server sees exactly HELO <helo_name> then QUIT, and the check passes', async () => {
  const srv = await smtpServer({ banner: '220 mx.test ESMTP\r\n', onLine: goodDialogue });
  try {
    const out = await smtpAttempt(srv.port).run(NEVER);
    assert.deepEqual(out, { ok: true, reason: `Remote SMTP server [127.0.0.1]:${srv.port} succeed on service` });
    assert.deepEqual(srv.received, ['HELO probe.example\r\nQUIT\r\n']);
    // the default helo_name, through the registry
    const ctx = checkerContext('    SMTP_CHECK {\n    }', { address: '127.0.0.1', port: srv.port });
    const viaRegistry = checkerFactory('SMTP_CHECK')!(ctx);
    assert.equal((await viaRegistry.run(NEVER)).ok, true);
    assert.equal(srv.received[1], 'HELO smtpchecker.keepalived.org\r\nQUIT\r\n');
  } finally {
    await srv.close();
  }
});

test('SMTP_CHECK: multi-line banner and HELO reply, sent in pieces', async () => {
  const srv = await smtpServer({
    banner: (sock) => {
      sock.write('220-mx.test ESMTP\r\n220-');
      setTimeout(() => sock.write('no UCE\r\n220 ready\r\n'), 20);
    },
    onLine: (line, sock) => {
      if (line.startsWith('HELO ')) sock.write('250-mx.test\r\n250-SIZE 1000\r\n250 8BITMIME\r\n');
      else if (line === 'QUIT\r\n') sock.end('221 bye\r\n');
    },
  });
  try {
    assert.equal((await smtpAttempt(srv.port).run(NEVER)).ok, true);
    assert.deepEqual(srv.received, ['HELO probe.example\r\nQUIT\r\n']);
  } finally {
    await srv.close();
  }
});

test('SMTP_CHECK: bad banner, bad HELO reply, garbage and oversized replies fail with a reason', async () => {
  const cases: Array<{ banner: string; onLine?: (l: string, s: net.Socket) => void; reason: RegExp; sent: string }> = [
    { banner: '554 go away\r\n', reason: /^Bad greeting banner from server \[127\.0\.0\.1\]:\d+ \(554\)$/, sent: '' },
    { banner: '220 ok\r\n', onLine: (_l, s) => s.write('500 what\r\n'), reason: /^Bad HELO response from server .* \(500\)$/, sent: 'HELO probe.example\r\n' },
    { banner: 'SSH-2.0-OpenSSH_9.2\r\n', reason: /^Bad reply from server .*: malformed reply line 'SSH-2\.0-OpenSSH_9\.2'$/, sent: '' },
    { banner: '220 ' + 'A'.repeat(100_000), reason: /reply line longer than 2048 bytes/, sent: '' },
  ];
  for (const c of cases) {
    const srv = await smtpServer({ banner: c.banner, ...(c.onLine ? { onLine: c.onLine } : {}) });
    try {
      const out = await smtpAttempt(srv.port).run(NEVER);
      assert.equal(out.ok, false);
      assert.match(out.reason, c.reason);
      // let anything the checker wrote reach the server before looking
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(srv.received, [c.sent]);
    } finally {
      await srv.close();
    }
  }
});

test('SMTP_CHECK: connection closed before the QUIT answer fails; a closed port fails', async () => {
  const srv = await smtpServer({
    banner: '220 ok\r\n',
    onLine: (line, sock) => {
      if (line.startsWith('HELO ')) sock.write('250 ok\r\n');
      else sock.destroy();
    },
  });
  try {
    const out = await smtpAttempt(srv.port).run(NEVER);
    assert.equal(out.ok, false);
    assert.match(out.reason, /^Read failure from server \[127\.0\.0\.1\]:\d+: connection closed during quit$/);
  } finally {
    await srv.close();
  }
  // a port with nobody listening: take one from the kernel and close it again
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  const closedPort = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
  const out = await smtpAttempt(closedPort).run(NEVER);
  assert.deepEqual(out, { ok: false, reason: `Error connecting to server [127.0.0.1]:${closedPort}: ECONNREFUSED` });
});

test('SMTP_CHECK: a silent server and a trickling server time out per stage; abort ends an attempt', async () => {
  const silent = await smtpServer({});
  let trickle: NodeJS.Timeout | undefined;
  const trickling = await smtpServer({
    banner: (sock) => {
      // one byte every 50 ms, never a newline
      trickle = setInterval(() => sock.writable && sock.write('2'), 50);
    },
  });
  try {
    const out = await smtpAttempt(silent.port, undefined, 300_000).run(NEVER);
    assert.equal(out.ok, false);
    assert.match(out.reason, /^Read timeout from server \[127\.0\.0\.1\]:\d+ \(waiting for the banner reply\)$/);
    const slow = await smtpAttempt(trickling.port, undefined, 300_000).run(NEVER);
    assert.equal(slow.ok, false);
    assert.match(slow.reason, /^Read timeout from server/);

    const ac = new AbortController();
    const pending = smtpAttempt(silent.port, undefined, 60_000_000).run(ac.signal);
    setTimeout(() => ac.abort(), 50);
    assert.deepEqual(await pending, { ok: false, reason: 'check aborted' });
  } finally {
    if (trickle) clearInterval(trickle);
    await silent.close();
    await trickling.close();
  }
});
