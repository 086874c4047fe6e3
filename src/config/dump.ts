/**
 * The resolved configuration model as JSON (`keepalived-ts dump`, `-d`), with secrets masked.
 * Maps become objects (or arrays of [key, value] pairs when a key is not a string or number),
 * Sets become arrays, bigints become decimal strings, undefined properties are left out.
 */

/** Properties whose value is a secret: replaced by MASK when set, at any depth. */
export const SECRET_PROPERTIES: ReadonlySet<string> = new Set(['authPass', 'password', 'key', 'auth_pass']);
export const MASK = '********';

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function plain(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Map) {
      const entries = [...value.entries()];
      if (entries.every(([k]) => typeof k === 'string' || typeof k === 'number')) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) out[String(k)] = plain(v, seen);
        return out;
      }
      return entries.map(([k, v]) => [plain(k, seen), plain(v, seen)]);
    }
    if (value instanceof Set) return [...value].map((v) => plain(v, seen));
    if (Array.isArray(value)) return value.map((v) => plain(v, seen));
    if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      out[k] = SECRET_PROPERTIES.has(k) && isSet(v) ? MASK : plain(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** JSON (2-space indent) of a configuration model with every secret property masked. */
export function dumpConfig(config: unknown): string {
  return JSON.stringify(plain(config, new Set()), null, 2);
}
