/**
 * Which checker kind builds attempts for which `*_CHECK` keyword. Each checker module registers
 * its factory when it is loaded; the check runtime looks factories up by the configured type.
 */
import type { CheckerType } from '../config/model/lvs.js';
import type { CheckerFactory } from './checker-types.js';

const factories = new Map<CheckerType, CheckerFactory>();

export function registerChecker(type: CheckerType, factory: CheckerFactory): void {
  factories.set(type, factory);
}

export function checkerFactory(type: CheckerType): CheckerFactory | undefined {
  return factories.get(type);
}
