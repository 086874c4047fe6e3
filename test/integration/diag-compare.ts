/**
 * Comparing diagnostics as keepalived prints them: `(FILE: Line N) message`, `(Line N) message`
 * (no file: the main file) or a bare message (checks after parsing). keepalived prints some lines
 * once per process it would start, so outputs are compared as SETS.
 */
import * as path from 'node:path';

export interface DiagKey {
  readonly file?: string;
  readonly line?: number;
  readonly message: string;
}

const POSITIONED = /^\((?:(.+?): )?Line (\d+)\) ?(.*)$/;

/** One stderr line → (basename of file, line, message); `(Line N)` is attached to mainFile. */
export function parseDiagLine(text: string, mainFile: string): DiagKey {
  const m = POSITIONED.exec(text);
  if (!m) return { message: text.trim() };
  return { file: path.basename(m[1] ?? mainFile), line: Number(m[2]), message: normaliseMessage(m[3]!) };
}

/** Whitespace runs collapse to one space (keepalived indents continuation lines with spaces). */
export function normaliseMessage(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

export function diagLines(stderr: string): string[] {
  return stderr.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
}

/** The corpus comparison: (file, line) for positioned lines, message text for the others. */
export function positionKey(d: DiagKey): string {
  return d.line !== undefined ? `${d.file}:${d.line}` : `msg:${normaliseMessage(d.message)}`;
}

/** The differential comparison: file, line and normalised message. */
export function fullKey(d: DiagKey): string {
  return d.line !== undefined ? `${d.file}:${d.line}: ${d.message}` : `-: ${normaliseMessage(d.message)}`;
}

export function keySet(stderr: string, mainFile: string, key: (d: DiagKey) => string): Set<string> {
  return new Set(diagLines(stderr).map((l) => key(parseDiagLine(l, mainFile))));
}

export interface SetDiff {
  readonly missing: string[];
  readonly extra: string[];
}

/** What `expected` has that `actual` lacks (missing) and the reverse (extra). */
export function diffSets(expected: ReadonlySet<string>, actual: ReadonlySet<string>): SetDiff {
  return {
    missing: [...expected].filter((k) => !actual.has(k)).sort(),
    extra: [...actual].filter((k) => !expected.has(k)).sort(),
  };
}
