/**
 * bfd_instance (keepalived/bfd/bfd_parser.c). keepalived parses the block in three processes:
 * the BFD process (session parameters, and the checks of bfd_end_handler), the VRRP process
 * (name and `weight`, alloc_vrrp_tracked_bfd) and the checker process (name). keepalived-ts
 * parses it once and reports the union of what those passes report.
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef, Strvec } from '../keyword-table.js';
import type { BfdInstance } from '../model/bfd.js';
import { familyOf, inetPton } from '../entries/inet.js';
import { need, readDecimal, readInt, readUnsigned } from '../values.js';

const BFD_INAME_MAX = 32;
const BFD_MINRX_MIN = 1;
const BFD_MINRX_MAX = Math.floor(4294967295 / 1000);
const BFD_MINTX_MIN = 1;
const BFD_MINTX_MAX = BFD_MINRX_MAX;
const BFD_IDLETX_MIN = 1000;
const BFD_IDLETX_MAX = BFD_MINRX_MAX;
const BFD_MULTIPLIER_MIN = 1;
const BFD_MULTIPLIER_MAX = 255;
const BFD_TTL_MAX = 255;
export const BFD_CONTROL_TTL = 255;
export const BFD_CONTROL_HOPLIMIT = 64;

const KEY = 'bfd.current';
const err = (ctx: KeywordContext, msg: string) => ctx.report(ConfigErr.GENERAL_ERROR, msg);

interface Current {
  bfd: BfdInstance;
  /** The BFD process freed it while parsing the block (malformed neighbor). */
  dropped: boolean;
  /** `vrrp` / `checker` seen in this block (keepalived's specified_event_processes). */
  events: { vrrp: boolean; checker: boolean };
}

const current = (ctx: KeywordContext) => ctx.scratch.get(KEY) as Current | undefined;

/** keepalived's inet_stosockaddr() (no range/mask allowed here: they are cut off, as keepalived). */
function parseAddr(text: string): { family: 'inet' | 'inet6'; address: string } | undefined {
  const family = familyOf(text);
  let cut = text.indexOf('-');
  if (cut < 0) cut = text.indexOf('/');
  const address = inetPton(family, cut >= 0 ? text.slice(0, cut) : text);
  return address === undefined ? undefined : { family, address };
}

function bfdOpen(strvec: Strvec, ctx: KeywordContext): void {
  const name = need(ctx, strvec, 1);
  const list = ctx.config.bfd.instances;
  ctx.scratch.delete(KEY);
  if (name.length >= BFD_INAME_MAX) {
    // BFD process (alloc_bfd) and VRRP process (alloc_vrrp_tracked_bfd)
    err(ctx, `Configuration error: BFD instance ${name} name too long (maximum length is ${BFD_INAME_MAX - 1} characters) - ignoring`);
    err(ctx, `BFD name ${name} too long`);
    ctx.skipBlock(true);
    return;
  }
  if (list.some((b) => b.name === name)) {
    err(ctx, `Configuration error: BFD instance ${name} already configured - ignoring`);
    err(ctx, `BFD ${name} already specified`);
    ctx.skipBlock(true);
    return;
  }
  const bfd: BfdInstance = {
    name,
    neighborIp: undefined,
    neighborFamily: undefined,
    sourceIp: undefined,
    sourceFamily: undefined,
    minRx: 10_000,
    minTx: 10_000,
    idleTx: 1_000_000,
    multiplier: 5,
    passive: false,
    ttl: 0,
    maxHops: 0,
    weight: 0,
    weightReverse: false,
    vrrp: true,
    checker: true,
    disabled: false,
    at: ctx.position,
  };
  list.push(bfd);
  ctx.scratch.set(KEY, { bfd, dropped: false, events: { vrrp: false, checker: false } } satisfies Current);
}

/** A keyword the BFD process handles; skipped once the BFD process dropped the instance. */
function bfdOnly(handler: (bfd: BfdInstance, strvec: Strvec, ctx: KeywordContext) => void): KeywordDef['handler'] {
  return (strvec, ctx) => {
    const cur = current(ctx);
    if (!cur || cur.dropped) return;
    handler(cur.bfd, strvec, ctx);
  };
}

function neighborHandler(bfd: BfdInstance, strvec: Strvec, ctx: KeywordContext): void {
  const text = need(ctx, strvec, 1);
  // sic: keepalived compares the address word with "neighbour_ip", so it always says "neighbor"
  const word = text === 'neighbour_ip' ? 'neighbour' : 'neighbor';
  const a = parseAddr(text);
  if (!a) {
    err(ctx, `Configuration error: BFD instance ${bfd.name} has malformed ${word} address ${text}, ignoring instance`);
    bfd.disabled = true;
    current(ctx)!.dropped = true;
    return;
  }
  bfd.neighborIp = a.address;
  bfd.neighborFamily = a.family;
}

function intervalKeyword(name: 'min_rx' | 'min_tx' | 'idle_tx', min: number, max: number, field: 'minRx' | 'minTx' | 'idleTx', def: string): KeywordDef {
  return {
    name,
    handler: bfdOnly((bfd, strvec, ctx) => {
      const v = readDecimal(ctx, need(ctx, strvec, 1), min * 1000, max * 1000, 3);
      if (v === undefined) {
        err(ctx, `Configuration error: BFD instance ${bfd.name} ${name} value ${strvec[1]} is not valid (must be in range [${min}-${max}]), ignoring`);
        return;
      }
      bfd[field] = v;
    }),
    args: '<MILLISECONDS>',
    default: def,
    support: 'parsed',
    summary: `BFD ${name.replace('_', ' ')} interval`,
  };
}

const ttlKeyword = (name: string): KeywordDef => ({
  name,
  handler: bfdOnly((bfd, strvec, ctx) => {
    const v = readUnsigned(ctx, need(ctx, strvec, 1), 1, BFD_TTL_MAX);
    if (v === undefined)
      err(ctx, `Configuration error: BFD instance ${bfd.name} ttl/hoplimit value ${strvec[1]} not valid (must be in range [1-${BFD_TTL_MAX}]), ignoring`);
    else bfd.ttl = v;
  }),
  args: '<1..255>',
  default: '255 (IPv4) / 64 (IPv6)',
  support: 'parsed',
  summary: 'TTL / hop limit of sent packets',
});

const neighborKeyword = (name: string): KeywordDef => ({
  name,
  handler: bfdOnly(neighborHandler),
  args: '<IP>',
  support: 'parsed',
  summary: 'address of the BFD peer',
});

export const bfdInstanceKeywords: readonly KeywordDef[] = [
  {
    name: 'source_ip',
    handler: bfdOnly((bfd, strvec, ctx) => {
      const a = parseAddr(need(ctx, strvec, 1));
      if (!a) err(ctx, `Configuration error: BFD instance ${bfd.name} has malformed source address ${strvec[1]}, ignoring`);
      else {
        bfd.sourceIp = a.address;
        bfd.sourceFamily = a.family;
      }
    }),
    args: '<IP>',
    support: 'parsed',
    summary: 'local address of the session',
  },
  neighborKeyword('neighbor_ip'),
  neighborKeyword('neighbour_ip'),
  intervalKeyword('min_rx', BFD_MINRX_MIN, BFD_MINRX_MAX, 'minRx', '10'),
  intervalKeyword('min_tx', BFD_MINTX_MIN, BFD_MINTX_MAX, 'minTx', '10'),
  intervalKeyword('idle_tx', BFD_IDLETX_MIN, BFD_IDLETX_MAX, 'idleTx', '1000'),
  {
    name: 'multiplier',
    handler: bfdOnly((bfd, strvec, ctx) => {
      const v = readUnsigned(ctx, need(ctx, strvec, 1), BFD_MULTIPLIER_MIN, BFD_MULTIPLIER_MAX);
      if (v === undefined)
        err(ctx, `Configuration error: BFD instance ${bfd.name} multiplier value ${strvec[1]} not valid (must be in range [${BFD_MULTIPLIER_MIN}-${BFD_MULTIPLIER_MAX}]), ignoring`);
      else bfd.multiplier = v;
    }),
    args: '<1..255>',
    default: '5',
    support: 'parsed',
    summary: 'detection time multiplier',
  },
  {
    name: 'passive',
    handler: bfdOnly((bfd) => {
      bfd.passive = true;
    }),
    args: '',
    default: 'off',
    support: 'parsed',
    summary: 'wait for the peer to start the session',
  },
  ttlKeyword('ttl'),
  ttlKeyword('hoplimit'),
  {
    name: 'max_hops',
    handler: bfdOnly((bfd, strvec, ctx) => {
      const v = readInt(ctx, need(ctx, strvec, 1), -1, BFD_TTL_MAX);
      if (v === undefined)
        err(ctx, `Configuration error: BFD instance ${bfd.name} max_hops value ${strvec[1]} not valid (must be in range [-1-${BFD_TTL_MAX}]), ignoring`);
      else bfd.maxHops = v;
    }),
    args: '<-1..255>',
    default: '0',
    support: 'parsed',
    summary: 'largest TTL decrease accepted on received packets (-1: no check)',
  },
  {
    // the VRRP process's handler: it runs even when the BFD process dropped the instance
    name: 'weight',
    handler: (strvec, ctx) => {
      const cur = current(ctx);
      if (!cur) return;
      const bfd = cur.bfd;
      const v = readInt(ctx, need(ctx, strvec, 1), -253, 253);
      if (v === undefined)
        err(ctx, `Configuration error: BFD instance ${bfd.name} weight value ${strvec[1]} not valid (must be in range [-253-253]), ignoring`);
      else bfd.weight = v;
      if (strvec.length >= 3) {
        if (strvec[2] !== 'reverse') err(ctx, `Configuration error: BFD instance ${bfd.name} unknown weight option ${strvec[2]}`);
        else bfd.weightReverse = true;
      }
    },
    args: '<-253..253> [reverse]',
    default: '0',
    support: 'parsed',
    summary: 'priority change of tracking VRRP instances when the session is down',
  },
  {
    name: 'vrrp',
    handler: (_s, ctx) => {
      const cur = current(ctx);
      if (cur) cur.events.vrrp = true;
    },
    args: '',
    support: 'parsed',
    summary: 'send events to VRRP (default: VRRP and checker)',
  },
  {
    name: 'checker',
    handler: (_s, ctx) => {
      const cur = current(ctx);
      if (cur) cur.events.checker = true;
    },
    args: '',
    support: 'parsed',
    summary: 'send events to the checker (default: VRRP and checker)',
  },
];

/** bfd_end_handler(): the checks the BFD process makes when the block closes. */
function bfdClose(ctx: KeywordContext): void {
  const cur = current(ctx);
  ctx.scratch.delete(KEY);
  if (!cur) return;
  const { bfd, events } = cur;
  const specified = events.vrrp || events.checker;
  bfd.vrrp = !specified || events.vrrp;
  bfd.checker = !specified || events.checker;
  if (cur.dropped) return;
  if (!bfd.neighborIp) {
    err(ctx, `Configuration error: BFD instance ${bfd.name} has no neighbor address set, disabling instance`);
    bfd.disabled = true;
    return;
  }
  if (bfd.sourceIp && bfd.sourceFamily !== bfd.neighborFamily) {
    // sic: keepalived formats both addresses through one static buffer, so both show the source
    err(
      ctx,
      `Configuration error: BFD instance ${bfd.name} source address ${bfd.sourceIp} and neighbor address ${bfd.sourceIp} are not of the same family, disabling instance`,
    );
    bfd.disabled = true;
    return;
  }
  // find_bfd_by_addr()
  const dup = ctx.config.bfd.instances.find(
    (o) => o !== bfd && !o.disabled && o.neighborIp === bfd.neighborIp && (!o.sourceIp || !bfd.sourceIp || o.sourceIp === bfd.sourceIp),
  );
  if (dup) {
    if (bfd.sourceIp)
      err(ctx, `Configuration error: BFD instance ${bfd.name} has duplicate source/neighbor address ${bfd.sourceIp}/${bfd.neighborIp}, ignoring instance`);
    else err(ctx, `Configuration error: BFD instance ${bfd.name} has duplicate neighbor address ${bfd.neighborIp}, ignoring instance`);
    bfd.disabled = true;
    return;
  }
  if (!bfd.ttl) bfd.ttl = bfd.neighborFamily === 'inet' ? BFD_CONTROL_TTL : BFD_CONTROL_HOPLIMIT;
  if (bfd.maxHops > bfd.ttl) {
    err(ctx, `BFD instance ${bfd.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`);
    bfd.maxHops = bfd.ttl;
  }
}

export const bfdRootKeywords: readonly KeywordDef[] = [
  {
    name: 'bfd_instance',
    handler: bfdOpen,
    sub: bfdInstanceKeywords,
    close: bfdClose,
    args: '<NAME> { ... }',
    support: 'parsed',
    summary: 'a BFD session',
  },
];
