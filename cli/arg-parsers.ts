/** Commander parsers of numeric options: a refused value is a usage error (exit 2). */
import { InvalidArgumentError } from 'commander';

export function positiveInt(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number above 0');
  return n;
}

export function nonNegativeInt(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
}
