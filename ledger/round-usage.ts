/** Usage to the millisecond's precision: sums of doubles otherwise print long tails. */
export const roundUsage = (n: number): number => Math.round(n * 1000) / 1000;
