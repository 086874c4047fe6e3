/** `-v/--version`: this package's version, and the keepalived release whose config it reads. */
import * as fs from 'node:fs';

export const KEEPALIVED_COMPAT_VERSION = '2.2.7';

/** The version in package.json, found by walking up from this compiled file. */
export function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 6; depth++) {
    const candidate = new URL('package.json', dir);
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keepalived-ts' && pkg.version) return pkg.version;
    } catch {
      /* not here: look in the parent directory */
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

export function versionText(): string {
  return `keepalived-ts ${packageVersion()}\nCompatible with keepalived ${KEEPALIVED_COMPAT_VERSION} configuration files (keepalived.conf).\n`;
}
