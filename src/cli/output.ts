/** Where the CLI writes: stdout, and stderr or the `--config-test=LOG_FILE` file. */
import * as fs from 'node:fs';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** strerror() text for the errors opening a log file can give (%m in keepalived's message). */
const STRERROR: Readonly<Record<string, [number, string]>> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  EISDIR: [21, 'Is a directory'],
  ENOTDIR: [20, 'Not a directory'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  EROFS: [30, 'Read-only file system'],
  ENOSPC: [28, 'No space left on device'],
};

/**
 * keepalived -t=LOG_FILE: open(LOG_FILE, O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW, 0644) and send
 * stderr there. Returns the new Output, or the message keepalived prints when it cannot.
 */
export function openConfigTestLog(file: string, base: Output): Output | string {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const [errno, text] = STRERROR[code] ?? [Math.abs((e as NodeJS.ErrnoException).errno ?? 0), code];
    return `Unable to open config-test log file ${file} ${errno} - ${text}\n`;
  }
  return { out: base.out, err: (text) => void fs.writeSync(fd, text) };
}
