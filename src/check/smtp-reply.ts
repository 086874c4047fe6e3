/**
 * Reading SMTP replies (RFC 5321 §4.2) from an untrusted server, with hard bounds. Pure.
 *
 * A reply is one or more lines "NNN-text" ending with "NNN text" or a bare "NNN"; every line of a
 * reply carries the same code. Lines end in LF (CR before it is dropped). keepalived 2.2.7 looks
 * only at the first line, so a multi-line banner ("220-…") fails there; here it is read whole.
 */

export const SMTP_LIMITS = {
  /** RFC 5321 allows 512 octets per reply line; be generous, but bounded. */
  maxLineBytes: 2048,
  maxLines: 64,
  maxReplyBytes: 32 * 1024,
} as const;

export interface SmtpReply {
  readonly code: number;
  /** The text of each line (after the code and separator). */
  readonly lines: readonly string[];
}

export type SmtpReadResult =
  | { readonly kind: 'reply'; readonly reply: SmtpReply }
  | { readonly kind: 'more' }
  | { readonly kind: 'error'; readonly reason: string };

const LF = 0x0a;

/**
 * Accumulates bytes until one complete reply is in. After a reply or an error the reader is done;
 * start a new one for the next reply (like keepalived, bytes the server sent past the end of a reply
 * are not carried over).
 */
export class SmtpReplyReader {
  private pending: Buffer = Buffer.alloc(0);
  private total = 0;
  private code: number | undefined;
  private readonly lines: string[] = [];
  private result: SmtpReadResult = { kind: 'more' };

  constructor(private readonly limits = SMTP_LIMITS) {}

  push(chunk: Uint8Array): SmtpReadResult {
    if (this.result.kind !== 'more') return this.result;
    this.total += chunk.length;
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const nl = this.pending.indexOf(LF);
      if (nl < 0) {
        if (this.pending.length > this.limits.maxLineBytes) return this.fail(`reply line longer than ${this.limits.maxLineBytes} bytes`);
        if (this.total > this.limits.maxReplyBytes) return this.fail(`reply longer than ${this.limits.maxReplyBytes} bytes`);
        return this.result;
      }
      if (nl > this.limits.maxLineBytes) return this.fail(`reply line longer than ${this.limits.maxLineBytes} bytes`);
      const end = nl > 0 && this.pending[nl - 1] === 0x0d ? nl - 1 : nl;
      const line = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(nl + 1);
      const r = this.line(line);
      if (r) return r;
    }
  }

  private line(line: string): SmtpReadResult | undefined {
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (!m) return this.fail(`malformed reply line '${printable(line)}'`);
    const code = Number(m[1]);
    if (this.code !== undefined && code !== this.code) return this.fail(`reply code changed from ${this.code} to ${code} within a multi-line reply`);
    this.code = code;
    this.lines.push(line.slice(4));
    if (m[2] !== '-') {
      this.result = { kind: 'reply', reply: { code, lines: this.lines } };
      return this.result;
    }
    if (this.lines.length >= this.limits.maxLines) return this.fail(`multi-line reply of more than ${this.limits.maxLines} lines`);
    if (this.total > this.limits.maxReplyBytes) return this.fail(`reply longer than ${this.limits.maxReplyBytes} bytes`);
    return undefined;
  }

  private fail(reason: string): SmtpReadResult {
    this.result = { kind: 'error', reason };
    this.pending = Buffer.alloc(0);
    return this.result;
  }
}

/** At most 80 characters of `s`, control characters escaped, for log lines. */
function printable(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
