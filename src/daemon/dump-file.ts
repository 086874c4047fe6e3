/**
 * Writing the signal dumps (keepalived.stats, keepalived.json, keepalived.data) the way
 * keepalived's fopen_safe() does: into a new temporary file next to the target, created with
 * O_EXCL | O_NOFOLLOW and mode 0600, then renamed over the target. The dump directory is usually
 * /tmp, writable by everyone: a symlink planted at the target is replaced, never written through,
 * and nobody can open the file before it is complete and private.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';

/** keepalived's make_tmp_filename() directory: $TMPDIR when it is an absolute path, else /tmp. */
export function dumpDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const t = env['TMPDIR'];
  return t && t.startsWith('/') ? t : '/tmp';
}

export type DumpKind = 'stats' | 'json' | 'data';

export interface DumpPathOptions {
  readonly directory?: string;
  /** Global data_use_instance: the data dump's name gets ".<netns>_<instance>" before ".data". */
  readonly dataUseInstance?: boolean;
  readonly instanceName?: string;
  readonly netNamespace?: string;
}

/** The path keepalived 2.2.7 writes a dump to (vrrp_print_stats, vrrp_print_json, open_dump_file). */
export function dumpFilePath(kind: DumpKind, opts: DumpPathOptions = {}): string {
  const dir = opts.directory ?? dumpDirectory();
  const file = `keepalived.${kind}`;
  if (kind === 'data' && opts.dataUseInstance && (opts.instanceName || opts.netNamespace)) {
    const ns = opts.netNamespace ?? '';
    const sep = opts.instanceName && opts.netNamespace ? '_' : '';
    return `${dir}/keepalived.${ns}${sep}${opts.instanceName ?? ''}.data`;
  }
  return `${dir}/${file}`;
}

export type DumpWriteResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly path: string; readonly error: string };

export interface DumpWriteOptions {
  /** File mode; default 0600 (keepalived: 0666 & ~umask, umask 0177 unless -u / umask says otherwise). */
  readonly mode?: number;
}

const TEMP_ATTEMPTS = 16;

/**
 * Writes `content` to `target` safely (see the file comment). Never throws: failures come back
 * with the path and the reason, for the caller to log ("Can't open …") and count.
 */
export function writeDumpFile(target: string, content: string, opts: DumpWriteOptions = {}): DumpWriteResult {
  const mode = opts.mode ?? 0o600;
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  let fd: number | undefined;
  /** Set once the temporary file is ours (only then may it be removed on failure). */
  let created: string | undefined;
  try {
    for (let attempt = 0; fd === undefined; attempt++) {
      const tmp = `${target}${randomSuffix()}`;
      try {
        fd = fs.openSync(tmp, flags, mode);
        created = tmp;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt + 1 >= TEMP_ATTEMPTS) throw e;
      }
    }
    // the creation mode was filtered by the process umask; set exactly what was asked
    fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, content);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(created!, target);
    return { ok: true, path: target };
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already reporting the first error */
      }
    }
    if (created) {
      try {
        fs.rmSync(created, { force: true });
      } catch {
        /* already reporting the first error */
      }
    }
    return { ok: false, path: target, error: describe(e) };
  }
}

/** Six characters from mkstemp()'s alphabet. */
function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && err.code) return `${err.code}: ${err.message}`;
  return String(e);
}
