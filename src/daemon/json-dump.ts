/**
 * keepalived.json, the file the VRRP process writes on SIGRTMIN+2 (JSON), in keepalived 2.2.7's
 * format (vrrp_json.c with its json_writer.c): one compact line, `[{"data":{…},"stats":{…}},…]`,
 * keys in keepalived's order, '/' escaped as "\/", floats as printf's %g.
 *
 * Deliberate differences, both for safety:
 * - "auth_data" (keepalived prints the password) is masked.
 * - A backslash is escaped as "\\" (keepalived writes "\n", a bug) and other control characters
 *   as \u00XX (keepalived writes them raw, which is not JSON).
 */
import { MASK } from '../config/dump.js';
import type { VrrpScript } from '../config/model/vrrp.js';
import type { VrrpStateName } from '../vrrp/instance-types.js';
import { formatG, formatTimeval } from './c-format.js';
import { formatIpAddress, formatIpRoute, formatIpRule, instanceAddressState } from './ip-entry-format.js';
import { scriptCommandText, shownScript } from './script-text.js';
import type { VrrpInstanceSnapshot } from './vrrp-snapshot.js';
import type { VrrpInstanceStats } from './vrrp-stats.js';

/** keepalived's numeric states (vrrp.h). */
export const KEEPALIVED_STATE_NUMBER: Readonly<Record<VrrpStateName, number>> = {
  INIT: 0,
  BACKUP: 1,
  MASTER: 2,
  FAULT: 3,
  DELETED: 97,
  STOP: 98,
};

/** json_writer.c's string escaping (with the two fixes described above). */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\b': out += '\\b'; break;
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '/': out += '\\/'; break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      }
    }
  }
  return out + '"';
}

/** Pre-formatted JSON values, in insertion order: what json_writer emits field by field. */
type Fields = [string, string][];

function object(fields: Fields): string {
  return `{${fields.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`;
}
const uint = (n: number) => String(Math.trunc(n));
const bool = (b: boolean) => (b ? 'true' : 'false');
const flt = (n: number) => formatG(n);
const str = (s: string) => jsonString(s);
const array = (items: readonly string[]) => `[${items.map(str).join(',')}]`;

const AUTH_TYPE_NUMBER = { PASS: 1, AH: 2 } as const;

function dataObject(v: VrrpInstanceSnapshot, scripts: readonly VrrpScript[]): string {
  const c = v.config;
  const s = v.settings;
  const f: Fields = [];
  f.push(['iname', str(c.name)]);
  f.push(['dont_track_primary', uint(c.dontTrackPrimary ? 1 : 0)]);
  f.push(['skip_check_adv_addr', uint(c.skipCheckAdvAddr ? 1 : 0)]);
  f.push(['strict_mode', uint(s.strictMode ? 1 : 0)]);
  const vmacName = c.useVmac ? c.useVmac.ifname ?? '' : '';
  f.push(['vmac_ifname', str(vmacName)]);
  // with a VMAC, keepalived's ifp is the VMAC interface
  const ifp = c.useVmac && vmacName ? vmacName : c.interface;
  if (ifp !== undefined) f.push(['ifp_ifname', str(ifp)]);
  f.push(['master_priority', uint(v.masterPriority)]);
  f.push(['last_transition', formatTimeval(v.lastTransitionUs)]);
  f.push(['garp_delay', flt(s.garpMasterDelay / 1e6)]);
  f.push(['garp_refresh', uint(c.garpMasterRefresh)]);
  f.push(['garp_rep', uint(s.garpMasterRepeat)]);
  f.push(['garp_refresh_rep', uint(s.garpMasterRefreshRepeat)]);
  f.push(['garp_lower_prio_delay', uint(s.garpLowerPrioDelay / 1e6)]);
  f.push(['garp_lower_prio_rep', uint(s.garpLowerPrioRepeat)]);
  f.push(['lower_prio_no_advert', uint(s.lowerPrioNoAdvert ? 1 : 0)]);
  f.push(['higher_prio_send_advert', uint(s.higherPrioSendAdvert ? 1 : 0)]);
  f.push(['vrid', uint(s.vrid)]);
  f.push(['base_priority', uint(v.basePriority)]);
  f.push(['effective_priority', uint(v.effectivePriority)]);
  f.push(['vipset', bool(v.vipset)]);
  f.push(['promote_secondaries', bool(c.promoteSecondaries)]);
  f.push(['adver_int', flt(s.advertInt / 1e6)]);
  f.push(['master_adver_int', flt(v.masterAdverIntUs / 1e6)]);
  f.push(['accept', uint(s.accept ? 1 : 0)]);
  f.push(['nopreempt', bool(s.nopreempt)]);
  f.push(['preempt_delay', uint(s.preemptDelay / 1e6)]);
  f.push(['state', uint(KEEPALIVED_STATE_NUMBER[v.state])]);
  f.push(['wantstate', uint(KEEPALIVED_STATE_NUMBER[v.wantstate])]);
  f.push(['version', uint(s.version)]);
  f.push(['smtp_alert', bool(c.smtpAlert ?? false)]);
  f.push(['notify_deleted', bool(c.notifyDeleted)]);
  const script = (key: string, spec: Parameters<typeof shownScript>[0]) => {
    const sc = shownScript(spec);
    if (sc) f.push([key, str(scriptCommandText(sc))]);
  };
  script('script_backup', c.notifyBackup);
  script('script_master', c.notifyMaster);
  script('script_fault', c.notifyFault);
  script('script_stop', c.notifyStop);
  script('script_deleted', c.notifyDeletedScript);
  script('script', c.notify);
  script('script_master_rx_lower_pri', c.notifyMasterRxLowerPri);
  const list = (key: string, items: readonly string[]) => {
    if (items.length) f.push([key, array(items)]);
  };
  const st = instanceAddressState(v);
  list('vips', c.vips.map((a) => formatIpAddress(a, st)));
  list('evips', c.evips.map((a) => formatIpAddress(a, st)));
  list('vroutes', c.virtualRoutes.map(formatIpRoute));
  list('vrules', c.virtualRules.map(formatIpRule));
  list('track_ifp', c.trackInterfaces.map((t) => t.name));
  list(
    'track_script',
    c.trackScripts.flatMap((t) => {
      const vs = scripts.find((x) => x.name === t.name);
      const sc = vs && !vs.insecure ? vs.script : undefined;
      return sc ? [scriptCommandText(sc)] : [];
    }),
  );
  f.push(['auth_type', uint(c.authType ? AUTH_TYPE_NUMBER[c.authType] : 0)]);
  if (c.authType) f.push(['auth_data', str(MASK)]);
  return object(f);
}

/** The stats object (keepalived's order). */
export function statsObject(s: VrrpInstanceStats): string {
  return object([
    ['advert_rcvd', uint(s.advert_rcvd)],
    ['advert_sent', uint(s.advert_sent)],
    ['become_master', uint(s.become_master)],
    ['release_master', uint(s.release_master)],
    ['packet_len_err', uint(s.packet_len_err)],
    ['advert_interval_err', uint(s.advert_interval_err)],
    ['ip_ttl_err', uint(s.ip_ttl_err)],
    ['invalid_type_rcvd', uint(s.invalid_type_rcvd)],
    ['addr_list_err', uint(s.addr_list_err)],
    ['invalid_authtype', uint(s.invalid_authtype)],
    ['authtype_mismatch', uint(s.authtype_mismatch)],
    ['auth_failure', uint(s.auth_failure)],
    ['pri_zero_rcvd', uint(s.pri_zero_rcvd)],
    ['pri_zero_sent', uint(s.pri_zero_sent)],
  ]);
}

/**
 * The whole file, or undefined when there is no instance (keepalived then writes no file).
 * `scripts` (the config's vrrp_script blocks) give the commands of tracked scripts.
 */
export function formatJsonDump(instances: readonly VrrpInstanceSnapshot[], scripts: readonly VrrpScript[] = []): string | undefined {
  if (!instances.length) return undefined;
  return `[${instances.map((v) => `{"data":${dataObject(v, scripts)},"stats":${statsObject(v.stats)}}`).join(',')}]\n`;
}
