/**
 * Root keywords of the lvs area, in keepalived's order (check_parser.c init_check_keywords):
 * SSL { }, virtual_server_group NAME { }, virtual_server ... { }.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { SslConfig, VirtualServerGroup, VsgEntry } from '../model/lvs.js';
import { need, readUnsigned } from '../values.js';
import { canonicalAddress, ipv6Groups, nonZeroPort, parseSockAddr } from './lvs-address.js';
import { virtualServerKeyword } from './lvs-virtual-server.js';

const UINT_MAX = 4294967295;

function sslFile(field: 'password' | 'ca' | 'certificate' | 'key', what: string): KeywordDef {
  return {
    name: field,
    args: field === 'password' ? '<PASSWORD>' : '<FILE>',
    support: 'parsed',
    summary: field === 'password' ? 'Password of the private key.' : `SSL ${what} file.`,
    handler: (strvec, ctx) => {
      const ssl = ctx.config.lvs.ssl;
      if (strvec.length < 2) {
        ctx.report(ConfigErr.GENERAL_ERROR, `SSL ${what} missing`);
        return;
      }
      if (!ssl) return;
      if (ssl[field] !== undefined) ctx.report(ConfigErr.GENERAL_ERROR, `SSL ${what} already specified - replacing`);
      ssl[field] = strvec[1]!;
    },
  };
}

export const sslKeyword: KeywordDef = {
  name: 'SSL',
  args: '{ ... }',
  support: 'parsed',
  summary: 'SSL context for SSL_GET checkers (default: generated).',
  handler: (_strvec, ctx) => {
    if (ctx.config.lvs.ssl) ctx.report(ConfigErr.GENERAL_ERROR, 'SSL context already specified - replacing');
    const ssl: SslConfig = { at: ctx.position };
    ctx.config.lvs.ssl = ssl;
  },
  sub: [sslFile('password', 'password'), sslFile('ca', 'cafile'), sslFile('certificate', 'certfile'), sslFile('key', 'keyfile')],
};

/** strtoul(text, &end, base): value, whether anything was read, and the rest. */
function strtoul(text: string, base: number): { value: number; rest: string; overflow: boolean } {
  const m = (base === 16 ? /^[ \t\n\v\f\r]*[+-]?(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)/ : /^[ \t\n\v\f\r]*[+-]?([0-9]*)/).exec(text)!;
  if (m[1] === '') return { value: 0, rest: text, overflow: false };
  const v = parseInt(m[1]!, base);
  const neg = /^[ \t\n\v\f\r]*-/.test(text);
  return { value: neg ? 2 ** 64 - v : v, rest: text.slice(m[0].length), overflow: v >= 2 ** 64 };
}

/** IPv4 as a 32-bit number / IPv6 as 8 groups, for range arithmetic. */
function v4(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}
function v4text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** alloc_vsg_entry(): one line of a virtual_server_group. */
function vsgEntry(ctx: KeywordContext, vsg: VirtualServerGroup, words: Strvec): void {
  const addrStr = words[0]!;
  if (addrStr === 'fwmark') {
    const word = need(ctx, words, 1);
    const mark = readUnsigned(ctx, word, 0, UINT_MAX);
    if (mark === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, `(${vsg.name}): fwmark '${word}' must be in [0, ${UINT_MAX}] - ignoring`);
      return;
    }
    let family: VsgEntry['family'];
    if (words.length > 2) {
      const f = words[2]!;
      if (f === 'inet') {
        family = 'inet';
        vsg.haveIpv4 = true;
      } else if (f === 'inet6') {
        family = 'inet6';
        vsg.haveIpv6 = true;
      } else {
        ctx.report(ConfigErr.GENERAL_ERROR, `(${vsg.name}): fwmark '${mark}' family ${f} unknown - ignoring`);
        return;
      }
    } else vsg.fwmarkNoFamily = true;
    vsg.entries.push({ kind: 'fwmark', at: ctx.position, fwmark: mark, family });
    return;
  }

  const portStr = nonZeroPort(words[1]);
  const addr = parseSockAddr(ctx, addrStr, portStr);
  if (!addr) {
    ctx.report(
      ConfigErr.GENERAL_ERROR,
      `Invalid virtual server group IP address ${addrStr} ${portStr !== undefined ? '/port/' + portStr : ''} - skipping`,
    );
    return;
  }
  const family = addr.family!;
  let end = addr.address;
  const slash = addrStr.indexOf('/');
  if (slash >= 0) {
    const maskText = addrStr.slice(slash + 1);
    const mask = /^[0-9]+$/.test(maskText) ? Number(maskText) : NaN;
    if (!(mask > 0) || (family === 'inet' && mask > 32) || (family === 'inet6' && mask > 128)) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Invalid netmask - ${addrStr} - skipping`);
      return;
    }
    let bad = false;
    if (family === 'inet' && mask < 32) {
      const hostBits = 2 ** (32 - mask) - 1;
      const a = v4(addr.address);
      if (a % (hostBits + 1) !== 0) bad = true;
      else end = v4text(a + hostBits);
    } else if (family === 'inet6' && mask < 128) {
      // keepalived only handles the 16-bit group holding the mask boundary and the ones after it
      const g = ipv6Groups(addr.address);
      const i = Math.floor(mask / 16);
      const bits = (1 << (16 - (mask % 16))) - 1;
      if (g[i]! & bits) bad = true;
      else {
        const e = [...g];
        e[i] = e[i]! | bits;
        for (let k = i + 1; k < 8; k++) {
          if (g[k]) bad = true;
          else e[k] = 0xffff;
        }
        end = canonicalAddress('inet6', e.map((x) => x.toString(16)).join(':'));
      }
    }
    if (bad) {
      ctx.report(ConfigErr.GENERAL_ERROR, `Address mask bits not empty - ${addrStr} - skipping`);
      return;
    }
  } else {
    const dash = addrStr.indexOf('-');
    const endStr = dash >= 0 ? addrStr.slice(dash + 1) : undefined;
    if (endStr !== undefined && ((family === 'inet' && endStr.includes('.')) || (family === 'inet6' && endStr.includes(':')))) {
      const e = parseSockAddr(ctx, endStr, portStr);
      if (!e) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid range end ${addrStr} - skipping`);
        return;
      }
      if (e.family !== family) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Range address families do not match ${addrStr} - skipping`);
        return;
      }
      let less = false;
      if (family === 'inet') less = v4(e.address) < v4(addr.address);
      else {
        const a = ipv6Groups(addr.address);
        const b = ipv6Groups(e.address);
        for (let k = 0; k < 8; k++) {
          if (b[k]! !== a[k]!) {
            less = b[k]! < a[k]!;
            break;
          }
        }
      }
      if (less) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Address range end is less than address range start - ${addrStr} - skipping`);
        return;
      }
      end = e.address;
    } else if (endStr !== undefined) {
      // inet_stor(): the last octet (IPv4, decimal) or last group (IPv6, hex)
      const { value, rest, overflow } = strtoul(endStr, family === 'inet6' ? 16 : 10);
      if (rest !== '') {
        ctx.report(ConfigErr.INVALID_NUMBER, `Virtual server group range '${addrStr}' has extra characters at end '${rest}'`);
        return;
      }
      if (overflow || (family === 'inet6' && value > 0xffff) || (family === 'inet' && value > 255)) {
        ctx.report(ConfigErr.INVALID_NUMBER, `Virtual server group range '${addrStr}' end '${endStr}' too large`);
        return;
      }
      let start: number;
      if (family === 'inet') {
        const a = v4(addr.address);
        start = a & 0xff;
        end = v4text(a - start + value);
      } else {
        const g = ipv6Groups(addr.address);
        start = g[7]!;
        end = canonicalAddress('inet6', [...g.slice(0, 7), value].map((x) => x.toString(16)).join(':'));
      }
      if (start >= value) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Address range end is not greater than address range start - ${addrStr} - skipping`);
        return;
      }
    }
  }
  vsg.entries.push({ kind: 'range', at: ctx.position, family, start: addr.address, end, port: addr.port, text: addrStr });
  if (family === 'inet') vsg.haveIpv4 = true;
  else vsg.haveIpv6 = true;
}

export const virtualServerGroupKeyword: KeywordDef = {
  name: 'virtual_server_group',
  args: '<NAME> { <IP>[-<END>|/<MASK>] [<PORT>] | fwmark <N> [inet|inet6] ... }',
  support: 'supported',
  summary: 'A set of addresses, ranges and fwmarks served by one virtual_server group NAME.',
  handler: (strvec, ctx) => {
    const name = need(ctx, strvec, 1);
    const vsg: VirtualServerGroup = { at: ctx.position, name, entries: [], haveIpv4: false, haveIpv6: false, fwmarkNoFamily: false };
    const groups = ctx.config.lvs.virtualServerGroups;
    groups.push(vsg);
    // keepalived hands alloc_value_block a vector without the group name (and a NULL keyword)
    ctx.readValueBlock(['(null)', ...strvec.slice(2)], (words) => vsgEntry(ctx, vsg, words));
    if (vsg.entries.length === 0) {
      ctx.report(ConfigErr.GENERAL_ERROR, `virtual server group ${name} has no entries - removing`);
      groups.splice(groups.indexOf(vsg), 1);
    } else if (vsg.haveIpv4 && vsg.haveIpv6 && vsg.fwmarkNoFamily) {
      ctx.report(ConfigErr.GENERAL_ERROR, `virtual server group ${name} cannot have IPv4, IPv6 and fwmark without family - removing`);
      groups.splice(groups.indexOf(vsg), 1);
    }
  },
};

export const lvsRootKeywords: readonly KeywordDef[] = [sslKeyword, virtualServerGroupKeyword, virtualServerKeyword];
