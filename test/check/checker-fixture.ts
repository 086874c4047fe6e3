/**
 * Test fixture: a checker block parsed by the real config loader, aimed at a local test server
 * (the CheckTarget is what the check runtime would derive; here the test picks address and port).
 */
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import type { CheckerContext, CheckTarget } from '../../src/check/checker-types.js';

const host = staticHostFacts({ hostname: 'host', interfaces: ['eth0'].map((n, i) => ethernetInterface(n, i + 2)) });

/** The first checker of `virtual_server VIP 80 { real_server RS 80 { <block> } }`, with no diagnostics allowed. */
export function checkerContext(block: string, target: Partial<CheckTarget> & Pick<CheckTarget, 'address' | 'port'>): CheckerContext {
  const family = target.family ?? (target.address.includes(':') ? 'inet6' : 'inet');
  const vip = family === 'inet' ? '10.0.0.1' : '2001:db8::1';
  const rs = family === 'inet' ? '10.0.0.2' : '2001:db8::2';
  const text = `virtual_server ${vip} 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server ${rs} 80 {\n${block}\n  }\n}\n`;
  const r = loadConfigText(text, { host });
  assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), [], 'test config loads cleanly');
  const virtualServer = r.config.lvs.virtualServers[0]!;
  const realServer = virtualServer.realServers[0]!;
  const checker = realServer.checkers[0]!;
  return {
    checker,
    realServer,
    virtualServer,
    target: { family, connectTimeout: 2_000_000, ...target },
  };
}

/** An attempt's signal that is never aborted. */
export const NEVER = new AbortController().signal;
