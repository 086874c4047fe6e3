/**
 * An incremental, bounded HTTP/1.x response parser for the HTTP_GET / SSL_GET checkers (pure: bytes
 * in, events out; no sockets, no clocks).
 *
 * A real server is not trusted: the status line and headers are capped (bytes and count), the body
 * is capped, chunk framing is validated, and every violation is an HttpResponseError with a code.
 * Nothing else is ever thrown. The parser keeps only the unfinished head (≤ maxHeaderBytes) and one
 * chunk-size or trailer line; body bytes are handed out as views of the input and never stored.
 *
 * Two views of the body are reported for every piece:
 * - `wire`: the bytes after the blank line, exactly as keepalived 2.2.7 hashes and regex-matches
 *   them (check_http.c never decodes Transfer-Encoding: a chunked body is hashed with its framing),
 *   bounded by Content-Length when there is one. Digests must use this view to stay compatible with
 *   digests produced by keepalived's genhash.
 * - `data`: the decoded payload (chunk framing removed), for callers that want the entity.
 *
 * The response is complete when Content-Length bytes arrived, when the last chunk and its trailers
 * arrived, at the end of the head for 1xx/204/304, and otherwise at end of stream (finish()).
 */

export interface HttpResponseLimits {
  /** Status line + header lines + the blank line, in bytes. */
  readonly maxHeaderBytes: number;
  /** Header lines (trailers of a chunked body count too). */
  readonly maxHeaderCount: number;
  /** Body bytes as received (wire view, framing included). */
  readonly maxBodyBytes: number;
  /** A chunk-size line (hex size and extensions). */
  readonly maxChunkLineBytes: number;
}

export const DEFAULT_HTTP_RESPONSE_LIMITS: HttpResponseLimits = {
  maxHeaderBytes: 32 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 8 * 1024 * 1024,
  maxChunkLineBytes: 1024,
};

export type HttpResponseErrorCode =
  | 'bad-status-line'
  | 'bad-header'
  | 'header-too-large'
  | 'too-many-headers'
  | 'bad-content-length'
  | 'bad-chunk'
  | 'body-too-large'
  | 'incomplete-head'
  | 'no-response'
  | 'after-end';

export class HttpResponseError extends Error {
  constructor(
    readonly code: HttpResponseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpResponseError';
  }
}

export interface HttpResponseHead {
  /** "1.0", "1.1" (any HTTP/d.d is accepted). */
  readonly version: string;
  readonly statusCode: number;
  readonly reason: string;
  /** Header names as received, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** undefined when absent (or ignored because the body is chunked). */
  readonly contentLength: number | undefined;
  readonly chunked: boolean;
  /** Bytes of the head, blank line included. */
  readonly headBytes: number;
}

export type HttpResponseEvent =
  | { readonly type: 'head'; readonly head: HttpResponseHead }
  | { readonly type: 'body'; readonly wire: Uint8Array; readonly data: Uint8Array }
  /**
   * The response is over. `truncated`: the stream ended before Content-Length bytes or before the
   * last chunk (keepalived only logs a length mismatch; the caller decides).
   */
  | { readonly type: 'end'; readonly truncated: boolean; readonly wireBytes: number };

type ChunkState = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer';

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);
const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: ([^\r\n]*))?$/;
/* RFC 9110 token characters for field names. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/* Field values: visible ASCII, obs-text, SP and HTAB; no CR, LF or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** Offset just past the first CRLFCRLF in `buf`, searching from `from`; -1 when absent. */
function findHeadEnd(buf: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < buf.length; i++) {
    if (buf[i] === CR && buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i + 4;
  }
  return -1;
}

/** Parses a complete head (status line … blank line). */
export function parseHead(text: string, limits: HttpResponseLimits = DEFAULT_HTTP_RESPONSE_LIMITS): HttpResponseHead {
  const lines = text.slice(0, -4).split('\r\n');
  const statusLine = lines[0]!;
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new HttpResponseError('bad-status-line', `bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const statusCode = Number(m[2]);
  const headers: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes('\n') || line.includes('\r')) throw new HttpResponseError('bad-header', 'bare CR or LF in a header line');
    if (line[0] === ' ' || line[0] === '\t') {
      // obs-fold: a continuation of the previous field value
      const last = headers[headers.length - 1];
      if (!last) throw new HttpResponseError('bad-header', 'continuation line before any header');
      if (!FIELD_VALUE.test(line)) throw new HttpResponseError('bad-header', 'control character in a header value');
      last[1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name)) throw new HttpResponseError('bad-header', `bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw new HttpResponseError('bad-header', `control character in header ${name}`);
    if (headers.length >= limits.maxHeaderCount) throw new HttpResponseError('too-many-headers', `more than ${limits.maxHeaderCount} headers`);
    headers.push([name, value]);
  }
  let contentLength: number | undefined;
  let chunked = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') {
      const codings = value.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
      chunked = codings[codings.length - 1] === 'chunked';
    } else if (lower === 'content-length') {
      // "Content-Length: 5, 5" is tolerated (RFC 9110 §8.6); anything else ambiguous is refused
      const values = value.split(',').map((v) => v.trim());
      for (const v of values) {
        if (!/^\d{1,15}$/.test(v)) throw new HttpResponseError('bad-content-length', `bad Content-Length ${JSON.stringify(value.slice(0, 40))}`);
        const n = Number(v);
        if (contentLength !== undefined && contentLength !== n) throw new HttpResponseError('bad-content-length', 'conflicting Content-Length headers');
        contentLength = n;
      }
    }
  }
  if (chunked) contentLength = undefined;
  return { version: m[1]!, statusCode, reason: m[3] ?? '', headers, contentLength, chunked, headBytes: text.length };
}

export class HttpResponseParser {
  private readonly limits: HttpResponseLimits;
  private phase: 'head' | 'body' | 'done' = 'head';
  private headBuf: Uint8Array = EMPTY;
  private head: HttpResponseHead | undefined;
  private wireBytes = 0;
  /** Content-Length bodies: bytes still expected. */
  private remaining = 0;
  private chunkState: ChunkState = 'size';
  private chunkLeft = 0;
  private line: number[] = [];
  private trailerBytes = 0;
  private trailerCount = 0;

  constructor(limits: Partial<HttpResponseLimits> = {}) {
    this.limits = { ...DEFAULT_HTTP_RESPONSE_LIMITS, ...limits };
  }

  get complete(): boolean {
    return this.phase === 'done';
  }

  get response(): HttpResponseHead | undefined {
    return this.head;
  }

  /** Feeds received bytes. Throws HttpResponseError on a protocol violation or a limit. */
  push(chunk: Uint8Array): HttpResponseEvent[] {
    const events: HttpResponseEvent[] = [];
    if (chunk.length === 0) return events;
    if (this.phase === 'done') return events; // bytes after the end are not part of the response
    let rest = chunk;
    if (this.phase === 'head') {
      const searchFrom = this.headBuf.length - 3;
      const joined = new Uint8Array(this.headBuf.length + Math.min(rest.length, this.limits.maxHeaderBytes + 1));
      joined.set(this.headBuf, 0);
      joined.set(rest.subarray(0, joined.length - this.headBuf.length), this.headBuf.length);
      const end = findHeadEnd(joined, searchFrom);
      if (end < 0) {
        if (joined.length > this.limits.maxHeaderBytes) {
          throw new HttpResponseError('header-too-large', `response head exceeds ${this.limits.maxHeaderBytes} bytes`);
        }
        this.headBuf = joined;
        return events;
      }
      if (end > this.limits.maxHeaderBytes) {
        throw new HttpResponseError('header-too-large', `response head exceeds ${this.limits.maxHeaderBytes} bytes`);
      }
      const consumed = end - this.headBuf.length;
      this.head = parseHead(latin1(joined.subarray(0, end)), this.limits);
      this.headBuf = EMPTY;
      rest = rest.subarray(consumed);
      events.push({ type: 'head', head: this.head });
      this.phase = 'body';
      const code = this.head.statusCode;
      if ((code >= 100 && code < 200) || code === 204 || code === 304 || this.head.contentLength === 0) {
        this.phase = 'done';
        events.push({ type: 'end', truncated: false, wireBytes: 0 });
        return events;
      }
      this.remaining = this.head.contentLength ?? 0;
    }
    if (rest.length > 0) this.body(rest, events);
    return events;
  }

  /** The stream ended (EOF, close_notify). Throws when no usable head was received. */
  finish(): HttpResponseEvent[] {
    if (this.phase === 'done') return [];
    if (this.phase === 'head') {
      if (this.headBuf.length === 0) throw new HttpResponseError('no-response', 'no data received');
      throw new HttpResponseError('incomplete-head', `stream ended inside the response head (${this.headBuf.length} bytes)`);
    }
    this.phase = 'done';
    const truncated = this.head!.chunked || this.head!.contentLength !== undefined;
    return [{ type: 'end', truncated, wireBytes: this.wireBytes }];
  }

  private countWire(n: number): void {
    this.wireBytes += n;
    if (this.wireBytes > this.limits.maxBodyBytes) {
      throw new HttpResponseError('body-too-large', `response body exceeds ${this.limits.maxBodyBytes} bytes`);
    }
  }

  private body(bytes: Uint8Array, events: HttpResponseEvent[]): void {
    const head = this.head!;
    if (head.chunked) {
      this.chunkedBody(bytes, events);
      return;
    }
    if (head.contentLength === undefined) {
      this.countWire(bytes.length);
      events.push({ type: 'body', wire: bytes, data: bytes });
      return;
    }
    const take = bytes.subarray(0, this.remaining);
    this.countWire(take.length);
    this.remaining -= take.length;
    events.push({ type: 'body', wire: take, data: take });
    if (this.remaining === 0) {
      this.phase = 'done';
      events.push({ type: 'end', truncated: false, wireBytes: this.wireBytes });
    }
  }

  private chunkedBody(bytes: Uint8Array, events: HttpResponseEvent[]): void {
    let i = 0;
    let wireStart = 0;
    while (i < bytes.length && this.phase !== 'done') {
      switch (this.chunkState) {
        case 'data': {
          const n = Math.min(this.chunkLeft, bytes.length - i);
          this.countWire(n);
          // wire bytes of the framing before this data are reported with it, in order
          events.push({ type: 'body', wire: bytes.subarray(wireStart, i + n), data: bytes.subarray(i, i + n) });
          i += n;
          wireStart = i;
          this.chunkLeft -= n;
          if (this.chunkLeft === 0) this.chunkState = 'data-cr';
          break;
        }
        case 'data-cr':
        case 'data-lf': {
          const want = this.chunkState === 'data-cr' ? CR : LF;
          if (bytes[i] !== want) throw new HttpResponseError('bad-chunk', 'chunk data not followed by CRLF');
          this.countWire(1);
          i++;
          this.chunkState = this.chunkState === 'data-cr' ? 'data-lf' : 'size';
          break;
        }
        case 'size':
        case 'trailer': {
          const b = bytes[i]!;
          this.countWire(1);
          i++;
          this.line.push(b);
          const max = this.chunkState === 'size' ? this.limits.maxChunkLineBytes : this.limits.maxHeaderBytes;
          if (this.line.length > max) {
            throw new HttpResponseError(this.chunkState === 'size' ? 'bad-chunk' : 'header-too-large', 'chunk line too long');
          }
          if (this.chunkState === 'trailer') {
            this.trailerBytes++;
            if (this.trailerBytes > this.limits.maxHeaderBytes) throw new HttpResponseError('header-too-large', 'trailers too large');
          }
          if (b !== LF) break;
          const text = latin1(Uint8Array.from(this.line));
          this.line = [];
          if (!text.endsWith('\r\n')) throw new HttpResponseError('bad-chunk', 'bare LF in chunked framing');
          const content = text.slice(0, -2);
          if (this.chunkState === 'size') {
            const m = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(content);
            if (!m) throw new HttpResponseError('bad-chunk', `bad chunk size line ${JSON.stringify(content.slice(0, 40))}`);
            const size = parseInt(m[1]!, 16);
            if (size === 0) this.chunkState = 'trailer';
            else {
              this.chunkLeft = size;
              this.chunkState = 'data';
            }
          } else if (content === '') {
            this.phase = 'done';
          } else {
            this.trailerCount++;
            if (this.trailerCount + this.head!.headers.length > this.limits.maxHeaderCount) {
              throw new HttpResponseError('too-many-headers', `more than ${this.limits.maxHeaderCount} headers with trailers`);
            }
            if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/.test(content)) throw new HttpResponseError('bad-chunk', 'bad trailer line');
          }
          break;
        }
      }
    }
    if (i > wireStart) {
      events.push({ type: 'body', wire: bytes.subarray(wireStart, i), data: EMPTY });
    }
    if (this.phase === 'done') events.push({ type: 'end', truncated: false, wireBytes: this.wireBytes });
  }
}
