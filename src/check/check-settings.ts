/**
 * The settings a checker actually runs with, after keepalived's inheritance VS → RS → checker
 * (check_data.c validate_check_config), and where its attempts connect (the conn_opts after
 * connect_ip / connect_port / bindto / bind_port / bind_if / fwmark). Validation has usually
 * resolved these already; resolving again here is idempotent and keeps the scheduler correct for
 * a model built by hand (tests, the simulator). Also the stable names the scheduler, the LVS core
 * and the logs use for virtual servers, real servers and checkers.
 */
import type { Checker, CheckerType, RealServer, VirtualServer } from '../config/model/lvs.js';
import { formatTrio } from '../config/keywords/lvs-address.js';
import { formatVs } from '../config/validate/lvs.js';
import type { CheckTarget } from './checker-types.js';

/** keepalived's TIMER_HZ: times are µs. */
export const SECOND_US = 1_000_000;
/** KEEPALIVED_DEFAULT_DELAY. */
export const DEFAULT_DELAY_LOOP_US = 60 * SECOND_US;
export const DEFAULT_CONNECT_TIMEOUT_US = 5 * SECOND_US;

export interface CheckSettings {
  readonly type: CheckerType;
  readonly delayLoop: number;
  /** Extra attempts after a failure of an up checker before it is declared down. */
  readonly retry: number;
  readonly delayBeforeRetry: number;
  /** Upper bound of the random delay added to the first check. 0 disables it. */
  readonly warmup: number;
  /** Start down: the real server is added only after a first success. */
  readonly alpha: boolean;
  /** connect_timeout (µs); meaningful for checkers with connection options. */
  readonly connectTimeout: number;
  /** The real server's inhibit_on_failure (weight 0 instead of removal); not a checker setting in keepalived. */
  readonly inhibitOnFailure: boolean;
  readonly logAllFailures: boolean;
}

/** FMT_VS: `[ip]:proto:port`, `FWM n` or `[group]:n`. */
export function virtualServerId(vs: VirtualServer): string {
  return formatVs(vs);
}

/** FMT_RS: the real server as keepalived prints it (`[ip]:proto:port`, the VS's protocol). */
export function formatRealServer(rs: RealServer, vs: VirtualServer): string {
  return formatTrio(rs.address, vs.protocol);
}

/** A real server's name, unique across the configuration: `<FMT_RS> of <FMT_VS>`. */
export function realServerId(vs: VirtualServer, rs: RealServer): string {
  return `${formatRealServer(rs, vs)} of ${virtualServerId(vs)}`;
}

/** A checker's name: its real server's name and its 1-based position among that server's checkers. */
export function checkerId(vs: VirtualServer, rs: RealServer, index: number): string {
  return `${realServerId(vs, rs)} #${index + 1}`;
}

/** The effective settings, in the order check_data.c resolves them. */
export function checkSettings(checker: Checker, rs: RealServer, vs: VirtualServer): CheckSettings {
  // VS → RS (validate_check_config's real server loop)
  const rsDelayLoop = rs.delayLoop ?? vs.delayLoop ?? DEFAULT_DELAY_LOOP_US;
  const rsRetry = rs.retry ?? vs.retry;
  const rsWarmup = rs.warmup ?? vs.warmup;
  const rsDelayBeforeRetry = rs.delayBeforeRetry ?? vs.delayBeforeRetry;
  const rsConnectTimeout = rs.connectTimeout ?? vs.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_US;
  // RS → checker (its checker loop), falling back to the checker kind's defaults
  const delayLoop = checker.delayLoop ?? rsDelayLoop;
  return {
    type: checker.type,
    delayLoop,
    retry: checker.retry ?? rsRetry ?? checker.defaultRetry,
    // DNS_CHECK's default delay_before_retry is 0, which means "delay_loop"
    delayBeforeRetry: checker.delayBeforeRetry ?? rsDelayBeforeRetry ?? (checker.defaultDelayBeforeRetry || delayLoop),
    warmup: checker.warmup ?? rsWarmup ?? delayLoop,
    alpha: checker.alpha ?? rs.alpha ?? vs.alpha ?? false,
    connectTimeout: checker.connection?.connectTimeout ?? rsConnectTimeout,
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure ?? false,
    logAllFailures: checker.logAllFailures,
  };
}

/** Checker kinds that connect to no port of the real server. */
const PORTLESS: ReadonlySet<CheckerType> = new Set<CheckerType>(['MISC_CHECK', 'PING_CHECK', 'BFD_CHECK']);

/**
 * Where attempts go: conn_opts' dst (the real server unless connect_ip / connect_port), bindto with
 * bind_port, bind_if, the SO_MARK, and connect_timeout. Checkers without connection options (MISC,
 * BFD) get the real server's address and port 0.
 */
export function checkTarget(checker: Checker, rs: RealServer, vs: VirtualServer): CheckTarget {
  const settings = checkSettings(checker, rs, vs);
  const co = checker.connection;
  // a bad connect_ip leaves keepalived an AF_UNSPEC destination; here it falls back to the real server
  const dst = co && co.dst.family !== undefined ? co.dst : rs.address;
  const family = dst.family ?? rs.address.family ?? 'inet';
  const bind = co?.bindto && co.bindto.family !== undefined ? co.bindto : undefined;
  return {
    family,
    address: dst.address,
    port: PORTLESS.has(checker.type) ? 0 : dst.port,
    ...(bind !== undefined && bind.address !== '' ? { bindAddress: bind.address } : {}),
    ...(bind !== undefined && bind.port > 0 ? { bindPort: bind.port } : {}),
    ...(co?.bindIf !== undefined && co.bindIf !== '' ? { bindInterface: co.bindIf } : {}),
    ...(co?.fwmark !== undefined && co.fwmark !== 0 ? { fwmark: co.fwmark } : {}),
    connectTimeout: settings.connectTimeout,
  };
}
