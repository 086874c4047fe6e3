/**
 * glibc's random()/srandom() (the TYPE_3 additive feedback generator), so that `${_RANDOM}` with
 * a configured `random_seed` yields the same numbers keepalived yields on glibc.
 */
export class Random {
  private readonly r: number[] = [];
  private k = 0;

  constructor(seed: number) {
    const r = this.r;
    r[0] = seed | 0 || 1;
    for (let i = 1; i < 31; i++) {
      // r[i] = (16807 * r[i-1]) % 2147483647, computed without overflow (Schrage's method)
      const hi = Math.trunc(r[i - 1]! / 127773);
      const lo = r[i - 1]! % 127773;
      let word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      r[i] = word;
    }
    for (let i = 31; i < 34; i++) r[i] = r[i - 31]!;
    this.k = 34;
    for (let i = 0; i < 310; i++) this.step();
  }

  private step(): number {
    const r = this.r;
    const v = (r[this.k - 31]! + r[this.k - 3]!) | 0;
    r[this.k] = v;
    this.k++;
    if (r.length > 1024) {
      r.splice(0, r.length - 34);
      this.k = r.length;
    }
    return v >>> 1;
  }

  /** The next value in [0, 2^31). */
  next(): number {
    return this.step();
  }
}
