/**
 * AWS Fargate on-demand prices (Linux, US East (N. Virginia) us-east-1), the one place the
 * planner and README.md's cost table take them from. Source: the AWS Fargate pricing page,
 * https://aws.amazon.com/fargate/pricing/ (per vCPU-hour and per GB-hour, billed per second).
 * Other regions differ (dev runs in eu-west-1); recheck current prices before budgeting.
 */

/** Price per hour of one vCPU and one GB of memory, by the task's CPU architecture. */
export const FARGATE_ON_DEMAND_USD = Object.freeze({
    region: "us-east-1",
    X86_64: Object.freeze({ perVcpuHour: 0.04048, perGbHour: 0.004445 }),
    ARM64: Object.freeze({ perVcpuHour: 0.03238, perGbHour: 0.00356 }),
});

/** Hours in the average month AWS prices with (8760 / 12). */
export const HOURS_PER_MONTH = 730;

export type CpuArchitecture = "X86_64" | "ARM64";

/** What one task costs a month running all the time: (vCPU × vCPU price + GB × GB price) × 730. */
export function taskMonthlyCostUsd(cpuUnits: number, memoryMib: number, architecture: CpuArchitecture): number {
    const price = FARGATE_ON_DEMAND_USD[architecture];
    return ((cpuUnits / 1024) * price.perVcpuHour + (memoryMib / 1024) * price.perGbHour) * HOURS_PER_MONTH;
}

/** Rounded to cents. */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** `$2,594.89`. */
export const formatUsd = (usd: number): string =>
    `$${cents(usd).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
