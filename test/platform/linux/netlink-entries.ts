/**
 * Address / route / rule entries for the netlink tests, written in keepalived.conf syntax and
 * read by the config's own entry parsers, so the tests send what a configuration would.
 */
import type { EntryContext } from '../../../src/config/entries/context.js';
import { parseIpAddressEntry } from '../../../src/config/entries/ip-address.js';
import { parseIpRouteEntry } from '../../../src/config/entries/ip-route.js';
import { parseIpRuleEntry } from '../../../src/config/entries/ip-rule.js';
import type { IpAddressEntry, IpRouteEntry, IpRuleEntry } from '../../../src/config/model/vrrp.js';

function context(messages: string[]): EntryContext {
  let priority = 16384;
  return {
    report: (_level, m) => void messages.push(m),
    position: { file: 'test.conf', line: 1 },
    interfaceUsable: () => true,
    interfaceExists: () => true,
    defaultInterface: () => 'eth0',
    trackGroupExists: () => false,
    nextRulePriority: () => priority--,
  };
}

function parse<T>(line: string, fn: (ctx: EntryContext, words: string[]) => T | undefined, allowWarnings: boolean): T {
  const messages: string[] = [];
  const entry = fn(context(messages), line.split(/\s+/).filter(Boolean));
  if (!entry || (!allowWarnings && messages.length > 0)) throw new Error(`test entry '${line}' did not parse cleanly: ${messages.join('; ')}`);
  return entry;
}

export const addressEntry = (line: string): IpAddressEntry => parse(line, (c, w) => parseIpAddressEntry(c, w, false), false);
/** Routes without `dev` draw keepalived's "cannot track" warning; that is expected. */
export const routeEntry = (line: string): IpRouteEntry => parse(line, (c, w) => parseIpRouteEntry(c, w, false), true);
export const ruleEntry = (line: string): IpRuleEntry => parse(line, (c, w) => parseIpRuleEntry(c, w, false), false);
