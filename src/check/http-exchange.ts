/**
 * One HTTP(S) request/response exchange for HTTP_GET / SSL_GET and genhash: connect (optionally
 * from a bind address/port), TLS handshake (certificate not verified, as keepalived: its SSL context
 * never asks for verification), send the request, hand every received chunk to the caller until it
 * says it has enough or the stream ends.
 *
 * Timeouts, after keepalived's check_http.c/check_ssl.c:
 * - connect and TLS handshake together within connectMs;
 * - each wait for data within idleMs (keepalived re-arms its read timer after every read);
 * - and, unlike keepalived, the whole exchange within deadlineMs, so a server trickling one byte
 *   per second cannot hold an attempt open for ever.
 * Failures carry keepalived's wording ("Connection failed", "Timeout WEB read", …) so logs read the same.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface HttpExchangeTarget {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly port: number;
  readonly bindAddress?: string;
  readonly bindPort?: number;
}

export interface HttpTlsOptions {
  /** SNI; skipped when it is an IP address (RFC 6066 forbids it and Node refuses it). */
  readonly servername?: string;
  /** Client certificate (PEM), key and key passphrase from keepalived's global SSL { } block. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly passphrase?: string;
}

export interface HttpExchangeOptions {
  readonly target: HttpExchangeTarget;
  readonly tls?: HttpTlsOptions;
  readonly request: string;
  readonly connectMs: number;
  readonly idleMs: number;
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
  /** A chunk arrived; return 'done' to stop reading (the response is complete or refused). */
  onData(chunk: Buffer): 'more' | 'done';
}

export type HttpExchangeEnd =
  /** The caller returned 'done'. */
  | { readonly kind: 'done' }
  /** The server ended the stream (FIN, or TLS close). */
  | { readonly kind: 'eof' }
  | {
      readonly kind: 'failed';
      /** keepalived's words for what went wrong (its timeout_epilog messages). */
      readonly reason: string;
      readonly detail: string;
      /** True when the failure came after some response bytes (a read error, not a connect error). */
      readonly afterData: boolean;
    }
  | { readonly kind: 'aborted' };

const UNREACHABLE = new Set(['ENETUNREACH', 'ENETDOWN']);

/** Runs one exchange; resolves (never rejects) when it is over and the socket is destroyed. */
export function httpExchange(opts: HttpExchangeOptions): Promise<HttpExchangeEnd> {
  return new Promise<HttpExchangeEnd>((resolve) => {
    if (opts.signal?.aborted) {
      resolve({ kind: 'aborted' });
      return;
    }
    const secure = opts.tls !== undefined;
    let phase: 'connect' | 'first-byte' | 'reading' = 'connect';
    let gotData = false;
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;

    const raw = net.connect({
      host: opts.target.address,
      port: opts.target.port,
      family: opts.target.family === 'inet' ? 4 : 6,
      ...(opts.target.bindAddress !== undefined ? { localAddress: opts.target.bindAddress } : {}),
      ...(opts.target.bindPort ? { localPort: opts.target.bindPort } : {}),
    });
    raw.setNoDelay(true);
    let stream: net.Socket = raw;

    const settle = (end: HttpExchangeEnd): void => {
      if (settled) return;
      settled = true;
      if (connectTimer) clearTimeout(connectTimer);
      if (deadlineTimer) clearTimeout(deadlineTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const s of stream === raw ? [raw] : [stream, raw]) {
        s.removeAllListeners('data');
        s.on('error', () => {}); // late errors from the teardown are of no interest
        s.setTimeout(0);
        s.destroy();
      }
      resolve(end);
    };
    const fail = (reason: string, detail: string): void => settle({ kind: 'failed', reason, detail, afterData: gotData });
    const onAbort = (): void => settle({ kind: 'aborted' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    connectTimer = setTimeout(() => fail('Timeout connecting', `no connection within ${opts.connectMs} ms`), opts.connectMs);
    deadlineTimer = setTimeout(
      () => fail(gotData ? (secure ? 'Timeout SSL read' : 'Timeout HTTP read') : 'Timeout WEB read', `response not complete within ${opts.deadlineMs} ms`),
      opts.deadlineMs,
    );

    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code ?? err.message;
      if (phase === 'connect') {
        if (secure && raw.readyState === 'open') fail('SSL handshake/communication error connecting to', code);
        else if (code === 'ETIMEDOUT') fail('Timeout connecting', code);
        else if (UNREACHABLE.has(code)) fail('HTTP_CHECK - network unreachable', code);
        else if (code === 'EADDRNOTAVAIL' || code === 'EADDRINUSE' || code === 'EACCES') fail('WEB socket bind failed', code);
        else fail('Connection failed', code);
      } else if (secure) fail('SSL read error from', code);
      else fail('Read error with', code);
    };

    const startExchange = (): void => {
      if (connectTimer) clearTimeout(connectTimer);
      connectTimer = undefined;
      phase = 'first-byte';
      stream.setTimeout(opts.idleMs, () =>
        fail(phase === 'first-byte' ? 'Timeout WEB read' : secure ? 'Timeout SSL read' : 'Timeout HTTP read', `nothing received for ${opts.idleMs} ms`),
      );
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        phase = 'reading';
        gotData = true;
        if (opts.onData(chunk) === 'done') settle({ kind: 'done' });
      });
      stream.on('end', () => settle({ kind: 'eof' }));
      stream.on('close', () => settle({ kind: 'eof' }));
      stream.write(opts.request, 'latin1', (err) => {
        if (err) fail('Cannot send get request to', (err as NodeJS.ErrnoException).code ?? err.message);
      });
    };

    raw.on('error', onError);
    if (!secure) {
      raw.on('connect', startExchange);
      return;
    }
    const t = opts.tls!;
    const servername = t.servername !== undefined && t.servername !== '' && net.isIP(t.servername) === 0 ? t.servername : undefined;
    const secureSocket = tls.connect({
      socket: raw,
      rejectUnauthorized: false,
      ...(servername !== undefined ? { servername } : {}),
      ...(t.cert ? { cert: t.cert } : {}),
      ...(t.key ? { key: t.key } : {}),
      ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
    });
    stream = secureSocket;
    secureSocket.on('error', onError);
    secureSocket.on('secureConnect', startExchange);
  });
}
