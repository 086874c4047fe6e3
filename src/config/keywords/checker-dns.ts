/** DNS_CHECK { } (check_dns.c): a UDP DNS query. type, name; default retry 3, delay_before_retry = delay_loop. */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext } from '../keyword-table.js';
import type { KeywordDef } from '../keyword-table.js';
import type { DnsChecker, DnsType } from '../model/lvs.js';
import { need } from '../values.js';
import { checkerCommonKeywords, endWithConnectionCheck, newCheckerBase, startChecker } from './checker-common.js';
import { currentChecker, currentRs } from './lvs-state.js';

export const DNS_TYPES: readonly DnsType[] = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'];

function dns(ctx: KeywordContext): DnsChecker | undefined {
  const c = currentChecker(ctx);
  return c?.type === 'DNS_CHECK' ? c : undefined;
}

/**
 * keepalived's empty-label test. Note its quirk, kept: the scan starts at the first character,
 * so any name whose second character is '.' ("a.example.com") is refused too.
 */
function hasEmptyLabel(name: string): boolean {
  if (name[0] === '.' && name.length > 1) return true;
  for (let p = 0; p >= 0; p = name.indexOf('.', p + 1)) if (name[p + 1] === '.') return true;
  return false;
}

const NAMED = 'lvs.dnsNameSet';

export const dnsCheckKeyword: KeywordDef = {
  name: 'DNS_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: a DNS query over UDP.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'DNS_CHECK', currentRs(ctx), true) as DnsChecker;
    checker.queryType = 'SOA';
    checker.name = '';
    checker.defaultRetry = 3;
    checker.defaultDelayBeforeRetry = 0;
    startChecker(ctx, checker);
    ctx.scratch.delete(NAMED);
  },
  sub: [
    ...checkerCommonKeywords(true),
    {
      name: 'type',
      args: 'A|NS|CNAME|SOA|MX|TXT|AAAA|RRSIG|DNSKEY',
      default: 'SOA',
      support: 'supported',
      summary: 'Query type (case-insensitive).',
      handler: (strvec, ctx) => {
        const word = need(ctx, strvec, 1);
        const t = DNS_TYPES.find((x) => x.toLowerCase() === word.toLowerCase());
        if (!t) {
          ctx.report(ConfigErr.GENERAL_ERROR, `Unknown DNS check type ${word} - ignoring`);
          return;
        }
        const d = dns(ctx);
        if (d) d.queryType = t;
      },
    },
    {
      name: 'name',
      args: '<DOMAIN>',
      default: '"" (the root)',
      support: 'supported',
      summary: 'Name queried.',
      handler: (strvec, ctx) => {
        const d = dns(ctx);
        if (d && ctx.scratch.get(NAMED) === d) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'DNS_CHECK name already specified - ignoring');
          return;
        }
        const name = need(ctx, strvec, 1);
        if (hasEmptyLabel(name)) {
          ctx.report(ConfigErr.GENERAL_ERROR, `DNS_CHECK name '${name}' has empty label - ignoring`);
          return;
        }
        if (d) {
          d.name = name;
          ctx.scratch.set(NAMED, d);
        }
      },
    },
  ],
  close: endWithConnectionCheck,
};
