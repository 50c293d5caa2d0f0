/** Human formatting of summary values, shared by the text and HTML reports. */
import type { SummaryMetric } from "./summary.ts";

export function formatMs(ms: number): string {
    if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
    if (ms >= 1) return `${ms.toFixed(2)}ms`;
    return `${(ms * 1000).toFixed(0)}µs`;
}

/** Milliseconds for an axis tick: `0`, `250 ms`, `1.5 s`. */
export function formatMsTick(ms: number): string {
    if (ms === 0) return "0";
    const round = (n: number) => String(Math.round(n * 100) / 100);
    return ms >= 1000 ? `${round(ms / 1000)} s` : `${round(ms)} ms`;
}

export function formatPercent(ratio: number): string {
    return `${(ratio * 100).toFixed(2)}%`;
}

export function formatBytes(bytes: number): string {
    const units = ["B", "kB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit += 1;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatNumber(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** One statistic of a metric, in the unit the metric holds. */
export function formatStat(metric: SummaryMetric, stat: string, value: number | undefined): string {
    if (value === undefined) return "n/a";
    if (metric.contains === "data" && (stat === "count" || stat === "rate"))
        return `${formatBytes(value)}${stat === "rate" ? "/s" : ""}`;
    if (stat === "count" || stat === "passes" || stat === "fails") return formatNumber(value);
    if (metric.type === "rate" && stat === "rate") return formatPercent(value);
    if (metric.type === "counter" && stat === "rate") return `${formatNumber(value)}/s`;
    if (metric.contains === "time") return formatMs(value);
    return formatNumber(value);
}

/** The usual one-line rendering of a metric's values. */
export function formatMetricValues(metric: SummaryMetric): string {
    const v = metric.values;
    switch (metric.type) {
        case "counter":
            return `${formatStat(metric, "count", v.count)} (${formatStat(metric, "rate", v.rate)})`;
        case "rate":
            return (
                `${formatStat(metric, "rate", v.rate)} (${formatNumber(v.passes ?? 0)} of ` +
                `${formatNumber((v.passes ?? 0) + (v.fails ?? 0))})`
            );
        case "gauge":
            return `${formatNumber(v.value ?? 0)} (min ${formatNumber(v.min ?? 0)}, max ${formatNumber(v.max ?? 0)})`;
        case "trend":
            return Object.entries(v)
                .filter(([stat]) => stat !== "count")
                .map(([stat, value]) => `${stat}=${formatStat(metric, stat, value)}`)
                .join(" ");
    }
}
