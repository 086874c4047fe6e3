/**
 * Pidfiles as keepalived keeps them: "PID\n", written at start, removed at exit; a pidfile
 * naming a live process means the daemon is already running.
 */
import * as fs from 'node:fs';

export function runningPid(path: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export function writePidfile(path: string, pid: number): void {
  const tmp = `${path}.${pid}.tmp`;
  fs.writeFileSync(tmp, `${pid}\n`, { mode: 0o644, flag: 'wx' });
  fs.renameSync(tmp, path);
}

/** Remove the pidfile if it still names `pid` (a newer daemon may have replaced it). */
export function removePidfile(path: string, pid: number): void {
  try {
    if (fs.readFileSync(path, 'utf8').trim() === String(pid)) fs.unlinkSync(path);
  } catch {
    /* already gone */
  }
}
