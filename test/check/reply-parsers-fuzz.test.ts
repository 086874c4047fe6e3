/**
 * The reply parsers of SMTP_CHECK, DNS_CHECK and PING_CHECK on arbitrary bytes: they never throw,
 * and what they keep stays bounded. (UDP_CHECK's matcher is covered by its own test.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SMTP_LIMITS, SmtpReplyReader } from '../../src/check/smtp-reply.js';
import { judgeDnsReply } from '../../src/check/dns-message.js';
import { isEchoReplyTo, parseIcmpMessage } from '../../src/check/icmp-echo.js';

const bytes = fc.uint8Array({ maxLength: 3000 });

test('SMTP reply reader: any byte stream, in any chunking, ends in more/reply/error without throwing', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(bytes, fc.constantFrom(...['220 ok\r\n', '250-x\r\n', '\n', '\r\n', '2', '220-'].map((s) => Buffer.from(s)))), { maxLength: 40 }), (chunks) => {
      const r = new SmtpReplyReader();
      let total = 0;
      for (const c of chunks) {
        total += c.length;
        const out = r.push(c);
        if (out.kind === 'reply') {
          assert.ok(out.reply.code >= 0 && out.reply.code <= 999);
          assert.ok(out.reply.lines.length <= SMTP_LIMITS.maxLines);
        }
        // once more than the reply limit came in without a reply, the reader has given up
        if (out.kind === 'more') assert.ok(total <= SMTP_LIMITS.maxReplyBytes + SMTP_LIMITS.maxLineBytes + 3000);
      }
    }),
    { numRuns: 300 },
  );
});

test('DNS and ICMP reply parsers: any datagram is judged without throwing', () => {
  const req = { id: 1, sequence: 2, payload: Buffer.from('abc') };
  fc.assert(
    fc.property(bytes, fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (b, id, withIp) => {
      const v = judgeDnsReply(id, b);
      assert.ok(['ignore', 'ok', 'error'].includes(v.kind));
      const m = parseIcmpMessage(b, withIp);
      if (typeof m !== 'string') {
        assert.ok(m.payload.length <= b.length);
        isEchoReplyTo('inet', m, req, true);
        isEchoReplyTo('inet6', m, req, false);
      }
    }),
    { numRuns: 2000 },
  );
});
