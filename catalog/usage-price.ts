/**
 * What work is estimated to cost: its vCPU-seconds and GiB-seconds at an hourly price each
 * (DROVER_PRICE_VCPU_HOUR, DROVER_PRICE_GIB_HOUR), the way Fargate bills. The one place a
 * price is applied, so a process, a task and a sum of processes agree.
 */
export interface UsagePrices {
  /** USD a vCPU-hour. */
  vcpuHour: number;
  /** USD a GiB-hour. */
  gibHour: number;
}

export interface UsageSeconds {
  vcpuSeconds: number;
  gibSeconds: number;
}

export interface PricedUsage extends UsageSeconds {
  estimatedUsd: number;
}

/** To the micro-dollar: a short step costs a few of them, and more digits are noise in a price that is itself an estimate. */
const MICRO = 1_000_000;

export function estimatedUsd(usage: UsageSeconds, prices: UsagePrices): number {
  const usd = (usage.vcpuSeconds * prices.vcpuHour + usage.gibSeconds * prices.gibHour) / 3600;
  return Math.round(usd * MICRO) / MICRO;
}

/** The usage with its estimated cost. */
export function pricedUsage(usage: UsageSeconds, prices: UsagePrices): PricedUsage {
  return { vcpuSeconds: usage.vcpuSeconds, gibSeconds: usage.gibSeconds, estimatedUsd: estimatedUsd(usage, prices) };
}
