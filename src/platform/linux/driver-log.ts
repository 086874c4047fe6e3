/**
 * How the script and tracker drivers report: the daemon passes its logger's `log` (same levels
 * as src/daemon/logger.ts, redeclared here because drivers do not import the daemon).
 */
export type LogLevel = 'error' | 'warning' | 'info' | 'detail';
export type LogFn = (level: LogLevel, message: string) => void;

export const silentLog: LogFn = () => {};
