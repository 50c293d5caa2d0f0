/**
 * Adds latency, throughput and errors over time to a run's report.html, from k6's JSON
 * output. scripts/load-test.sh runs it after k6 exits:
 *
 *   node --import tsx loadtests/cli/timeseries.ts reports/<timestamp>-<test>
 *
 * Reads `metrics.json.gz` (or `metrics.json`) in that directory line by line, so memory does
 * not grow with the file (loadtests/lib/timeseries.ts keeps bounded buckets), writes
 * `timeseries.json` and fills the report's "Over time" section. A stream k6 could not finish
 * (killed run: truncated gzip or last line) is used up to where it breaks, with a warning.
 * Bad input: one line on stderr, exit 2.
 */
import { createReadStream, existsSync, openSync, readFileSync, readSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import {
    injectTimeSeries,
    parseK6Line,
    renderTimeSeriesSection,
    TimeSeriesBuilder,
    type TimeSeries,
} from "../lib/timeseries.ts";

export const METRICS_FILES = ["metrics.json.gz", "metrics.json"] as const;

export class TimeSeriesInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TimeSeriesInputError";
    }
}

export interface StreamResult {
    readonly series: TimeSeries | undefined;
    readonly lines: number;
    /** Lines of a wanted metric that were not valid k6 output (a truncated last line, typically). */
    readonly malformed: number;
    /** Why reading stopped early, if it did. */
    readonly truncated: string | undefined;
}

function isGzip(file: string): boolean {
    const fd = openSync(file, "r");
    try {
        const magic = Buffer.alloc(2);
        return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    } finally {
        closeSync(fd);
    }
}

/** Folds a k6 JSON output file (gzip or plain NDJSON) into time buckets, one line at a time. */
export async function readK6Metrics(file: string, builder = new TimeSeriesBuilder()): Promise<StreamResult> {
    const raw = createReadStream(file);
    const input: Readable = isGzip(file) ? raw.pipe(createGunzip()) : raw;
    let truncated: string | undefined;
    // A gzip stream cut off by a killed k6 errors at the end: keep what was read.
    const failed = new Promise<void>((resolve) => {
        const stop = (error: Error) => {
            truncated = error.message;
            resolve();
        };
        raw.once("error", stop);
        input.once("error", stop);
    });
    let lines = 0;
    let malformed = 0;
    const reader = createInterface({ input, crlfDelay: Infinity });
    const consume = (async () => {
        for await (const line of reader) {
            lines += 1;
            try {
                const point = parseK6Line(line);
                if (point !== undefined) builder.add(point);
            } catch {
                malformed += 1;
            }
        }
    })();
    // After a stream error the reader may reject too; the error is already recorded.
    await Promise.race([consume.catch(() => undefined), failed]);
    reader.close();
    return { series: builder.finish(), lines, malformed, truncated };
}

/** Reads the run's metrics, writes timeseries.json and fills report.html; returns the summary line. */
export async function addTimeSeries(reportDir: string): Promise<{ message: string; warnings: string[] }> {
    if (!existsSync(reportDir))
        throw new TimeSeriesInputError(`${reportDir} does not exist: pass a run's report directory`);
    const metrics = METRICS_FILES.map((f) => join(reportDir, f)).find((f) => existsSync(f));
    if (metrics === undefined) {
        throw new TimeSeriesInputError(
            `no ${METRICS_FILES.join(" or ")} in ${reportDir}: ` +
                `run k6 with --out json=${join(reportDir, METRICS_FILES[0])}`,
        );
    }
    const reportFile = join(reportDir, "report.html");
    if (!existsSync(reportFile)) {
        throw new TimeSeriesInputError(`no report.html in ${reportDir}: k6's handleSummary did not write one`);
    }
    const result = await readK6Metrics(metrics);
    const warnings: string[] = [];
    if (result.truncated !== undefined)
        warnings.push(`${metrics} ends early (${result.truncated}): used what was read`);
    if (result.malformed > 0) warnings.push(`${result.malformed} malformed line(s) in ${metrics} skipped`);
    if (result.series === undefined) {
        throw new TimeSeriesInputError(
            `${metrics} has no HTTP request samples (${result.lines} lines): nothing to plot`,
        );
    }
    const html = readFileSync(reportFile, "utf8");
    let updated: string;
    try {
        updated = injectTimeSeries(html, renderTimeSeriesSection(result.series));
    } catch (error) {
        throw new TimeSeriesInputError(`${reportFile}: ${(error as Error).message}`);
    }
    writeFileSync(join(reportDir, "timeseries.json"), `${JSON.stringify(result.series, null, 2)}\n`);
    writeFileSync(reportFile, updated);
    const s = result.series;
    return {
        message:
            `latency, throughput and errors over time (${s.points.length} buckets of ${s.widthSeconds} s from ` +
            `${s.samples} samples) added to ${reportFile}`,
        warnings,
    };
}

async function main(argv: readonly string[]): Promise<number> {
    if (argv.length !== 1 || argv[0].startsWith("-")) {
        process.stderr.write("timeseries: usage: timeseries.ts <report directory>\n");
        return 2;
    }
    try {
        const { message, warnings } = await addTimeSeries(argv[0]);
        for (const w of warnings) process.stderr.write(`timeseries: warning: ${w}\n`);
        process.stdout.write(`timeseries: ${message}\n`);
        return 0;
    } catch (error) {
        if (!(error instanceof TimeSeriesInputError)) throw error;
        process.stderr.write(`timeseries: ${error.message}\n`);
        return 2;
    }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            process.stderr.write(`timeseries: ${(error as Error).message}\n`);
            process.exitCode = 1;
        },
    );
}
