/**
 * HTTP_GET and SSL_GET (check_http.c, check_ssl.c): one attempt fetches every `url` of the checker
 * in order, each over its own connection, and succeeds only when all of them pass.
 *
 * For each url: keepalived's exact request, then the status code must be in the url's set
 * (default 200-299), the MD5 of the body must equal `digest`, and `regex` must match (or not, with
 * regex_no_match). The body is what keepalived hashes: the bytes after the head, bounded by
 * Content-Length, chunk framing included (so digests from keepalived's genhash still work).
 *
 * Where this differs from keepalived, and why:
 * - keepalived fetches one url per delay_loop tick (and fast_recovery only hurries the first
 *   round); here all urls are fetched back to back in one attempt, so a retry re-fetches them all.
 *   fast_recovery therefore needs nothing from the scheduler.
 * - A response is complete at Content-Length / the last chunk: a server that then keeps the
 *   connection open passes (keepalived waits for the close and times out).
 * - The response is parsed strictly (http-response.ts): a garbage status line, oversized head or
 *   body, or broken chunk framing fails the url; keepalived accepts almost anything.
 * - Each url exchange must finish within 2 × connect_timeout (see http-exchange.ts).
 * - bind_if and fwmark are not applied: node:net cannot set SO_BINDTODEVICE / SO_MARK.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { HttpChecker, HttpUrl, RealServer, SslConfig, VirtualServer } from '../config/model/lvs.js';
import { registerChecker } from './checker-registry.js';
import type { CheckAttempt, CheckerContext, CheckerFactory, CheckOutcome, CheckTarget } from './checker-types.js';
import { httpExchange, type HttpTlsOptions } from './http-exchange.js';
import { compileHttpRegex, httpRegexMatches, type HttpRegex } from './http-regex.js';
import { DEFAULT_HTTP_RESPONSE_LIMITS, HttpResponseError, HttpResponseParser, type HttpResponseLimits } from './http-response.js';

export interface HttpCheckOptions {
  /** keepalived's global SSL { } block: a client certificate for SSL_GET (never a verification). */
  readonly ssl?: SslConfig;
  readonly limits?: Partial<HttpResponseLimits>;
  /** The whole exchange of one url must finish within this many connect_timeouts (default 2). */
  readonly deadlineFactor?: number;
}

/** What one url gave: keepalived's verdict words plus what was seen. */
export interface HttpUrlResult {
  readonly path: string;
  readonly ok: boolean;
  /** keepalived's message: "HTTP status code", "MD5 digest", "Regex match" on success; the timeout_epilog text on failure. */
  readonly message: string;
  readonly detail?: string;
  readonly statusCode?: number;
  /** MD5 (hex) of the body, when a digest was asked for. */
  readonly digest?: string;
}

export interface HttpCheckOutcome extends CheckOutcome {
  readonly urls: readonly HttpUrlResult[];
}

export type HttpProtocol = HttpChecker['httpProtocol'];

/** keepalived's request (check_http.c request_template): `Connection: close` for 1.0C and 1.1. */
export function buildHttpRequest(path: string, protocol: HttpProtocol, host: { vhost?: string; family: 'inet' | 'inet6'; address: string; port: number }): string {
  let hostHeader: string;
  if (host.vhost !== undefined) hostHeader = host.vhost;
  else if (host.family === 'inet6') hostHeader = `[${host.address}]:${host.port}`;
  else hostHeader = `${host.address}:${host.port}`;
  return (
    `GET ${path} HTTP/1.${protocol === '1.1' ? 1 : 0}\r\n` +
    'User-Agent: KeepAliveClient\r\n' +
    (protocol === '1.0' ? '' : 'Connection: close\r\n') +
    `Host: ${hostHeader}\r\n\r\n`
  );
}

/** The Host header's virtual host: url > checker > real server > virtual server (http_request_thread). */
export function effectiveVirtualhost(url: HttpUrl, checker: HttpChecker, rs: RealServer, vs: VirtualServer): string | undefined {
  return url.virtualhost ?? checker.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
}

/** The SNI name with enable_sni: url > checker > virtual server — keepalived's ssl_connect skips the real server's. */
export function effectiveSniName(url: HttpUrl, checker: HttpChecker, vs: VirtualServer): string | undefined {
  if (!checker.enableSni) return undefined;
  return url.virtualhost ?? checker.virtualhost ?? vs.virtualhost;
}

export function statusAccepted(code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  const list = ranges.length > 0 ? ranges : [[200, 299] as const];
  return list.some(([min, max]) => code >= min && code <= max);
}

/** keepalived's FMT_CHK: [address]:tcp:port. */
function fmtServer(t: CheckTarget): string {
  return `[${t.address}]:tcp:${t.port}`;
}

interface PreparedUrl {
  readonly url: HttpUrl;
  readonly regex?: HttpRegex | string;
}

/** Fetches one url and judges it. Never throws. */
export async function checkHttpUrl(params: {
  readonly url: HttpUrl;
  readonly regex?: HttpRegex | string;
  readonly request: string;
  readonly target: CheckTarget;
  readonly tls?: HttpTlsOptions;
  readonly limits: HttpResponseLimits;
  readonly deadlineFactor: number;
  readonly signal: AbortSignal;
}): Promise<HttpUrlResult | 'aborted'> {
  const { url, target } = params;
  const path = url.path ?? '/';
  const parser = new HttpResponseParser(params.limits);
  const md5 = url.digest !== undefined ? createHash('md5') : undefined;
  const wantBody = url.regex !== undefined;
  const bodyParts: Buffer[] = [];
  let statusCode: number | undefined;
  let parseError: HttpResponseError | undefined;
  let truncated = false;

  const consume = (events: ReturnType<HttpResponseParser['push']>): void => {
    for (const ev of events) {
      if (ev.type === 'head') statusCode = ev.head.statusCode;
      else if (ev.type === 'body' && ev.wire.length > 0) {
        md5?.update(ev.wire);
        if (wantBody) bodyParts.push(Buffer.from(ev.wire)); // bounded by limits.maxBodyBytes
      } else if (ev.type === 'end') truncated = ev.truncated;
    }
  };
  const connectMs = Math.max(1, Math.ceil(target.connectTimeout / 1000));
  const end = await httpExchange({
    target,
    ...(params.tls ? { tls: params.tls } : {}),
    request: params.request,
    connectMs,
    idleMs: connectMs,
    deadlineMs: connectMs * params.deadlineFactor,
    signal: params.signal,
    onData(chunk) {
      try {
        consume(parser.push(chunk));
      } catch (e) {
        if (!(e instanceof HttpResponseError)) throw e;
        parseError = e;
        return 'done';
      }
      return parser.complete ? 'done' : 'more';
    },
  });
  if (end.kind === 'aborted') return 'aborted';
  const fail = (message: string, detail?: string): HttpUrlResult => ({
    path,
    ok: false,
    message,
    ...(detail !== undefined ? { detail } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
  });
  if (end.kind === 'failed') return fail(end.reason, end.detail);
  if (!parseError && end.kind === 'eof') {
    try {
      consume(parser.finish());
    } catch (e) {
      if (!(e instanceof HttpResponseError)) throw e;
      parseError = e;
    }
  }
  if (parseError) {
    switch (parseError.code) {
      case 'no-response':
      case 'incomplete-head':
      case 'header-too-large':
        return fail('Read, no data received from', parseError.message);
      case 'bad-status-line':
        return fail('HTTP status code error to', parseError.message);
      default:
        return fail('HTTP response error from', parseError.message);
    }
  }
  if (statusCode === undefined || !statusAccepted(statusCode, url.statusCodes)) {
    return fail('HTTP status code error to', `status ${statusCode}`);
  }
  let message = 'HTTP status code';
  const notes: string[] = [];
  if (truncated) notes.push('body shorter than announced');
  let digest: string | undefined;
  if (md5) {
    digest = md5.digest('hex');
    if (digest !== url.digest!.toLowerCase()) {
      return { ...fail('MD5 digest error to', `got ${digest}`), digest };
    }
    message = 'MD5 digest';
  }
  if (url.regex !== undefined) {
    const compiled = params.regex;
    if (compiled === undefined || typeof compiled === 'string') return fail('Regex match failed', `invalid regex: ${compiled ?? 'not compiled'}`);
    const matched = httpRegexMatches(compiled, Buffer.concat(bodyParts), url.regexMinOffset ?? 0, url.regexMaxOffset);
    if (matched === url.regexNoMatch) return fail('Regex match failed', matched ? 'the body matches (regex_no_match)' : 'the body does not match');
    message = 'Regex match';
  }
  return {
    path,
    ok: true,
    message,
    statusCode,
    ...(digest !== undefined ? { digest } : {}),
    ...(notes.length > 0 ? { detail: notes.join('; ') } : {}),
  };
}

function readOptional(file: string | undefined): Buffer | undefined {
  return file === undefined ? undefined : fs.readFileSync(file);
}

/** A CheckerFactory for HTTP_GET and SSL_GET with the given options. */
export function httpCheckerFactory(options: HttpCheckOptions = {}): CheckerFactory {
  const limits: HttpResponseLimits = { ...DEFAULT_HTTP_RESPONSE_LIMITS, ...options.limits };
  const deadlineFactor = options.deadlineFactor ?? 2;
  type ClientCert = { cert?: Buffer; key?: Buffer; passphrase?: string } | string;
  // read once per SSL { } block (a reload brings a new one); NO_SSL stands for "no block"
  const NO_SSL = {} as SslConfig;
  const loaded = new WeakMap<SslConfig, ClientCert>();
  const loadClientCert = (ssl: SslConfig | undefined): ClientCert => {
    const known = loaded.get(ssl ?? NO_SSL);
    if (known !== undefined) return known;
    let clientCert: ClientCert;
    try {
      const cert = readOptional(ssl?.certificate);
      const key = readOptional(ssl?.key);
      clientCert = { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ssl?.password !== undefined ? { passphrase: ssl.password } : {}) };
    } catch (e) {
      // the message names the file, never the password
      clientCert = `SSL error : Cant load certificate or key file (${(e as Error).message})`;
    }
    loaded.set(ssl ?? NO_SSL, clientCert);
    return clientCert;
  };

  return (ctx: CheckerContext): CheckAttempt => {
    const checker = ctx.checker as HttpChecker;
    const target = ctx.target;
    const secure = checker.type === 'SSL_GET';
    const urls: PreparedUrl[] = checker.urls.map((url) => ({
      url,
      ...(url.regex !== undefined ? { regex: compileHttpRegex(url.regex, url.regexOptions) } : {}),
    }));
    return {
      async run(signal: AbortSignal): Promise<HttpCheckOutcome> {
        const results: HttpUrlResult[] = [];
        const server = fmtServer(target);
        let tlsBase: { cert?: Buffer; key?: Buffer; passphrase?: string } | undefined;
        if (secure) {
          const cert = loadClientCert(ctx.ssl ?? options.ssl);
          if (typeof cert === 'string') return { ok: false, reason: `${cert} for server ${server}`, urls: results };
          tlsBase = cert;
        }
        for (const { url, regex } of urls) {
          if (signal.aborted) return { ok: false, reason: 'check aborted', urls: results };
          const vhost = effectiveVirtualhost(url, checker, ctx.realServer, ctx.virtualServer);
          const request = buildHttpRequest(url.path ?? '/', checker.httpProtocol, {
            ...(vhost !== undefined ? { vhost } : {}),
            family: target.family,
            address: target.address,
            port: target.port,
          });
          const sni = effectiveSniName(url, checker, ctx.virtualServer);
          const result = await checkHttpUrl({
            url,
            ...(regex !== undefined ? { regex } : {}),
            request,
            target,
            ...(secure ? { tls: { ...tlsBase, ...(sni !== undefined ? { servername: sni } : {}) } } : {}),
            limits,
            deadlineFactor,
            signal,
          });
          if (result === 'aborted') return { ok: false, reason: 'check aborted', urls: results };
          results.push(result);
          if (!result.ok) {
            const detail = result.detail !== undefined ? ` (${result.detail})` : '';
            return { ok: false, reason: `${result.message} server ${server} url(${result.path})${detail}`, urls: results };
          }
        }
        const last = results[results.length - 1];
        const reason = last ? `${last.message} success to ${server} url(${last.path})` : `Remote Web server ${server} succeed on service`;
        return { ok: true, reason, urls: results };
      },
    };
  };
}

registerChecker('HTTP_GET', httpCheckerFactory());
registerChecker('SSL_GET', httpCheckerFactory());
