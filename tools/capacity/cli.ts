/**
 * `npm run capacity:plan -- --stack <name> (--per-task-rps <n> | --from <capacity.json>)
 * [--json] [--write] [--stack-dir <dir>]`: the capacity plan of a stack from a per-task rate,
 * with the monthly Fargate cost of its task range. Exit 0 = planned (and written), 2 = bad
 * input, always as one line on stderr.
 */
import type { CliIo } from "../cli-io";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PROJECT } from "../../lib/config";
import { REPO_ROOT, type StackFile } from "../stack-file";
import { MeasurementError, readMeasurement } from "./measurement";
import {
    checkStackText,
    DERIVED_KEYS,
    PlanInputError,
    planStack,
    RATE_KEY,
    readStack,
    SOURCE_KEY,
    type StackCapacityPlan,
} from "./plan";
import { cents, FARGATE_ON_DEMAND_USD, formatUsd, HOURS_PER_MONTH } from "./pricing";
import { editStackFileText } from "./write";

export interface Io extends CliIo {
    /** Today, for the source of a rate given on the command line. */
    readonly now?: () => Date;
}

interface Flags {
    stack: string;
    perTaskRps?: number;
    from?: string;
    source?: string;
    json: boolean;
    write: boolean;
    stackDir?: string;
}

const NAME = "capacity:plan";
const HELP = "see npm run capacity:plan -- --help";

function positiveRate(value: string): number {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
        throw new InvalidArgumentError("must be a number of requests per second greater than 0, e.g. 23.81");
    return n;
}

function buildProgram(io: Io): Command {
    return new Command()
        .name("npm run capacity:plan --")
        .description(
            "Plan a stack's task ceiling and request-count target from the requests per second ONE task " +
                "sustains within the SLO, and price its task range on Fargate. Exit 0 = planned, 2 = bad input.",
        )
        .addOption(new Option("--stack <name>", "stack to plan (a Pulumi.<name>.yaml)").makeOptionMandatory())
        .addOption(
            new Option("--per-task-rps <n>", "requests per second one task sustains (a planning figure)").argParser(
                positiveRate,
            ),
        )
        .addOption(new Option("--from <capacity.json>", "the per-task rate a k6 TEST=capacity run measured"))
        .addOption(
            new Option(
                "--source <text>",
                'with --per-task-rps: where the figure came from (default: "planning assumption: ...")',
            ),
        )
        .addOption(new Option("--json", "print only the plan's numbers as JSON").default(false))
        .addOption(
            new Option(
                "--write",
                "set scaling.taskCapacityRps and taskCapacitySource in the stack file, keeping its comments, " +
                    "and remove an explicit scaling.maxTasks / requestsPerTarget so they derive",
            ).default(false),
        )
        .addOption(new Option("--stack-dir <dir>", "directory of the Pulumi.<stack>.yaml files (default: the repo)"))
        .helpOption("-h, --help", "show this help")
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => undefined });
}

/** The rate and its source, from the flags or the measurement file. */
function rateAndSource(flags: Flags, file: StackFile, stackDir: string, now: Date): { rate: number; source: string } {
    if (flags.perTaskRps !== undefined) {
        // Re-planning with the rate the stack file already has keeps the source it gives for it.
        const current = file.values[`${PROJECT}:${RATE_KEY}`];
        const currentSource = file.values[`${PROJECT}:${SOURCE_KEY}`];
        const kept =
            Number(current) === flags.perTaskRps && typeof currentSource === "string" && currentSource !== ""
                ? currentSource
                : undefined;
        const source =
            flags.source ??
            kept ??
            `planning assumption: ${flags.perTaskRps} req/s per task, entered with npm run ${NAME} on ` +
                `${now.toISOString().slice(0, 10)}; replace with a measurement (--from reports/<run>/capacity.json)`;
        return { rate: flags.perTaskRps, source };
    }
    const report = flags.from!;
    const m = readMeasurement(report);
    if (!(m.perTaskRps > 0))
        throw new MeasurementError(
            `--from ${report}: perTaskRps = ${m.perTaskRps}: no step held the SLO, so there is no per-task rate ` +
                `to plan from; rerun the capacity test from a lower starting rate`,
        );
    const where = path.relative(stackDir, path.resolve(report)).split(path.sep).join("/");
    // Every step held: the task sustains at least this much, so the plan errs on the safe side.
    const kind = m.result === "lower-bound" ? "measurement (a lower bound: every step held)" : "measurement";
    return {
        rate: m.perTaskRps,
        source: `${kind}: k6 TEST=capacity on ${m.date} (${tasks(m.tasks)} behind ${m.target}), ${where}`,
    };
}

const show = (n: number) => String(Math.round(n * 100) / 100);
const tasks = (n: number) => `${n} task${n === 1 ? "" : "s"}`;

function renderPlan(p: StackCapacityPlan, written: string | undefined): string {
    const s = p.config.scaling;
    const svc = p.config.service;
    const arch = svc.cpuArchitecture;
    const price = FARGATE_ON_DEMAND_USD[arch];
    const factor = show((100 + s.peakHeadroomPercent) / 100);
    const ceiling =
        p.plan.maxTasks === p.plan.tasksForPeak
            ? `ceil(${show(p.plan.plannedPeakRps)} × 60 / ${s.requestsPerTarget})`
            : `minTasks, since ceil(${show(p.plan.plannedPeakRps)} × 60 / ${s.requestsPerTarget}) = ` +
              `${p.plan.tasksForPeak} is fewer`;
    const lines = [
        `Capacity plan for ${p.stack} (${path.basename(p.file)})`,
        `  per-task rate         ${show(s.taskCapacityRps!)} req/s within the SLO; source: ${s.taskCapacitySource}`,
        `  requestsPerTarget     ${s.requestsPerTarget} requests per target per minute = round(` +
            `${show(s.taskCapacityRps!)} × ${show(s.targetUtilization)} × 60)`,
        `  planned peak          ${show(p.plan.plannedPeakRps)} req/s = ${s.peakRequestsPerSecond} req/s × ${factor} ` +
            `(${s.peakHeadroomPercent} % headroom)`,
        `  maxTasks              ${s.maxTasks} = ${ceiling} (task range ${s.minTasks}..${s.maxTasks})`,
        `  capacityAtTargetRps   ${show(p.plan.capacityAtTargetRps)} req/s = ` +
            `${s.maxTasks} × ${s.requestsPerTarget} / 60`,
        `  monthly task cost     ${formatUsd(p.monthlyTaskCostAtMinUsd)} at minimum (${tasks(s.minTasks)}), ` +
            `${formatUsd(p.monthlyTaskCostAtPeakUsd)} at peak (${tasks(s.maxTasks)})`,
        `                        ${formatUsd(p.taskMonthlyUsd)} per task: (${show(svc.cpu / 1024)} vCPU × ` +
            `$${price.perVcpuHour} + ${show(svc.memory / 1024)} GB × $${price.perGbHour}) per hour × ` +
            `${HOURS_PER_MONTH} h (Fargate ${arch}, ${FARGATE_ON_DEMAND_USD.region} on-demand` +
            `${p.config.region === FARGATE_ON_DEMAND_USD.region ? "" : `; the stack runs in ${p.config.region}`})`,
    ];
    for (const e of p.explicit) {
        lines.push(
            written === undefined
                ? `note: ${path.basename(p.file)} sets ${e.key} = ${String(e.value)} explicitly; --write removes it ` +
                      `so it derives`
                : `removed ${e.key} = ${String(e.value)} (it derives now)`,
        );
    }
    if (written !== undefined)
        lines.push(`wrote ${written}: ${RATE_KEY} = ${show(s.taskCapacityRps!)}, ${SOURCE_KEY} set`);
    return `${lines.join("\n")}\n`;
}

/** Runs the planner; returns the exit code. Never throws for bad input. */
export function runCapacityPlan(argv: readonly string[], io: Io): number {
    const fail = (message: string): number => {
        for (const line of message.split("\n")) io.err(`${NAME}: ${line}\n`);
        return 2;
    };
    const program = buildProgram(io);
    try {
        program.parse([...argv], { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.exitCode === 0) return 0;
            return fail(`${e.message.replace(/^error: /, "").split("\n")[0]} (${HELP})`);
        }
        throw e;
    }
    const flags = program.opts<Flags>();
    if ((flags.perTaskRps === undefined) === (flags.from === undefined))
        return fail(
            `give exactly one of --per-task-rps <req/s> or --from <capacity.json> ` +
                `(${flags.from === undefined ? "neither was given" : "both were given"}; ${HELP})`,
        );
    if (flags.source !== undefined && flags.from !== undefined)
        return fail(`--source goes with --per-task-rps; --from takes the source from the measurement (${HELP})`);
    if (flags.source !== undefined && flags.source.trim() === "")
        return fail(`--source must not be empty: say where the per-task figure came from (${HELP})`);

    const stackDir = path.resolve(flags.stackDir ?? REPO_ROOT);
    try {
        const file = readStack(flags.stack, stackDir);
        const { rate, source } = rateAndSource(flags, file, stackDir, (io.now ?? (() => new Date()))());
        const planned = planStack(file, rate, source);
        let written: string | undefined;
        if (flags.write) {
            const before = fs.readFileSync(file.file, "utf8");
            let after: string;
            try {
                after = editStackFileText(before, {
                    set: { [RATE_KEY]: rate, [SOURCE_KEY]: source },
                    remove: DERIVED_KEYS,
                });
            } catch (e) {
                throw new PlanInputError(`${path.basename(file.file)} ${(e as Error).message}`);
            }
            // The edited file must read back as the plan before it replaces the original.
            const check = checkStackText(file, after).scaling;
            const want = planned.config.scaling;
            if (check.maxTasks !== want.maxTasks || check.requestsPerTarget !== want.requestsPerTarget)
                throw new PlanInputError(`${path.basename(file.file)}: the edit did not read back as planned`);
            fs.writeFileSync(file.file, after);
            written = path.basename(file.file);
        }
        if (flags.json) {
            io.out(
                `${JSON.stringify(
                    {
                        maxTasks: planned.plan.maxTasks,
                        requestsPerTarget: planned.plan.requestsPerTarget,
                        capacityAtTargetRps: planned.plan.capacityAtTargetRps,
                        monthlyTaskCostAtMinUsd: cents(planned.monthlyTaskCostAtMinUsd),
                        monthlyTaskCostAtPeakUsd: cents(planned.monthlyTaskCostAtPeakUsd),
                    },
                    null,
                    2,
                )}\n`,
            );
        } else io.out(renderPlan(planned, written));
        return 0;
    } catch (e) {
        if (e instanceof PlanInputError || e instanceof MeasurementError) return fail(e.message);
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== undefined) return fail(`${(e as Error).message.split("\n")[0]}`);
        throw e;
    }
}
