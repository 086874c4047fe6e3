/**
 * `lb_kind` / `lvs_method` / `sorry_server_lvs_method`: NAT|DR|TUN [type ipip|gue|gre]
 * [port N] [nocsum|csum|remcsum] (check_parser.c svr_forwarding_handler).
 */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, Strvec } from '../keyword-table.js';
import type { Forwarding, ForwardingMethod } from '../model/lvs.js';
import { need, readUnsigned } from '../values.js';

export const DEFAULT_TUNNEL = { tunnelType: 'ipip', tunnelPort: 0, tunnelChecksum: 'nocsum' } as const;

/**
 * Parse the method and tunnel options. `previous` holds the values kept when keepalived gives up
 * half-way (it sets the method before checking the options). Returns the new forwarding.
 */
export function parseForwarding(
  ctx: KeywordContext,
  strvec: Strvec,
  serverType: 'virtual' | 'real' | 'sorry',
  previous: Forwarding | undefined,
): Forwarding | undefined {
  const word = need(ctx, strvec, 1);
  let method: ForwardingMethod;
  if (word === 'NAT' || word === 'DR' || word === 'TUN') method = word;
  else {
    ctx.report(ConfigErr.GENERAL_ERROR, `PARSER : unknown [${word}] routing method for ${serverType} server.`);
    return previous;
  }
  // keepalived stores the method before validating the tunnel options; on a bad option the
  // tunnel settings keep their previous values.
  const kept: Forwarding = {
    method,
    tunnelType: previous?.tunnelType ?? DEFAULT_TUNNEL.tunnelType,
    tunnelPort: previous?.tunnelPort ?? DEFAULT_TUNNEL.tunnelPort,
    tunnelChecksum: previous?.tunnelChecksum ?? DEFAULT_TUNNEL.tunnelChecksum,
  };
  let tunnelType: Forwarding['tunnelType'] = 'ipip';
  let port = 0;
  let csum: Forwarding['tunnelChecksum'] = 'nocsum';
  for (let i = 2; i < strvec.length; i++) {
    const opt = strvec[i]!;
    if (opt === 'type') {
      if (i + 1 === strvec.length) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Missing tunnel type for ${serverType} server.`);
        return kept;
      }
      const t = strvec[i + 1]!;
      if (t === 'ipip' || t === 'gue' || t === 'gre') tunnelType = t;
      else {
        ctx.report(ConfigErr.GENERAL_ERROR, `Unknown tunnel type ${t} for ${serverType} server.`);
        return kept;
      }
      i++;
    } else if (opt === 'port') {
      if (i + 1 === strvec.length) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Missing port for ${serverType} server gue tunnel.`);
        return kept;
      }
      const p = readUnsigned(ctx, strvec[i + 1]!, 1, 65535);
      if (p === undefined) {
        ctx.report(ConfigErr.GENERAL_ERROR, `Invalid gue tunnel port ${strvec[i + 1]} for ${serverType} server.`);
        return kept;
      }
      port = p;
      i++;
    } else if (opt === 'nocsum' || opt === 'csum' || opt === 'remcsum') {
      csum = opt;
    } else {
      ctx.report(ConfigErr.GENERAL_ERROR, `Invalid tunnel option ${opt} for ${serverType} server.`);
      return kept;
    }
  }
  if ((tunnelType === 'gue') !== (port !== 0)) {
    ctx.report(ConfigErr.GENERAL_ERROR, 'gue tunnels require port, otherwise cannot have port.');
    return kept;
  }
  if (tunnelType === 'ipip' && csum !== 'nocsum') {
    ctx.report(ConfigErr.GENERAL_ERROR, 'ipip tunnels do not support checksum option.');
    return kept;
  }
  if (tunnelType === 'gre' && csum === 'remcsum') {
    ctx.report(ConfigErr.GENERAL_ERROR, 'gre tunnels do not support remote checksum option.');
    return kept;
  }
  return { method, tunnelType, tunnelPort: port, tunnelChecksum: csum };
}
