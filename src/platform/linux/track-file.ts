/**
 * track_file: the integer in a file, watched as keepalived 2.2.7 watches it
 * (keepalived/trackers/track_file.c). inotify watches the file's DIRECTORY for IN_CLOSE_WRITE,
 * IN_DELETE and IN_MOVE on the file's name, so an editor's rename-into-place, a `>` redirect
 * and a deletion are all seen, and a half-written file never is (a write counts when the
 * writer closes it). A deleted or moved-away file reads as 0. `onChange` fires only when the
 * value differs from the last one.
 *
 * The raw inotify API (libc.ts) is used rather than fs.watch: libuv's watch mask has no
 * IN_CLOSE_WRITE, so fs.watch would report the truncation at the start of every rewrite and
 * make the value flicker through 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as libc from './libc.js';
import { watchReadable, type FdWatch } from './fd-poller.js';
import { silentLog, type LogFn } from './driver-log.js';
import type { TrackerInit } from '../../vrrp/instance-types.js';

const INT32_MIN = -2147483648;
/** keepalived accepts one above INT32_MAX. */
const INT32_MAX_PLUS_ONE = 2147483648;
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/**
 * The value of a track file's content as keepalived reads it: strtol(content, NULL, 0) over
 * the first 127 bytes — leading white space, an optional sign, then 0x… hex, 0… octal or
 * decimal, stopping at the first character that does not fit; no digits at all is 0.
 * Returns `{ invalid }` for a value keepalived rejects (overflow, or outside
 * INT32_MIN..INT32_MAX+1), in which case the previous value is kept.
 */
export function parseTrackFileValue(content: string | Buffer): { value: number } | { invalid: bigint } {
  const text = typeof content === 'string' ? content : content.subarray(0, 127).toString('latin1');
  let i = 0;
  while (i < text.length && ' \t\n\v\f\r'.includes(text[i]!)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let base = 10;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (text[i] === '0') {
    base = 8;
  }
  let magnitude = 0n;
  let overflow = false;
  for (; i < text.length; i++) {
    const d = digitValue(text[i]!);
    if (d === undefined || d >= base) break;
    magnitude = magnitude * BigInt(base) + BigInt(d);
    if (magnitude > LONG_MAX + 1n) overflow = true;
  }
  let value = negative ? -magnitude : magnitude;
  if (overflow || value > LONG_MAX || value < LONG_MIN) {
    // strtol clamps and sets ERANGE; keepalived logs the clamped value and ignores the read
    value = negative ? LONG_MIN : LONG_MAX;
    return { invalid: value };
  }
  if (value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX_PLUS_ONE)) return { invalid: value };
  return { value: Number(value) };
}

function digitValue(c: string): number | undefined {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return undefined;
}

/**
 * init_file (track_file_end_handler): 'create' writes VALUE only when the path does not exist;
 * 'overwrite' writes it unless the path exists and is not a regular file; a reload never
 * overwrites an existing file. The content is "VALUE\n", written to a private temporary file
 * renamed into place (fopen_safe), mode 0666 less the umask. Returns an error message, or
 * undefined when done or nothing was to be done.
 */
export function initTrackFile(
  name: string,
  filePath: string,
  init: { mode: 'create' | 'overwrite'; value: number },
  options: { reload?: boolean } = {},
): string | undefined {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(filePath);
  } catch {
    st = undefined;
  }
  if (st) {
    if (init.mode === 'create') return undefined;
    if (!st.isFile()) return `Cannot initialise track file ${name} - it is not a regular file`;
    if (options.reload) return undefined;
  }
  const tmp = `${filePath}${randomBytes(4).toString('hex').slice(0, 6)}`;
  try {
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, `${init.value}\n`);
      const umask = process.umask();
      fs.fchmodSync(fd, 0o666 & ~umask);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, filePath);
    return undefined;
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    return `Unable to initialise track file ${name} (${(e as Error).message})`;
  }
}

export interface FileTrackerOptions {
  /** The track_file's name (for logs). */
  readonly name: string;
  readonly filePath: string;
  /** Called with the new value whenever it changes after start. */
  readonly onChange: (value: number) => void;
  readonly log?: LogFn;
}

const WATCH_MASK = libc.IN_CLOSE_WRITE | libc.IN_DELETE | libc.IN_MOVE;
const EVENT_HEADER = 16;

export class FileTracker {
  private readonly log: LogFn;
  private fd = -1;
  private watch: FdWatch | undefined;
  private wd = -1;
  private resolvedPath: string | undefined;
  private fileName = '';
  private current = 0;
  private readonly buf = Buffer.alloc(64 * 1024);
  /** Reads whose content keepalived would reject ("Invalid number"). */
  invalidReads = 0;

  constructor(private readonly options: FileTrackerOptions) {
    this.log = options.log ?? silentLog;
  }

  /** The last value read (0 before start, or when the file is missing): the start event's TrackerInit. */
  get value(): number {
    return this.current;
  }

  /** For the instances' start event. */
  trackerInit(): TrackerInit {
    return { kind: 'file', name: this.options.name, value: this.current };
  }

  /** The path actually watched (symbolic links and relative parts resolved), once started. */
  get watchedPath(): string | undefined {
    return this.resolvedPath;
  }

  get active(): boolean {
    return this.fd !== -1;
  }

  /**
   * Resolve the path, watch its directory and read the current value (no onChange for it).
   * Returns false, after logging why, when the file cannot be tracked (its directory does not
   * exist, it is not accessible, inotify is unavailable): the value then stays 0.
   */
  start(): boolean {
    if (this.fd !== -1) return true;
    const name = this.options.name;
    const resolved = this.resolve();
    if (resolved === undefined) return false;
    this.resolvedPath = resolved.path;
    this.fileName = path.basename(resolved.path);
    try {
      this.fd = libc.inotifyInit();
    } catch (e) {
      this.log('error', `Unable to monitor track files (${(e as Error).message})`);
      return false;
    }
    try {
      this.wd = libc.inotifyAddWatch(this.fd, path.dirname(resolved.path), WATCH_MASK);
    } catch (e) {
      this.log('error', `track file ${name}: cannot watch ${path.dirname(resolved.path)} (${(e as Error).message})`);
      libc.closeFd(this.fd);
      this.fd = -1;
      return false;
    }
    this.watch = watchReadable(this.fd, () => this.drain());
    if (resolved.exists) {
      const v = this.readValue();
      if (v !== undefined) this.current = v;
    }
    return true;
  }

  stop(): void {
    this.watch?.close();
    this.watch = undefined;
    if (this.fd !== -1) libc.closeFd(this.fd);
    this.fd = -1;
    this.wd = -1;
  }

  /** init_track_files: realpath of the file, or of its directory when the file does not exist yet. */
  private resolve(): { path: string; exists: boolean } | undefined {
    const { name, filePath } = this.options;
    try {
      return { path: fs.realpathSync(filePath), exists: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log('error', `track file ${name} is not accessible - ignoring`);
        return undefined;
      }
    }
    const dir = path.dirname(filePath);
    try {
      const realDir = fs.realpathSync(dir);
      if (!fs.statSync(realDir).isDirectory()) throw new Error('not a directory');
      return { path: path.join(realDir, path.basename(filePath)), exists: false };
    } catch {
      this.log('error', `Track file directory for ${name} does not exist - removing`);
      return undefined;
    }
  }

  /** The file's value, 0 when it cannot be opened or is empty, undefined when keepalived would ignore the read. */
  private readValue(): number | undefined {
    const p = this.resolvedPath!;
    let content: Buffer;
    try {
      const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const b = Buffer.alloc(127);
        const n = fs.readSync(fd, b, 0, 127, null);
        content = b.subarray(0, n);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return 0;
    }
    if (content.length === 0) return 0;
    const parsed = parseTrackFileValue(content);
    if ('invalid' in parsed) {
      this.invalidReads++;
      this.log('info', `Invalid number ${parsed.invalid} read from ${p} - ignoring`);
      return undefined;
    }
    return parsed.value;
  }

  private update(value: number): void {
    if (value === this.current) return;
    this.current = value;
    this.options.onChange(value);
  }

  private drain(): void {
    if (this.fd === -1) return;
    for (;;) {
      let n: number | undefined;
      try {
        n = libc.readFd(this.fd, this.buf);
      } catch (e) {
        this.log('error', `inotify read() returned error (${(e as Error).message})`);
        return;
      }
      if (n === undefined || n === 0) return;
      if (n < EVENT_HEADER) {
        this.log('info', `inotify read() returned short length ${n}`);
        return;
      }
      for (let off = 0; off + EVENT_HEADER <= n; ) {
        const wd = this.buf.readInt32LE(off);
        const mask = this.buf.readUInt32LE(off + 4);
        const len = this.buf.readUInt32LE(off + 12);
        const rawName = this.buf.subarray(off + EVENT_HEADER, Math.min(n, off + EVENT_HEADER + len));
        const zero = rawName.indexOf(0);
        const name = (zero === -1 ? rawName : rawName.subarray(0, zero)).toString();
        off += EVENT_HEADER + len;
        this.event(wd, mask, name);
      }
    }
  }

  private event(wd: number, mask: number, name: string): void {
    if (mask & libc.IN_Q_OVERFLOW) {
      // events were lost: the file may have changed in any way, so read it again
      this.log('info', `inotify queue overflow - rereading track file ${this.options.name}`);
      const v = this.readValue();
      if (v !== undefined) this.update(v);
      return;
    }
    if (mask & libc.IN_IGNORED) {
      if (wd === this.wd) this.log('warning', `track file ${this.options.name}: directory ${path.dirname(this.resolvedPath ?? '')} is gone - no longer tracked`);
      return;
    }
    if (mask & libc.IN_ISDIR) return;
    if (wd !== this.wd || name !== this.fileName) return;
    if (mask & (libc.IN_MOVED_FROM | libc.IN_DELETE)) {
      this.update(0);
    } else if (mask & (libc.IN_MOVED_TO | libc.IN_CLOSE_WRITE)) {
      const v = this.readValue();
      if (v !== undefined) this.update(v);
    } else {
      this.log('info', `Unknown inotify event 0x${mask.toString(16)}`);
    }
  }
}
