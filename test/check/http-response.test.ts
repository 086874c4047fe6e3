/**
 * The bounded HTTP response parser: framing (Content-Length, chunked, close-delimited, no-body
 * statuses), every limit, and fuzzing (random bytes and random splits: only HttpResponseError is
 * ever thrown, and how the input is split never changes the result).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpResponseError, HttpResponseParser, type HttpResponseLimits } from '../../src/check/http-response.js';

interface Parsed {
  status?: number;
  headers?: ReadonlyArray<readonly [string, string]>;
  wire: string;
  data: string;
  end?: { truncated: boolean };
  error?: string;
  complete: boolean;
}

function parse(chunks: ReadonlyArray<string | Uint8Array>, eof = true, limits: Partial<HttpResponseLimits> = {}): Parsed {
  const p = new HttpResponseParser(limits);
  const out: Parsed = { wire: '', data: '', complete: false };
  const take = (events: ReturnType<HttpResponseParser['push']>) => {
    for (const ev of events) {
      if (ev.type === 'head') {
        out.status = ev.head.statusCode;
        out.headers = ev.head.headers;
      } else if (ev.type === 'body') {
        out.wire += Buffer.from(ev.wire).toString('latin1');
        out.data += Buffer.from(ev.data).toString('latin1');
      } else out.end = { truncated: ev.truncated };
    }
  };
  try {
    for (const c of chunks) take(p.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
    if (eof) take(p.finish());
  } catch (e) {
    if (!(e instanceof HttpResponseError)) throw e;
    out.error = e.code;
  }
  out.complete = p.complete;
  return out;
}

const everySplit = (text: string, eof = true): Parsed[] => {
  const results: Parsed[] = [];
  for (let i = 0; i <= text.length; i++) results.push(parse([text.slice(0, i), text.slice(i)], eof));
  return results;
};

test('Content-Length body: complete at the announced length, bytes after it ignored, any split', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhelloEXTRA';
  for (const r of everySplit(text, false)) {
    assert.deepEqual(r, { status: 200, headers: [['Content-Length', '5'], ['X-A', 'b']], wire: 'hello', data: 'hello', end: { truncated: false }, complete: true });
  }
  const short = parse(['HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nhel']);
  assert.equal(short.wire, 'hel');
  assert.deepEqual(short.end, { truncated: true });
});

test('chunked body: decoded data, raw wire bytes (what keepalived hashes), trailers, any split', () => {
  const body = '5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
  const text = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n${body}junk`;
  for (const r of everySplit(text, false)) {
    assert.equal(r.error, undefined);
    assert.equal(r.data, 'hello, world');
    assert.equal(r.wire, body);
    assert.deepEqual(r.end, { truncated: false });
  }
  assert.deepEqual(parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel']).end, { truncated: true });
});

test('close-delimited body ends at EOF; 204, 304, 1xx and Content-Length 0 have no body', () => {
  const r = parse(['HTTP/1.0 200 OK\r\nServer: x\r\n\r\n', 'abc', 'def']);
  assert.equal(r.wire, 'abcdef');
  assert.deepEqual(r.end, { truncated: false });
  for (const head of ['HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\n\r\n', 'HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']) {
    const n = parse([head + 'ignored'], false);
    assert.equal(n.complete, true, head);
    assert.equal(n.wire, '');
  }
  assert.equal(parse(['HTTP/1.1 200\r\n\r\n']).status, 200, 'an empty reason phrase is accepted');
  assert.deepEqual(parse(['HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\r\n']).headers, [['X-Long', 'a b']]);
});

test('bad input: each violation is a typed error with its code', () => {
  const cases: Array<[string[], string, Partial<HttpResponseLimits>?]> = [
    [[], 'no-response'],
    [['HTTP/1.1 200 OK\r\nX: y\r\n'], 'incomplete-head'],
    [['garbage\r\n\r\n'], 'bad-status-line'],
    [['HTTP/1.1 2000 OK\r\n\r\n'], 'bad-status-line'],
    [['ICY 200 OK\r\n\r\n'], 'bad-status-line'],
    [['HTTP/1.1 200 OK\r\nno colon\r\n\r\n'], 'bad-header'],
    [['HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n'], 'bad-header'],
    [['HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n'], 'bad-header'],
    [['HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n'], 'bad-header'],
    [['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'], 'bad-content-length'],
    [['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'], 'bad-content-length'],
    [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'], 'bad-chunk'],
    [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX'], 'bad-chunk'],
    [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab'], 'bad-chunk'],
    [['HTTP/1.1 200 OK\r\nX: ' + 'a'.repeat(200) + '\r\n\r\n'], 'header-too-large', { maxHeaderBytes: 100 }],
    [['HTTP/1.1 200 OK\r\n' + 'a'.repeat(200)], 'header-too-large', { maxHeaderBytes: 100 }],
    [['HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(5) + '\r\n'], 'too-many-headers', { maxHeaderCount: 4 }],
    [['HTTP/1.1 200 OK\r\n\r\n', 'x'.repeat(50), 'x'.repeat(51)], 'body-too-large', { maxBodyBytes: 100 }],
    [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '1\r\nx\r\n'.repeat(30)], 'body-too-large', { maxBodyBytes: 100 }],
    [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1' + ' '.repeat(2000)], 'bad-chunk'],
  ];
  for (const [chunks, code, limits] of cases) assert.equal(parse(chunks, true, limits).error, code, JSON.stringify(chunks).slice(0, 80));
});

test('a gigantic head or body is refused without buffering it', () => {
  const p = new HttpResponseParser({ maxHeaderBytes: 4096, maxBodyBytes: 1 << 20 });
  const mb = Buffer.alloc(1 << 20, 0x61);
  assert.throws(() => p.push(mb), (e: unknown) => e instanceof HttpResponseError && e.code === 'header-too-large');
  const q = new HttpResponseParser({ maxBodyBytes: 1 << 20 });
  q.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\n'));
  q.push(mb.subarray(0, (1 << 20) - 1));
  assert.throws(() => {
    for (let i = 0; i < 10; i++) q.push(mb);
  }, (e: unknown) => e instanceof HttpResponseError && e.code === 'body-too-large');
});

test('fuzz: random bytes never throw anything but HttpResponseError', () => {
  const limits = { maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 2048, maxChunkLineBytes: 32 };
  const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n');
  fc.assert(
    fc.property(prefix, fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.boolean(), (head, chunks, eof) => {
      const all = [Buffer.from(head, 'latin1'), ...chunks];
      parse(all, eof, limits); // parse() rethrows anything that is not an HttpResponseError
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: a generated valid response parses the same however it is split', () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
  const value = fc.stringMatching(/^[ -~]{0,20}$/).map((s) => s.trim());
  const response = fc.record({
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    headers: fc.array(fc.tuple(token, value), { maxLength: 5 }).map((hs) => hs.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n))),
    chunks: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 5 }),
    framing: fc.constantFrom('length', 'chunked', 'close'),
  });
  fc.assert(
    fc.property(response, fc.array(fc.nat(), { maxLength: 6 }), ({ status, headers, chunks, framing }, cuts) => {
      const body = Buffer.concat(chunks);
      let head = `HTTP/1.1 ${status} X\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
      let wire: Buffer;
      if (framing === 'length') {
        head += `Content-Length: ${body.length}\r\n`;
        wire = body;
      } else if (framing === 'chunked') {
        head += 'Transfer-Encoding: chunked\r\n';
        wire = Buffer.concat([...chunks.map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')])), Buffer.from('0\r\n\r\n')]);
      } else wire = body;
      const bytes = Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), wire]);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const pieces: Buffer[] = [];
      let at = 0;
      for (const p of points) {
        pieces.push(bytes.subarray(at, p));
        at = p;
      }
      pieces.push(bytes.subarray(at));
      const r = parse(pieces);
      assert.equal(r.error, undefined);
      assert.equal(r.status, status);
      assert.equal(r.data, body.toString('latin1'));
      assert.equal(r.wire, wire.toString('latin1'));
      assert.deepEqual(r.end, { truncated: false });
    }),
    { numRuns: 1000 },
  );
});
