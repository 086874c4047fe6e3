/**
 * The file system as the config reader sees it. The Linux implementation is the real one;
 * tests and fuzzers use an in-memory one, so the parser itself never touches the disk directly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ConfigFileSystem {
  /** Throws an Error with `code` (ENOENT, EACCES, EISDIR, …) when the file cannot be read. */
  readFile(file: string): Buffer;
  /** Names in a directory; throws like readdir(3). */
  readdir(dir: string): string[];
  /** undefined when the path does not exist. */
  stat(file: string): { isFile: boolean; isDirectory: boolean; mode: number } | undefined;
  /** The directory relative paths are resolved against at the start of the parse. */
  cwd(): string;
}

export const nodeFileSystem: ConfigFileSystem = {
  readFile: (f) => fs.readFileSync(f),
  readdir: (d) => fs.readdirSync(d),
  stat: (f) => {
    try {
      const s = fs.statSync(f);
      return { isFile: s.isFile(), isDirectory: s.isDirectory(), mode: s.mode };
    } catch {
      return undefined;
    }
  },
  cwd: () => process.cwd(),
};

/** An in-memory file system: absolute paths → contents. Directories are implied by paths. */
export function memoryFileSystem(files: Readonly<Record<string, string | Buffer>>, cwd = '/'): ConfigFileSystem {
  const norm = (p: string) => path.posix.normalize(p).replace(/\/$/, '') || '/';
  const entries = new Map<string, Buffer>();
  for (const [p, c] of Object.entries(files)) entries.set(norm(p), typeof c === 'string' ? Buffer.from(c) : c);
  const isDir = (d: string) => {
    const prefix = d === '/' ? '/' : d + '/';
    for (const p of entries.keys()) if (p.startsWith(prefix)) return true;
    return false;
  };
  const err = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });
  return {
    readFile(f) {
      const n = norm(f);
      const c = entries.get(n);
      if (c) return c;
      throw err(isDir(n) ? 'EISDIR' : 'ENOENT', f);
    },
    readdir(d) {
      const n = norm(d);
      if (!isDir(n)) throw err(entries.has(n) ? 'ENOTDIR' : 'ENOENT', d);
      const prefix = n === '/' ? '/' : n + '/';
      const names = new Set<string>();
      for (const p of entries.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
      return [...names];
    },
    stat(f) {
      const n = norm(f);
      if (entries.has(n)) return { isFile: true, isDirectory: false, mode: 0o100644 };
      if (isDir(n)) return { isFile: false, isDirectory: true, mode: 0o40755 };
      return undefined;
    },
    cwd: () => cwd,
  };
}
