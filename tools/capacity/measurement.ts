/**
 * The capacity.json the k6 capacity test writes (`TEST=capacity`, reports/<timestamp>-capacity/;
 * its one definition is loadtests/lib/capacity-report.ts): the per-task rate it found, how many
 * tasks stood behind the target, the target, when, and the step table. Only the fields the
 * planner relies on are checked; the rest is the report's.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { show } from "../../lib/settings";

/** The format version this planner reads (CAPACITY_SCHEMA in loadtests/lib/capacity-report.ts). */
export const CAPACITY_SCHEMA = "credlink-capacity/1";

export const MeasurementSchema = z.object(
    {
        schema: z
            .literal(CAPACITY_SCHEMA, {
                error: `must be ${CAPACITY_SCHEMA}, the capacity.json format this planner reads`,
            })
            .optional(),
        perTaskRps: z.number({ error: "must be a number of requests per second" }),
        tasks: z.int({ error: "must be a whole number of tasks" }).min(1, { error: "must be at least 1" }),
        target: z.string({ error: "must be the measured URL" }).min(1, { error: "must be the measured URL" }),
        date: z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
            error: "must be an ISO 8601 date, e.g. 2026-11-30T14:00:00Z",
        }),
        steps: z.array(z.unknown(), { error: "must be the list of measured steps" }),
        /** measured (a knee), lower-bound (every step held) or below-range (none held). */
        result: z
            .enum(["measured", "lower-bound", "below-range"], {
                error: "must be measured, lower-bound or below-range",
            })
            .optional(),
    },
    { error: "must be a JSON object" },
);

export type Measurement = z.infer<typeof MeasurementSchema>;

/** A capacity file the planner cannot use: one line naming the file, what is wrong and the fix. */
export class MeasurementError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MeasurementError";
    }
}

export function readMeasurement(file: string): Measurement {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
        throw new MeasurementError(`--from ${file}: cannot read it (${code}); pass the capacity.json of a k6 run`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new MeasurementError(
            `--from ${file}: not valid JSON (${(e as Error).message.split("\n")[0]}); pass the capacity.json ` +
                `of a k6 TEST=capacity run`,
        );
    }
    const parsed = MeasurementSchema.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = issue.path.map(String).join(".");
        const found =
            raw !== null && typeof raw === "object" && !Array.isArray(raw) && issue.path.length > 0
                ? (raw as Record<string, unknown>)[String(issue.path[0])]
                : raw;
        const what = key === "" ? "the file" : key;
        const value = found === undefined ? "missing" : `found ${show(found)}`;
        throw new MeasurementError(
            `--from ${file}: ${what} ${issue.message} (${value}); is it the capacity.json of a k6 TEST=capacity run?`,
        );
    }
    return parsed.data;
}
