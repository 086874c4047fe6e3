/**
 * Where the check parser is: keepalived's handlers always work on "the last virtual server, its
 * last real server, the last queued checker" (list_last_entry). This file gives the same access
 * over our model, plus the global checker queue (which, like keepalived's checkers_queue, spans
 * all virtual servers: a keyword after a dequeued checker lands on the previous one).
 */
import type { KeywordContext } from '../keyword-table.js';
import type { Checker, RealServer, VirtualServer } from '../model/lvs.js';
import { formatTrio } from './lvs-address.js';

export function currentVs(ctx: KeywordContext): VirtualServer | undefined {
  const list = ctx.config.lvs.virtualServers;
  return list[list.length - 1];
}

export function currentRs(ctx: KeywordContext): RealServer | undefined {
  const vs = currentVs(ctx);
  return vs?.realServers[vs.realServers.length - 1];
}

interface QueuedChecker {
  checker: Checker;
  rs: RealServer;
  vs: VirtualServer;
}

const QUEUE = 'lvs.checkerQueue';

function queue(ctx: KeywordContext): QueuedChecker[] {
  let q = ctx.scratch.get(QUEUE) as QueuedChecker[] | undefined;
  if (!q) {
    q = [];
    ctx.scratch.set(QUEUE, q);
  }
  return q;
}

/** queue_checker(): attach to the current real server and make it the current checker. */
export function queueChecker(ctx: KeywordContext, checker: Checker): boolean {
  const vs = currentVs(ctx);
  const rs = currentRs(ctx);
  if (!vs || !rs) return false;
  rs.checkers.push(checker);
  queue(ctx).push({ checker, rs, vs });
  return true;
}

/** CHECKER_GET_CURRENT(). */
export function currentChecker(ctx: KeywordContext): Checker | undefined {
  const q = queue(ctx);
  return q[q.length - 1]?.checker;
}

/** The real/virtual server the current checker belongs to. */
export function currentCheckerOwner(ctx: KeywordContext): { rs: RealServer; vs: VirtualServer } | undefined {
  const q = queue(ctx);
  const e = q[q.length - 1];
  return e ? { rs: e.rs, vs: e.vs } : undefined;
}

/** dequeue_new_checker(): drop the current checker. */
export function dequeueChecker(ctx: KeywordContext): void {
  const e = queue(ctx).pop();
  if (!e) return;
  const i = e.rs.checkers.lastIndexOf(e.checker);
  if (i >= 0) e.rs.checkers.splice(i, 1);
}

/** FMT_RS(): `[ip]:proto:port` of a real server, with its virtual server's protocol. */
export function fmtRs(rs: RealServer, vs: VirtualServer): string {
  return formatTrio(rs.address, vs.protocol);
}
