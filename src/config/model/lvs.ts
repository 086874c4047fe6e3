/**
 * Virtual servers, real servers and their health checkers (keepalived/check: check_data.h,
 * check_api.h and the check_*.h of each checker). Times are in microseconds, as keepalived keeps
 * them. Fields that keepalived leaves "unset" until validation (its UINT_MAX / ULONG_MAX / -1
 * markers) are `undefined` after parsing and resolved by validate/lvs.ts.
 */
import type { SourcePosition } from '../diagnostics.js';
import type { ScriptSpec } from './script.js';

export type AddressFamily = 'inet' | 'inet6';

/** A socket address as keepalived's sockaddr_t: family, address text (canonical), port (0 = none). */
export interface LvsAddress {
  /** undefined when a failed parse left keepalived's AF_UNSPEC behind (e.g. a bad connect_ip). */
  family: AddressFamily | undefined;
  address: string;
  port: number;
}

/** The global `SSL { }` block (context for SSL_GET). */
export interface SslConfig {
  at: SourcePosition;
  /** Password of the private key: a secret (masked by dump). */
  password?: string;
  ca?: string;
  certificate?: string;
  key?: string;
}

export type VsgEntry =
  | {
      kind: 'fwmark';
      at: SourcePosition;
      fwmark: number;
      /** `inet` / `inet6` after the mark; undefined when not given. */
      family: AddressFamily | undefined;
    }
  | {
      kind: 'range';
      at: SourcePosition;
      family: AddressFamily;
      /** First address of the range (a single address has start === end). */
      start: string;
      end: string;
      port: number;
      /** The entry as written. */
      text: string;
    };

export interface VirtualServerGroup {
  at: SourcePosition;
  name: string;
  entries: VsgEntry[];
  haveIpv4: boolean;
  haveIpv6: boolean;
  fwmarkNoFamily: boolean;
}

export type ForwardingMethod = 'NAT' | 'DR' | 'TUN';

export interface Forwarding {
  method: ForwardingMethod;
  /** Tunnel options (meaningful for TUN): type ipip|gue|gre, gue port, checksum mode. */
  tunnelType: 'ipip' | 'gue' | 'gre';
  tunnelPort: number;
  tunnelChecksum: 'nocsum' | 'csum' | 'remcsum';
}

export type LvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/** Scheduler / service flags: ops, flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback. */
export type ServiceFlag = 'ops' | 'flag-1' | 'flag-2' | 'flag-3' | 'sh-port' | 'sh-fallback' | 'mh-port' | 'mh-fallback';

/** Connection options of a checker (keepalived's conn_opts_t). */
export interface ConnectionOptions {
  /** Where the checker connects: the real server's address as written when the checker was read, unless connect_ip/connect_port. */
  dst: LvsAddress;
  /** bindto [+ bind_port]; undefined when not given. */
  bindto?: LvsAddress;
  bindIf?: string;
  /** connect_timeout (µs); inherited from RS → VS when not given (resolved in validation). */
  connectTimeout?: number;
  /** SO_MARK for checker packets. */
  fwmark?: number;
}

export type CheckerType =
  | 'TCP_CHECK'
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'MISC_CHECK'
  | 'SMTP_CHECK'
  | 'DNS_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'BFD_CHECK';

export interface CheckerBase {
  at: SourcePosition;
  type: CheckerType;
  /** Connection options (not for MISC_CHECK and BFD_CHECK). */
  connection?: ConnectionOptions;
  alpha?: boolean;
  /** Extra attempts before declaring the checker DOWN. */
  retry?: number;
  delayBeforeRetry?: number;
  warmup?: number;
  delayLoop?: number;
  logAllFailures: boolean;
  /** keepalived's per-checker defaults used when neither checker nor RS sets the value. */
  defaultRetry: number;
  /** 0 means "delay_loop" (DNS_CHECK). */
  defaultDelayBeforeRetry: number;
}

export interface HttpUrl {
  at: SourcePosition;
  path?: string;
  /** MD5 of the body, lower-case hex. */
  digest?: string;
  /** Accepted status codes as [min, max] ranges (each 100..599); default [[200, 299]] set at block end. */
  statusCodes: Array<[number, number]>;
  virtualhost?: string;
  regex?: string;
  regexNoMatch: boolean;
  regexOptions: string[];
  regexMinOffset?: number;
  regexMaxOffset?: number;
  regexStack?: { start: number; max: number };
}

export interface HttpChecker extends CheckerBase {
  type: 'HTTP_GET' | 'SSL_GET';
  urls: HttpUrl[];
  virtualhost?: string;
  httpProtocol: '1.0' | '1.0C' | '1.1';
  enableSni: boolean;
  fastRecovery: boolean;
}

export interface MiscChecker extends CheckerBase {
  type: 'MISC_CHECK';
  script?: ScriptSpec;
  /** misc_timeout (µs); undefined: the checker's delay_loop is used at run time. */
  timeout?: number;
  dynamic: boolean;
  /** `user USER [GROUP]` of the MISC_CHECK block. */
  user?: string;
  group?: string;
}

export interface SmtpHost {
  at: SourcePosition;
  connection: ConnectionOptions;
}

export interface SmtpChecker extends CheckerBase {
  type: 'SMTP_CHECK';
  heloName: string;
  /**
   * Deprecated `host { }` blocks while the block is read; at its end the first one becomes this
   * checker's connection (when it has none of its own) and every other one a copy of this checker
   * (smtp_check_end_handler), so a validated config has none left here.
   */
  hosts: SmtpHost[];
}

export type DnsType = 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA' | 'RRSIG' | 'DNSKEY';

export interface DnsChecker extends CheckerBase {
  type: 'DNS_CHECK';
  queryType: DnsType;
  /** Query name; '' (the root) by default. */
  name: string;
}

export interface UdpChecker extends CheckerBase {
  type: 'UDP_CHECK';
  /** Payload bytes, as hex. */
  payload?: string;
  requireReply: boolean;
  /** Expected reply bytes (hex) and wildcard mask (hex, 'f' nibbles = any); undefined: any reply. */
  replyData?: string;
  replyMask?: string;
  minReplyLength: number;
  maxReplyLength: number;
}

export interface SimpleChecker extends CheckerBase {
  type: 'TCP_CHECK' | 'PING_CHECK';
}

export interface BfdChecker extends CheckerBase {
  type: 'BFD_CHECK';
  /** Name of the bfd_instance tracked. */
  name?: string;
}

export type Checker = HttpChecker | MiscChecker | SmtpChecker | DnsChecker | UdpChecker | SimpleChecker | BfdChecker;

/** A FILE_CHECK block: the real server's weight follows a tracked file. */
export interface FileCheck {
  at: SourcePosition;
  trackFile?: string;
  /** Multiplier; undefined: the track_file's own weight. */
  weight?: number;
  reverse: boolean;
}

export interface RealServer {
  at: SourcePosition;
  address: LvsAddress;
  /** Undefined until validation (then: the VS weight). */
  weight?: number;
  /** Undefined until validation (then: the VS forwarding). */
  forwarding?: Forwarding;
  uthreshold?: number;
  lthreshold?: number;
  inhibitOnFailure?: boolean;
  notifyUp?: ScriptSpec;
  notifyDown?: ScriptSpec;
  alpha?: boolean;
  retry?: number;
  delayBeforeRetry?: number;
  warmup?: number;
  connectTimeout?: number;
  delayLoop?: number;
  smtpAlert?: boolean;
  virtualhost?: string;
  snmpName?: string;
  checkers: Checker[];
  fileChecks: FileCheck[];
}

export interface SorryServer {
  at: SourcePosition;
  address: LvsAddress;
  forwarding?: Forwarding;
  inhibit: boolean;
  /** Set by validation when a real server has the same address. */
  duplicatesRealServer?: boolean;
}

export interface VirtualServer {
  at: SourcePosition;
  kind: 'address' | 'fwmark' | 'group';
  /** kind 'address': the service address. */
  address?: LvsAddress;
  fwmark?: number;
  groupName?: string;
  /** Sequence number of this VS within its group (set by validation; keepalived shows it as the port). */
  groupIndex?: number;
  family: AddressFamily | undefined;
  scheduler?: string;
  /** undefined: not given (validation sets UDP for address services, with a warning). */
  protocol?: LvsProtocol;
  forwarding?: Forwarding;
  flags: ServiceFlag[];
  persistenceTimeout?: number;
  persistenceEngine?: string;
  /** IPv4 netmask (dotted) or IPv6 prefix length. */
  persistenceGranularity?: string | number;
  delayLoop: number;
  connectTimeout: number;
  retry?: number;
  delayBeforeRetry?: number;
  warmup?: number;
  inhibitOnFailure: boolean;
  alpha: boolean;
  omega: boolean;
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptSpec;
  quorumDown?: ScriptSpec;
  haSuspend: boolean;
  smtpAlert?: boolean;
  virtualhost?: string;
  snmpName?: string;
  /** Default real server weight. */
  weight: number;
  sorryServer?: SorryServer;
  realServers: RealServer[];
}

export interface LvsConfig {
  ssl?: SslConfig;
  virtualServerGroups: VirtualServerGroup[];
  virtualServers: VirtualServer[];
  /** True when any SSL_GET checker was configured (keepalived then needs an SSL context). */
  sslRequired: boolean;
}

export function emptyLvsConfig(): LvsConfig {
  return { virtualServerGroups: [], virtualServers: [], sslRequired: false };
}
