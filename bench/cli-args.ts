/** Argument parsers the benchmarks' command lines share. */
import { InvalidArgumentError } from 'commander';

export function whole(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

export function sizes(value: string): number[] {
  const parsed = value.split(',').map((s) => whole(1)(s.trim()));
  if (parsed.length === 0) throw new InvalidArgumentError('expected at least one size');
  return parsed;
}
