/**
 * Line charts as inline SVG for the self-contained HTML reports: axes with round ticks,
 * one polyline per series (a null value breaks the line), dashed horizontal reference
 * lines (the SLO) and an optional vertical marker. No script, no external resource.
 * Pure: k6 (handleSummary) and Node (the time-series post-processor) both render with it.
 */

export interface ChartSeries {
    readonly name: string;
    /** [x, y] pairs in x order; y null leaves a gap. */
    readonly points: readonly (readonly [number, number | null])[];
    readonly color: string;
    /** Stroke width, default 2. */
    readonly width?: number;
    /** Draw a dot at every point (useful for few points, e.g. capacity steps). */
    readonly dots?: boolean;
}

export interface ReferenceLine {
    readonly value: number;
    readonly label: string;
    readonly color?: string;
}

export interface LineChartSpec {
    /** Accessible name of the image. */
    readonly title: string;
    readonly xLabel: string;
    readonly yLabel: string;
    readonly series: readonly ChartSeries[];
    /** Horizontal lines (SLOs); they are always inside the y scale. */
    readonly references?: readonly ReferenceLine[];
    /** A vertical marker, e.g. the knee of a capacity run. */
    readonly marker?: { readonly x: number; readonly label: string };
    readonly formatX: (x: number) => string;
    readonly formatY: (y: number) => string;
    /** Tick values for the x axis (default: round numbers, niceTicks). */
    readonly xTicks?: (min: number, max: number) => number[];
    /** The y scale reaches at least this (default: the data and reference lines decide). */
    readonly minYMax?: number;
    readonly width?: number;
    readonly height?: number;
}

export function escapeXml(text: string): string {
    return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

/** About `count` round tick values (1, 2, 2.5 or 5 x 10^n apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
    if (!(max > min)) return [min];
    const raw = (max - min) / Math.max(1, count);
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
    const ticks: number[] = [];
    for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
        ticks.push(Math.round(t / step) * step);
    }
    return ticks;
}

/** About `count` ticks for seconds: 1, 2, 5, 10, 15, 30 s, then whole minutes and hours. */
export function timeTicks(min: number, max: number, count = 6): number[] {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    const raw = (max - min) / Math.max(1, count);
    const step = steps.find((s) => s >= raw) ?? steps[steps.length - 1];
    const ticks: number[] = [];
    for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
    return ticks;
}

const num = (n: number) => (Math.round(n * 10) / 10).toString();

/** An SVG line chart; empty string when no series has a value. */
export function lineChart(spec: LineChartSpec): string {
    const values = spec.series.flatMap((s) => s.points);
    const ys = values.map(([, y]) => y).filter((y): y is number => y !== null && Number.isFinite(y));
    if (ys.length === 0) return "";
    const xs = values.map(([x]) => x);
    const width = spec.width ?? 720;
    const height = spec.height ?? 240;
    const left = 76;
    const right = 16;
    const top = 12;
    const bottom = 40;
    const plotW = width - left - right;
    const plotH = height - top - bottom;

    let xMin = Math.min(...xs);
    let xMax = Math.max(...xs);
    if (xMax === xMin) {
        xMin -= 1;
        xMax += 1;
    }
    const references = spec.references ?? [];
    const yTop = Math.max(...ys, ...references.map((r) => r.value * 1.15), spec.minYMax ?? 0);
    const yTicks = niceTicks(0, yTop > 0 ? yTop : 1, 4);
    const yMax = Math.max(yTicks[yTicks.length - 1], yTop > 0 ? yTop : 1);
    const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotW;
    const py = (y: number) => top + plotH - (y / yMax) * plotH;

    const parts: string[] = [];
    // Axes and grid.
    for (const t of yTicks) {
        const y = num(py(t));
        parts.push(
            `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#eaeef2"/>` +
                `<text x="${left - 6}" y="${y}" dy="4" text-anchor="end">${escapeXml(spec.formatY(t))}</text>`,
        );
    }
    for (const t of (spec.xTicks ?? ((a, b) => niceTicks(a, b, 6)))(xMin, xMax)) {
        if (t < xMin || t > xMax) continue;
        const x = num(px(t));
        parts.push(
            `<line x1="${x}" x2="${x}" y1="${top + plotH}" y2="${top + plotH + 4}" stroke="#59636e"/>` +
                `<text x="${x}" y="${top + plotH + 16}" text-anchor="middle">${escapeXml(spec.formatX(t))}</text>`,
        );
    }
    parts.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#59636e"/>` +
            `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#59636e"/>` +
            `<text x="${left + plotW / 2}" y="${height - 4}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>` +
            `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
            `${escapeXml(spec.yLabel)}</text>`,
    );
    // Series: one path per run of non-null points.
    for (const s of spec.series) {
        const runs: string[][] = [[]];
        for (const [x, y] of s.points) {
            if (y === null || !Number.isFinite(y)) {
                if (runs[runs.length - 1].length > 0) runs.push([]);
                continue;
            }
            runs[runs.length - 1].push(`${num(px(x))},${num(py(y))}`);
        }
        for (const run of runs.filter((r) => r.length > 0)) {
            if (run.length === 1 && !s.dots) {
                const [cx, cy] = run[0].split(",");
                parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
            } else {
                parts.push(
                    `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}" ` +
                        `stroke-linejoin="round" points="${run.join(" ")}">` +
                        `<title>${escapeXml(s.name)}</title></polyline>`,
                );
            }
            if (s.dots) {
                for (const p of run) {
                    const [cx, cy] = p.split(",");
                    parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
                }
            }
        }
    }
    for (const r of references) {
        const y = num(py(r.value));
        const color = r.color ?? "#cf222e";
        parts.push(
            `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="${color}" stroke-dasharray="6 4"/>` +
                `<text x="${left + plotW - 4}" y="${y}" dy="-4" text-anchor="end" fill="${color}">` +
                `${escapeXml(r.label)}</text>`,
        );
    }
    if (spec.marker !== undefined) {
        const x = num(px(spec.marker.x));
        parts.push(
            `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#1a7f37" stroke-dasharray="3 3"/>` +
                `<text x="${x}" y="${top + 10}" dx="4" fill="#1a7f37">${escapeXml(spec.marker.label)}</text>`,
        );
    }
    const legend = spec.series
        .map(
            (s) =>
                `<span class="legend"><span class="swatch" style="background:${s.color}"></span>` +
                `${escapeXml(s.name)}</span>`,
        )
        .join(" ");
    return (
        `<figure class="chart"><svg role="img" aria-label="${escapeXml(spec.title)}" width="${width}" ` +
        `height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" xmlns="http://www.w3.org/2000/svg">` +
        `<title>${escapeXml(spec.title)}</title>${parts.join("")}</svg>` +
        `<figcaption>${escapeXml(spec.title)}${legend === "" ? "" : ` · ${legend}`}</figcaption></figure>`
    );
}
