/**
 * `keepalived-ts genhash …` and `keepalived-ts -T …`: keepalived 2.2.7's genhash (check_genhash.c):
 * fetch one url and print the MD5 of its body, the value to paste into an HTTP_GET/SSL_GET `digest`.
 *
 * The output is keepalived's, byte for byte: the digest line; with -v the hex dumps of the head
 * and body as they were read, the hash, and the response time; keepalived's failure words
 * ("Connection failed", "Timeout WEB read", …) on stdout with exit status 0, as keepalived does.
 * To be exact, reads are replayed through keepalived's 4096-byte buffer (GenhashReader): the body
 * is hashed raw (chunk framing included), bounded by the first "Content-Length:" in that buffer,
 * and a head that does not fit in it counts as "no data received".
 */
import { createHash, type Hash } from 'node:crypto';
import * as net from 'node:net';
import { buildHttpRequest, type HttpProtocol } from '../check/http-check.js';
import { httpExchange } from '../check/http-exchange.js';
import type { Output } from './output.js';

/** keepalived's MAX_BUFFER_LENGTH: reads fill at most 4095 bytes, leaving room for a NUL. */
const BUFFER_ROOM = 4095;
const UINT_MAX = 4294967295;
const SIZE_MAX = Number.MAX_SAFE_INTEGER;

const DELIM_BEGIN = '-----------------------[';
const DELIM_END = ']-----------------------\n';
const HTTP_HEADER_HEXA = `${DELIM_BEGIN}    HTTP Header Buffer    ${DELIM_END}`;
const HTTP_HEADER_ASCII = `${DELIM_BEGIN} HTTP Header Ascii Buffer ${DELIM_END}`;
const HTML_HEADER_HEXA = `${DELIM_BEGIN}        HTML Buffer        ${DELIM_END}`;
const HTML_HASH = `${DELIM_BEGIN}    HTML hash resulting    ${DELIM_END}`;
const HTML_HASH_FINAL = `${DELIM_BEGIN} HTML hash final resulting ${DELIM_END}`;

/** keepalived's dump_buffer(): 16 bytes a line, decimal offsets, an ASCII column. */
export function hexDump(bytes: Uint8Array): string {
  let out = '';
  const padded = bytes.length % 16 ? bytes.length + (16 - (bytes.length % 16)) : bytes.length;
  for (let i = 0; i < padded; i++) {
    if (i % 16 === 0) out += String(i & 0xffff).padStart(4, '0') + ' ';
    out += i < bytes.length ? ' ' + bytes[i]!.toString(16).padStart(2, '0') : '   ';
    if ((i + 1) % 8 === 0) {
      if ((i + 1) % 16) out += ' -';
      else {
        out += '   ';
        for (let j = i - 15; j <= i; j++) {
          if (j < bytes.length) out += bytes[j]! >= 0x20 && bytes[j]! <= 0x7e ? String.fromCharCode(bytes[j]!) : '.';
          else out += ' ';
        }
        out += '\n';
      }
    }
  }
  return out;
}

/** extract_content_length(): strstr for "Content-Length:" in the C string, strtoul, end must be \0, \r or \n. */
function extractContentLength(buf: Uint8Array): number {
  const nul = buf.indexOf(0);
  const text = Buffer.from(buf.subarray(0, nul < 0 ? buf.length : nul)).toString('latin1');
  const at = text.indexOf('Content-Length:');
  if (at < 0) return SIZE_MAX;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text.slice(at + 'Content-Length:'.length))!;
  const after = text.slice(at + 'Content-Length:'.length + (m[2] === '' ? 0 : m[0].length));
  if (after !== '' && after[0] !== '\r' && after[0] !== '\n') return SIZE_MAX;
  if (m[2] === '') return 0;
  return m[1] === '-' ? SIZE_MAX : Number(m[2]);
}

function findHeadEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) return i + 4;
  }
  return -1;
}

/** Replays received bytes through keepalived's http_process_response, producing its verbose output. */
export class GenhashReader {
  private readonly buf = new Uint8Array(BUFFER_ROOM);
  private len = 0;
  private extracted = false;
  private contentLength = SIZE_MAX;
  private rxBytes = 0;
  private readonly md5: Hash = createHash('md5');
  /** The head never fit: keepalived's next read() would have had no room and returned 0. */
  bufferFull = false;

  constructor(
    private readonly verbose: boolean,
    private readonly print: (text: string) => void,
  ) {}

  get gotHead(): boolean {
    return this.extracted;
  }

  /** Returns false when keepalived would have stopped reading (buffer full). */
  feed(chunk: Uint8Array): boolean {
    let rest = chunk;
    while (rest.length > 0) {
      const room = BUFFER_ROOM - this.len;
      if (room === 0) {
        this.bufferFull = true;
        return false;
      }
      const piece = rest.subarray(0, room);
      rest = rest.subarray(piece.length);
      this.process(piece);
    }
    return true;
  }

  private hash(bytes: Uint8Array, r: number): void {
    if (this.contentLength !== SIZE_MAX && this.contentLength <= this.rxBytes) return;
    const n = this.contentLength === SIZE_MAX || this.contentLength >= this.rxBytes + r ? r : this.contentLength - this.rxBytes;
    const part = bytes.subarray(0, n);
    this.md5.update(part);
    return this.verboseDump(part);
  }

  private verboseDump(part: Uint8Array, heading = ''): void {
    if (this.verbose) this.print(heading + hexDump(part));
  }

  private process(piece: Uint8Array): void {
    const oldLen = this.len;
    this.buf.set(piece, this.len);
    this.len += piece.length;
    const r = piece.length;
    if (!this.extracted) {
      if (this.verbose) this.print(HTTP_HEADER_HEXA);
      const data = this.buf.subarray(0, this.len);
      const end = findHeadEnd(data);
      if (end < 0) return;
      this.extracted = true;
      this.contentLength = extractContentLength(data);
      if (this.verbose) {
        const head = data.subarray(0, end);
        const nul = head.indexOf(0);
        this.print(hexDump(head) + HTTP_HEADER_ASCII + Buffer.from(nul < 0 ? head : head.subarray(0, nul)).toString('latin1') + '\n');
      }
      const body = data.subarray(end);
      if (body.length > 0 && (this.contentLength === SIZE_MAX || this.contentLength > this.rxBytes)) {
        const n = this.contentLength === SIZE_MAX || this.contentLength >= this.rxBytes + body.length ? body.length : this.contentLength - this.rxBytes;
        this.md5.update(body.subarray(0, n));
        this.verboseDump(body.subarray(0, n), HTML_HEADER_HEXA);
      }
      this.rxBytes = body.length;
      this.len = 0;
      return;
    }
    this.hash(this.buf.subarray(oldLen, oldLen + r), r);
    this.rxBytes += this.len;
    this.len = 0;
  }

  /** EOF: the digest, and with -v keepalived's dump_digest() when the stream ended cleanly. */
  digest(cleanEnd: boolean): string {
    const d = this.md5.digest();
    if (this.verbose && cleanEnd) this.print('\n' + HTML_HASH + hexDump(d) + HTML_HASH_FINAL);
    return d.toString('hex');
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Command line (check_genhash_parse_cmdline: getopt_long with ":hvSs:V:p:u:m:P:t:I")          */

interface GenhashOption {
  readonly short: string;
  readonly long: string;
  readonly hasArg: boolean;
}

const OPTIONS: readonly GenhashOption[] = [
  { short: 'h', long: 'help', hasArg: false },
  { short: 'v', long: 'verbose', hasArg: false },
  { short: 'S', long: 'use-ssl', hasArg: false },
  { short: 'I', long: 'use-sni', hasArg: false },
  { short: 's', long: 'server', hasArg: true },
  { short: 'V', long: 'use-virtualhost', hasArg: true },
  { short: 'p', long: 'port', hasArg: true },
  { short: 'u', long: 'url', hasArg: true },
  { short: 'm', long: 'fwmark', hasArg: true },
  { short: 'P', long: 'protocol', hasArg: true },
  { short: 't', long: 'timeout', hasArg: true },
];

type OptEvent =
  | { kind: 'opt'; opt: GenhashOption; value?: string }
  | { kind: 'unknown'; text: string }
  | { kind: 'missing'; text: string };

/** GNU getopt_long as keepalived calls it: bundling, --name=value, unique prefixes, operands permuted to the end. */
function* getopt(args: readonly string[], operands: string[]): Generator<OptEvent> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      return;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const exact = OPTIONS.find((o) => o.long === name);
      const prefixed = OPTIONS.filter((o) => o.long.startsWith(name));
      const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!opt || name === '') yield { kind: 'unknown', text: arg };
      else if (eq >= 0) yield opt.hasArg ? { kind: 'opt', opt, value: arg.slice(eq + 1) } : { kind: 'unknown', text: arg };
      else if (!opt.hasArg) yield { kind: 'opt', opt };
      else if (i + 1 < args.length) yield { kind: 'opt', opt, value: args[++i]! };
      else yield { kind: 'missing', text: `--${opt.long}` };
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const opt = OPTIONS.find((o) => o.short === arg[j]);
      if (!opt) {
        yield { kind: 'unknown', text: `-${arg[j]}` };
        continue;
      }
      if (!opt.hasArg) {
        yield { kind: 'opt', opt };
        continue;
      }
      if (j + 1 < arg.length) yield { kind: 'opt', opt, value: arg.slice(j + 1) };
      else if (i + 1 < args.length) yield { kind: 'opt', opt, value: args[++i]! };
      else yield { kind: 'missing', text: `-${opt.short}` };
      break;
    }
  }
}

export function genhashUsage(prog: string, subcommand: boolean): string {
  return (
    `Usage: ${prog}${subcommand ? ' genhash' : ' --genhash'} COMMAND [OPTIONS]\n` +
    'Commands:\n' +
    '   -s server-address -p port -u url\n' +
    '   -S -s server-address -p port -u url\n' +
    '   -h\n\n' +
    'Options:\n' +
    'Either long or short options are allowed.\n' +
    '   --use-ssl         -S       Use SSL connection to remote server.\n' +
    '   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n' +
    '   --server          -s       Use the specified remote server address.\n' +
    '   --port            -p       Use the specified remote server port.\n' +
    '   --url             -u       Use the specified remote server url.\n' +
    '   --use-virtualhost -V       Use the specified virtualhost in GET query.\n' +
    '   --verbose         -v       Use verbose mode output.\n' +
    '   --help            -h       Display this short inlined help screen.\n' +
    '   --fwmark          -m       Use the specified FW mark.\n' +
    "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n" +
    "                                1.0c means 1.0 with 'Connection: close'\n" +
    '   --timeout         -t       Timeout in seconds\n'
  );
}

export interface GenhashRequest {
  family: 'inet' | 'inet6';
  address: string;
  port: number;
  /** Every -u, in order; keepalived fetches the last one. */
  paths: string[];
  ssl: boolean;
  sni: boolean;
  vhost?: string;
  verbose: boolean;
  protocol: HttpProtocol;
  /** µs, keepalived's connection_to (UINT_MAX when -t is not given). */
  timeout: number;
  fwmark?: number;
}

/** C strtoul prefix: leading blanks, sign, digits; rest is what follows. */
function strtoul(s: string): { value: number; rest: string; digits: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  if (m[2] === '') return { value: 0, rest: s, digits: false };
  const v = Number(BigInt(m[2]!) % 2n ** 64n);
  return { value: m[1] === '-' ? -v : v, rest: s.slice(m[0].length), digits: true };
}

/**
 * Parses genhash's options. `argc` is keepalived's argc (argv[0] included), for its
 * "fewer than two arguments: usage" rule. Returns the request, or the text for stderr.
 */
export function parseGenhashArgs(args: readonly string[], argc: number): GenhashRequest | { error: string } {
  if (argc <= 2) return { error: '' };
  const req: GenhashRequest = { family: 'inet', address: '', port: 0, paths: [], ssl: false, sni: false, verbose: false, protocol: '1.0', timeout: UINT_MAX };
  let haveServer = false;
  let havePort = false;
  let bad = '';
  let help = false;
  const operands: string[] = [];
  for (const ev of getopt(args, operands)) {
    if (ev.kind === 'unknown') {
      bad += `Unknown option ${ev.text}\n`;
      continue;
    }
    if (ev.kind === 'missing') {
      bad += `Missing parameter for option ${ev.text}\n`;
      continue;
    }
    const v = ev.value ?? '';
    switch (ev.opt.short) {
      case 'h':
        help = true;
        break;
      case 'v':
        req.verbose = true;
        break;
      case 'S':
        req.ssl = true;
        break;
      case 'I':
        req.sni = true;
        break;
      case 's': {
        // inet_stosockaddr(): a ':' means IPv6; a range or mask suffix is dropped
        const cut = v.search(/[-/]/);
        const ip = cut < 0 ? v : v.slice(0, cut);
        const family = v.includes(':') ? 'inet6' : 'inet';
        if ((family === 'inet' && !net.isIPv4(ip)) || (family === 'inet6' && !net.isIPv6(ip))) {
          return { error: bad + `server should be an IP, not ${v}\n` };
        }
        req.family = family;
        req.address = family === 'inet6' ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
        haveServer = true;
        break;
      }
      case 'V':
        req.vhost = v;
        break;
      case 'p': {
        const n = strtoul(v);
        if (!n.digits || n.rest !== '' || n.value <= 0 || n.value > 65535) return { error: bad + `invalid port number '${v}'\n` };
        req.port = n.value;
        havePort = true;
        break;
      }
      case 'u':
        req.paths.push(v);
        break;
      case 'm': {
        const start = v.replace(/^[ \t]+/, '');
        const n = strtoul(start);
        if (n.rest !== '' || start[0] === '-' || start[0] === ' ') return { error: bad + `invalid fwmark '${v}'\n` };
        req.fwmark = n.value >>> 0;
        break;
      }
      case 'P':
        if (v === '1.0') req.protocol = '1.0';
        else if (v === '1.0c' || v === '1.0C') req.protocol = '1.0C';
        else if (v === '1.1') req.protocol = '1.1';
        else return { error: bad + `invalid HTTP protocol version '${v}'\n` };
        break;
      case 't': {
        const start = v.replace(/^[ \t]+/, '');
        const n = strtoul(start);
        if (n.rest !== '' || start[0] === '-' || start === '') return { error: bad + `invalid timeout '${v}'\n` };
        // keepalived keeps seconds × 1 000 000 in an unsigned int: large values wrap, as there
        req.timeout = Number((BigInt(n.value >>> 0) * 1_000_000n) % 2n ** 32n);
        break;
      }
    }
  }
  if (bad !== '' || help) return { error: bad };
  if (operands.length > 0) return { error: `Unexpected argument(s): ${operands.join(' ')}\n` };
  if (!haveServer || !havePort || req.paths.length === 0) return { error: '' };
  return req;
}

/** Fetches the url and prints what keepalived's genhash prints. */
export async function fetchGenhash(req: GenhashRequest, io: Output, signal?: AbortSignal): Promise<void> {
  const path = req.paths[req.paths.length - 1]!;
  const started = process.hrtime.bigint();
  const reader = new GenhashReader(req.verbose, (t) => io.out(t));
  const request = buildHttpRequest(path, req.protocol, {
    ...(req.vhost !== undefined ? { vhost: req.vhost } : {}),
    family: req.family,
    address: req.address,
    port: req.port,
  });
  const timeoutMs = Math.min(2 ** 31 - 1, Math.ceil(req.timeout / 1000));
  const end = await httpExchange({
    target: { family: req.family, address: req.address, port: req.port },
    ...(req.ssl ? { tls: req.sni && req.vhost !== undefined ? { servername: req.vhost } : {} } : {}),
    request,
    connectMs: timeoutMs,
    idleMs: timeoutMs,
    deadlineMs: Math.min(2 ** 31 - 1, timeoutMs * 2),
    ...(signal ? { signal } : {}),
    onData: (chunk) => (reader.feed(chunk) ? 'more' : 'done'),
  });
  const respond = (clean: boolean): void => {
    const digest = reader.digest(clean);
    if (!reader.gotHead) io.err('no data received from remote webserver\n');
    else io.out(digest + '\n');
  };
  if (end.kind === 'done' || end.kind === 'eof') {
    // a full buffer is keepalived's zero-length read, i.e. an end of stream
    if (req.ssl && !reader.gotHead && end.kind === 'eof') {
      reader.digest(true);
      io.out('SSL read error from\n');
    } else respond(true);
  } else if (end.kind === 'failed') {
    if (req.ssl && end.afterData && end.reason === 'SSL read error from') respond(false);
    else {
      if (end.afterData) reader.digest(false);
      io.out(`${end.reason}\n`);
    }
  }
  if (req.verbose) {
    const usecs = (process.hrtime.bigint() - started) / 1000n;
    io.out(`\nGlobal response time for [${path}] = ${usecs} usecs\n`);
  }
}

/**
 * Runs genhash. `args` follow `genhash` (or -T); `argc` is keepalived's argc for the same line;
 * `subcommand` picks the usage line ("keepalived-ts genhash" or "keepalived-ts --genhash").
 */
export async function runGenhash(args: readonly string[], io: Output, opts: { prog: string; subcommand: boolean; argc?: number }): Promise<number> {
  const parsed = parseGenhashArgs(args, opts.argc ?? args.length + 1);
  if ('error' in parsed) {
    io.err(parsed.error + genhashUsage(opts.prog, opts.subcommand));
    return 1;
  }
  if (parsed.fwmark !== undefined && parsed.fwmark !== 0) {
    io.err(`${opts.prog}: --fwmark is not supported (Node.js cannot set SO_MARK); the request is sent unmarked\n`);
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await fetchGenhash(parsed, io, controller.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  return 0;
}

/**
 * The arguments genhash reads after keepalived's -T / --genhash: the rest of the command line
 * (getopt goes on from where the main parser stopped; the rest of a bundle such as -Tv counts).
 */
export function argsAfterGenhashFlag(argv: readonly string[], isGenhashAt: (prefix: readonly string[]) => boolean): string[] {
  for (let i = 0; i < argv.length; i++) {
    if (!isGenhashAt(argv.slice(0, i + 1))) continue;
    const arg = argv[i]!;
    const rest = argv.slice(i + 1);
    if (!arg.startsWith('--')) {
      const tail = arg.slice(arg.indexOf('T') + 1);
      if (tail !== '') return [`-${tail}`, ...rest];
    }
    return rest;
  }
  return [];
}
