/**
 * keepalived 2.2.7's rise/fall arithmetic for a vrrp_script (vrrp_script_child_thread), pure:
 * one counter `result` in 0 .. rise+fall-1; the script is up when result >= rise.
 *
 * - A success below rise-1 counts up; the success that reaches rise makes the script up and
 *   jumps the counter to the top (rise+fall-1), so `fall` failures are needed to go down.
 * - A failure above rise counts down; the failure at rise makes the script down and drops the
 *   counter to 0, so `rise` successes are needed to come up.
 * - Start: without init_fail the counter starts at rise-1 with the state unknown, so the first
 *   result decides either way and is always reported; with init_fail it starts at 0 (down).
 *
 * No I/O: the Linux driver (vrrp-script-tracker.ts) feeds it exit results; a simulator can too.
 */

/** keepalived's init_state: INIT (unknown), INIT/RELOAD (added by a reload), INIT/FAILED (init_fail), then DONE. */
export type ScriptInitState = 'init' | 'init-reload' | 'failed' | 'done';

export interface ScriptCounterState {
  readonly rise: number;
  readonly fall: number;
  readonly result: number;
  readonly initState: ScriptInitState;
}

export class ScriptResultCounter {
  private resultValue: number;
  private init: ScriptInitState;

  constructor(
    readonly rise: number,
    readonly fall: number,
    options: { initFail?: boolean; reload?: boolean } = {},
  ) {
    if (!(rise >= 1) || !(fall >= 1)) throw new RangeError(`rise and fall must be >= 1 (got ${rise}/${fall})`);
    if (options.initFail) {
      this.init = 'failed';
      this.resultValue = 0;
    } else {
      this.init = options.reload ? 'init-reload' : 'init';
      this.resultValue = rise - 1;
    }
  }

  /**
   * The state a script keeps across a reload (keepalived's clear_diff_script): a script still
   * in its initial state starts again from its new initial state; otherwise the distance from
   * the up/down boundary is carried over, clamped to the new rise/fall.
   */
  static afterReload(previous: ScriptCounterState, rise: number, fall: number, initFail = false): ScriptResultCounter {
    const c = new ScriptResultCounter(rise, fall, { initFail });
    if (previous.initState === 'init') {
      c.init = 'init';
      c.resultValue = rise - 1;
      return c;
    }
    if (previous.initState === 'init-reload') {
      c.init = 'init-reload';
      c.resultValue = rise - 1;
      return c;
    }
    if (previous.result < previous.rise) {
      c.resultValue = previous.result === 0 ? 0 : Math.max(0, rise - (previous.rise - previous.result));
    } else if (previous.result === previous.rise + previous.fall - 1) {
      c.resultValue = rise + fall - 1;
    } else {
      c.resultValue = Math.min(rise + (previous.result - previous.rise), rise + fall - 1);
    }
    c.init = 'done';
    return c;
  }

  get result(): number {
    return this.resultValue;
  }

  get initState(): ScriptInitState {
    return this.init;
  }

  /** Up, down, or undefined while no result has decided yet (and init_fail was not given). */
  get up(): boolean | undefined {
    if (this.init === 'init' || this.init === 'init-reload') return undefined;
    return this.resultValue >= this.rise;
  }

  snapshot(): ScriptCounterState {
    return { rise: this.rise, fall: this.fall, result: this.resultValue, initState: this.init };
  }

  /**
   * Count one finished run. Returns the new state when keepalived would report it (the
   * instances' priorities change), undefined when nothing is reported.
   */
  record(success: boolean): boolean | undefined {
    const top = this.rise + this.fall - 1;
    const starting = this.init === 'init' || this.init === 'init-reload';
    let reported: boolean | undefined;
    if (success) {
      if (this.resultValue < this.rise - 1) {
        this.resultValue++;
      } else if (this.resultValue !== top) {
        if (this.resultValue < this.rise) reported = true;
        this.resultValue = top;
      }
    } else if (this.resultValue > this.rise) {
      this.resultValue--;
    } else {
      if (this.resultValue === this.rise || starting) reported = false;
      this.resultValue = 0;
    }
    this.init = 'done';
    return reported;
  }
}
