/**
 * glob(3) as keepalived calls it for `include` (GLOB_MARK | GLOB_BRACE): brace alternatives
 * expanded first and each globbed in turn, `*`, `?` and `[...]` per path component, a leading
 * '.' only matched explicitly, matches sorted per alternative, directories marked with a
 * trailing '/'. It also counts what keepalived counts through its ALTDIRFUNC hooks — files and
 * directories that were looked for and missing — because keepalived's include diagnostics depend
 * on them.
 */
import * as path from 'node:path';
import type { ConfigFileSystem } from './config-fs.js';

export interface GlobResult {
  readonly matches: string[];
  readonly missingFiles: number;
  readonly missingDirectories: number;
  readonly haveWildcards: boolean;
}

const hasWildcard = (s: string) => /(^|[^\\])[*?[]/.test(s);

/** True when the pattern has an unescaped '{' (keepalived's have_brace()). */
export function hasBrace(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{') return true;
  }
  return false;
}

/** Expand {a,b} alternatives (nested allowed, backslash escapes respected), left to right. */
export function expandBraces(pattern: string): string[] {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return [pattern];
  // find the matching close and the top-level commas
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern]; // unbalanced: glibc treats it literally
  const prefix = pattern.slice(0, open);
  const suffix = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k < bounds.length - 1; k++) {
    const alt = pattern.slice(bounds[k]! + 1, bounds[k + 1]);
    out.push(...expandBraces(prefix + alt + suffix));
  }
  return out;
}

function segmentRegex(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i]!);
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      re += '[' + (negate ? '^' : '') + body.replace(/[\\\]^]/g, (m) => '\\' + m) + ']';
      i = close;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

export function globFiles(pattern: string, cwd: string, fs: ConfigFileSystem): GlobResult {
  let missingFiles = 0;
  let missingDirectories = 0;
  let haveWildcards = false;
  const matches: string[] = [];
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(cwd, p));
  const mark = (p: string) => (fs.stat(abs(p))?.isDirectory && !p.endsWith('/') ? p + '/' : p);

  for (const alternative of expandBraces(pattern)) {
    if (!hasWildcard(alternative)) {
      const literal = unescape(alternative);
      if (fs.stat(abs(literal))) matches.push(mark(literal));
      else missingFiles++;
      continue;
    }
    const isAbs = alternative.startsWith('/');
    const segments = alternative.split('/').filter((s, i) => s !== '' || i === 0);
    let current: string[] = [isAbs ? '/' : ''];
    const start = isAbs ? 1 : 0;
    for (let k = start; k < segments.length; k++) {
      const seg = segments[k]!;
      const last = k === segments.length - 1;
      const next: string[] = [];
      for (const base of current) {
        if (!hasWildcard(seg)) {
          const candidate = joinPattern(base, unescape(seg));
          if (last) {
            if (fs.stat(abs(candidate))) next.push(candidate);
            else missingFiles++;
          } else next.push(candidate);
          continue;
        }
        haveWildcards = true;
        let names: string[];
        try {
          names = fs.readdir(abs(base === '' ? '.' : base));
        } catch {
          missingDirectories++;
          continue;
        }
        const re = segmentRegex(seg);
        const found = names.filter((n) => re.test(n) && (n[0] !== '.' || seg[0] === '.')).sort(byteOrder);
        for (const name of found) {
          const candidate = joinPattern(base, name);
          if (!last && !fs.stat(abs(candidate))?.isDirectory) continue;
          next.push(candidate);
        }
      }
      current = next;
    }
    matches.push(...current.map(mark));
  }
  return { matches, missingFiles, missingDirectories, haveWildcards };
}

function joinPattern(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? base + name : base + '/' + name;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
