/** UDP_CHECK { } (check_udp.c): send a datagram, optionally require a (matching) reply. */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { UdpChecker } from '../model/lvs.js';
import { readUnsigned, need } from '../values.js';
import { checkConnectionOptions, checkerCommonKeywords, newCheckerBase, startChecker } from './checker-common.js';
import { currentChecker, currentRs, dequeueChecker } from './lvs-state.js';

function udp(ctx: KeywordContext): UdpChecker | undefined {
  const c = currentChecker(ctx);
  return c?.type === 'UDP_CHECK' ? c : undefined;
}

function hexVal(c: string, wildcard: boolean): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  let u = c;
  if (c >= 'a') u = String.fromCharCode(c.charCodeAt(0) - 32);
  if (u >= 'A' && u <= 'F') return u.charCodeAt(0) - 55;
  if (wildcard && u === 'X') return 0xfe;
  return 0xff;
}

/**
 * read_hex_str(): hex octets, blanks between octets allowed, a lone nibble before a blank is one
 * octet; with `wildcard`, x/X nibbles match anything. undefined when invalid or empty.
 */
export function readHexString(str: string, wildcard: boolean): { data: string; mask?: string } | undefined {
  const data: number[] = [];
  const mask: number[] = [];
  let usingMask = false;
  let p = 0;
  for (;;) {
    while (str[p] === ' ' || str[p] === '\t') p++;
    if (p >= str.length) break;
    let val = hexVal(str[p++]!, wildcard);
    if (val === 0xff) return undefined;
    let m = 0;
    if (val === 0xfe) {
      m = 0x0f;
      val = 0;
      usingMask = true;
    }
    if (p < str.length && str[p] !== ' ') {
      const hi = val << 4;
      m <<= 4;
      val = hexVal(str[p++]!, wildcard);
      if (val === 0xff) return undefined;
      if (val === 0xfe) {
        m |= 0x0f;
        val = 0;
        usingMask = true;
      }
      val |= hi;
    }
    data.push(val);
    mask.push(m);
  }
  if (data.length === 0) return undefined;
  const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return usingMask ? { data: hex(data), mask: hex(mask) } : { data: hex(data) };
}

export const udpCheckKeyword: KeywordDef = {
  name: 'UDP_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: send a UDP datagram (ICMP unreachable = down).',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'UDP_CHECK', currentRs(ctx), true) as UdpChecker;
    checker.requireReply = false;
    checker.minReplyLength = 0;
    checker.maxReplyLength = 255;
    startChecker(ctx, checker);
  },
  sub: [
    ...checkerCommonKeywords(true),
    {
      name: 'payload',
      args: '<HEX>',
      support: 'supported',
      summary: 'Bytes sent.',
      handler: (strvec, ctx) => {
        if (strvec.length === 1) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'UDP_CHECK payload requires a payload');
          return;
        }
        const r = readHexString(strvec.slice(1).join(' '), false);
        const u = udp(ctx);
        if (!r) ctx.report(ConfigErr.GENERAL_ERROR, 'Invalid hex string for UDP_CHECK payload');
        else if (u) u.payload = r.data;
        if (!r && u) delete u.payload;
      },
    },
    {
      name: 'require_reply',
      args: '[<HEX with x wildcards>]',
      support: 'supported',
      summary: 'A reply is needed (and must match the bytes given).',
      handler: (strvec, ctx) => {
        const u = udp(ctx);
        if (u) u.requireReply = true;
        if (strvec.length === 1) return;
        const r = readHexString(strvec.slice(1).join(' '), true);
        if (!r) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'Invalid hex string for UDP_CHECK reply');
          return;
        }
        if (u) {
          u.replyData = r.data;
          if (r.mask) u.replyMask = r.mask;
        }
      },
    },
    {
      name: 'min_reply_length',
      args: '<0..65535>',
      default: '0',
      support: 'supported',
      summary: 'Shortest acceptable reply.',
      handler: (strvec, ctx) => {
        const word = need(ctx, strvec, 1);
        const v = readUnsigned(ctx, word, 0, 65535);
        if (v === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `UDP_CHECK min length ${word} not valid - must be between 0 & 65535`);
          return;
        }
        const u = udp(ctx);
        if (u) u.minReplyLength = v;
      },
    },
    {
      name: 'max_reply_length',
      args: '<0..65535>',
      default: '255',
      support: 'supported',
      summary: 'Longest acceptable reply.',
      handler: (strvec, ctx) => {
        const word = need(ctx, strvec, 1);
        const v = readUnsigned(ctx, word, 0, 65535);
        if (v === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `UDP_CHECK max length ${word} not valid - must be between 0 & 65535`);
          return;
        }
        const u = udp(ctx);
        if (u) u.maxReplyLength = v;
      },
    },
  ],
  close: (ctx) => {
    const u = udp(ctx);
    if (!checkConnectionOptions(ctx, currentChecker(ctx)?.connection)) {
      dequeueChecker(ctx);
      return;
    }
    if (u && u.minReplyLength > u.maxReplyLength)
      ctx.report(
        ConfigErr.GENERAL_ERROR,
        `UDP_CHECK min_reply length ${u.minReplyLength} > max_reply_length ${u.maxReplyLength} - will always fail`,
      );
  },
};
