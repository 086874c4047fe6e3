/** TCP_CHECK { } (check_tcp.c): a connect() to the real server; only the common keywords. */
import type { KeywordDef } from '../keyword-table.js';
import type { SimpleChecker } from '../model/lvs.js';
import { checkerCommonKeywords, endWithConnectionCheck, newCheckerBase, startChecker } from './checker-common.js';
import { currentRs } from './lvs-state.js';

export const tcpCheckKeyword: KeywordDef = {
  name: 'TCP_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: the server is up when a TCP connection succeeds.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'TCP_CHECK', currentRs(ctx), true) as SimpleChecker;
    startChecker(ctx, checker);
  },
  sub: checkerCommonKeywords(true),
  close: endWithConnectionCheck,
};
