/**
 * keepalived-ts extension keywords of global_defs: the split-brain witness (src/split-brain/).
 * keepalived 2.2.7 reports them as unknown keywords and otherwise ignores them, so a config
 * written for keepalived stays valid; one using them still loads in keepalived (without the
 * guarantee). Documented in README "keepalived-ts extensions".
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { WitnessConfig } from '../model/witness.js';
import type { ValidationContext } from '../validate/context.js';
import { need, readDecimal, readUnsigned, TIMER_HZ_DIGITS } from '../values.js';
import { parseSockaddr } from '../entries/inet.js';

const err = (ctx: KeywordContext, msg: string) => ctx.report(ConfigErr.GENERAL_ERROR, msg);

/** The witness settings, created by whichever keyword comes first (`witness` must be among them). */
function witnessOf(ctx: KeywordContext): WitnessConfig {
  const gc = ctx.config.global;
  gc.witness ??= { address: '', port: 0, secret: undefined, leaseUs: undefined, votePeers: [] };
  return gc.witness;
}

function address(ctx: KeywordContext, keyword: string, word: string): string | undefined {
  const a = parseSockaddr(word);
  if (!a || word.includes('/') || word.includes('-')) {
    err(ctx, `${keyword}: invalid address '${word}' - ignoring`);
    return undefined;
  }
  return a.address;
}

export const witnessKeywords: readonly KeywordDef[] = [
  {
    name: 'witness',
    handler: (strvec, ctx) => {
      const addr = address(ctx, 'witness', need(ctx, strvec, 1));
      const port = strvec.length > 2 ? readUnsigned(ctx, strvec[2]!, 1, 65535) : undefined;
      if (port === undefined) {
        err(ctx, 'witness: a port (1-65535) is required - ignoring');
        return;
      }
      if (addr === undefined) return;
      const w = witnessOf(ctx);
      w.address = addr;
      w.port = port;
    },
    args: '<ADDR> <PORT>',
    support: 'supported',
    summary: 'keepalived-ts: the split-brain witness; MASTER only with a majority of votes (peers + witness)',
  },
  {
    name: 'witness_secret',
    handler: (strvec, ctx) => {
      const secret = need(ctx, strvec, 1);
      if (secret.length < 8) err(ctx, 'witness_secret is shorter than 8 characters');
      witnessOf(ctx).secret = secret;
    },
    args: '<SECRET>',
    support: 'supported',
    summary: 'keepalived-ts: HMAC key of the witness and vote messages (same on all directors and the witness)',
  },
  {
    name: 'witness_lease',
    handler: (strvec, ctx) => {
      const v = readDecimal(ctx, need(ctx, strvec, 1), 10_000, 3600_000_000, TIMER_HZ_DIGITS);
      if (v === undefined) err(ctx, `witness_lease '${strvec[1]}' is invalid (0.01 to 3600 seconds)`);
      else witnessOf(ctx).leaseUs = v;
    },
    args: '<SECONDS>',
    default: '3 × advert_int',
    support: 'supported',
    summary: 'keepalived-ts: how long a witness grant and a peer vote last',
  },
  {
    name: 'vote_peers',
    handler: (strvec, ctx) => {
      const peers = witnessOf(ctx).votePeers;
      ctx.readValueBlock(strvec, (words) => {
        for (const word of words) {
          const a = address(ctx, 'vote_peers', word);
          if (a !== undefined && !peers.includes(a)) peers.push(a);
        }
      });
    },
    args: '{ ADDR … }',
    support: 'supported',
    summary: "keepalived-ts: the peer directors' addresses for votes (default: each instance's unicast_peer)",
  },
];

/** Called once the config is read: a witness needs its address and a secret. */
export function validateWitness(ctx: ValidationContext): void {
  const w = ctx.config.global.witness;
  if (!w) return;
  if (!w.address) ctx.report(ConfigErr.GENERAL_ERROR, 'witness settings without `witness ADDR PORT` - witness ignored');
  else if (w.secret === undefined) ctx.report(ConfigErr.GENERAL_ERROR, 'witness configured without witness_secret - witness ignored');
  else return;
  ctx.config.global.witness = undefined;
}
