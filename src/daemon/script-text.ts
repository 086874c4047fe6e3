/**
 * A notify or track script as keepalived 2.2.7 shows it in its dumps (cmd_str()): every word
 * in single quotes, the program as resolved when the config was checked. A leading word that is
 * only a redirection ("</path", a file-exists test) is left unquoted, as keepalived does.
 */
import type { ScriptSpec } from '../config/model/script.js';

export function scriptCommandText(script: ScriptSpec): string {
  const words = [script.resolvedPath ?? script.argv[0] ?? '', ...script.argv.slice(1)];
  return words.map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w}'`)).join(' ');
}

/** keepalived frees a script its security check rejected: such a script is not shown. */
export function shownScript(script: ScriptSpec | undefined): ScriptSpec | undefined {
  return script && !script.insecure ? script : undefined;
}
