/**
 * The sum of doubles as if computed exactly, then rounded once (Shewchuk's
 * algorithm, as Python's math.fsum). Unlike a running `+`, the result does not
 * depend on the order of the values: the engine may scan transactions in any
 * order, by index or by bucket, and every implementation agrees to the last bit.
 */
export class ExactSum {
  private readonly partials: number[] = [];
  /** Partials in use; the array is never shrunk (setting an array's length is slow). */
  private count = 0;
  /** Infinities and NaN, summed plainly: their sum is what a running `+` would give. */
  private special = 0;
  private hasSpecial = false;

  reset(): void {
    this.count = 0;
    this.special = 0;
    this.hasSpecial = false;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.special += value;
      this.hasSpecial = true;
      return;
    }
    let x = value;
    let i = 0;
    const partials = this.partials;
    for (let j = 0; j < this.count; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const larger = y;
        y = x;
        x = larger;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials[i] = x;
    this.count = i + 1;
  }

  value(): number {
    if (this.hasSpecial) return this.special;
    const partials = this.partials;
    let n = this.count;
    if (n === 0) return 0;
    let hi = partials[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Round half to even across the remaining partials, as math.fsum does.
    if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

export function exactSum(values: Iterable<number>): number {
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  return sum.value();
}
