/**
 * What the address / route / rule entry parsers need from the parse: a reporter positioned at
 * the entry's line, the line's position, interface lookup with keepalived's if_get_by_ifname()
 * semantics, and the static track groups defined so far.
 */
import type { SourcePosition } from '../diagnostics.js';
import type { Reporter } from '../values.js';

export interface EntryContext extends Reporter {
  readonly position: SourcePosition;
  /**
   * if_get_by_ifname(name, IF_CREATE_IF_DYNAMIC): true when the interface exists (or
   * dynamic_interfaces lets keepalived create it); false records a non-existent interface.
   */
  interfaceUsable(name: string): boolean;
  /** if_get_by_ifname(name, IF_NO_CREATE): the interface exists (nothing is recorded). */
  interfaceExists(name: string): boolean;
  /** get_default_if(): the global default_interface (eth0) if usable. */
  defaultInterface(): string | undefined;
  /** static_track_group_find(). */
  trackGroupExists(name: string): boolean;
  /** Next automatic rule preference for the family (16384, 16383, … shared by all rules). */
  nextRulePriority(family: 'inet' | 'inet6'): number;
}
