/** PING_CHECK { } (check_ping.c): ICMP echo to the real server; only the common keywords. */
import type { KeywordDef } from '../keyword-table.js';
import type { SimpleChecker } from '../model/lvs.js';
import { allCommonKeywordsExcept, checkerCommonKeywords, checkerConnection, endWithConnectionCheck, newCheckerBase, startChecker } from './checker-common.js';
import { currentRs } from './lvs-state.js';

export const pingCheckKeyword: KeywordDef = {
  name: 'PING_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Health check: the server is up when it answers an ICMP echo request.',
  handler: (_strvec, ctx) => {
    const checker = newCheckerBase(ctx, 'PING_CHECK', currentRs(ctx), true) as SimpleChecker;
    startChecker(ctx, checker);
  },
  // an echo has no ports: connect_port and bind_port mean nothing to it
  sub: checkerCommonKeywords(true, checkerConnection, allCommonKeywordsExcept('connect_port', 'bind_port')),
  close: endWithConnectionCheck,
};
