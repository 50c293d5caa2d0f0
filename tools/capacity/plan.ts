/**
 * Plans a stack's capacity from a per-task rate with the stack's real settings: its stack file
 * read by the tools' one reader, the rate put in as scaling.taskCapacityRps, the explicit task
 * ceiling and request target taken out (so they derive), and the result validated by the same
 * parseConfig the program runs. What it prints is therefore what `pulumi up` would deploy.
 */
import { ConfigError, parseConfig, PROJECT, type StackConfig } from "../../lib/config";
import { MAX_TASKS } from "../../components/scaling-service/settings";
import { type CapacityPlan, planCapacity } from "../../policies/capacity-plan";
import { parseStackFile, readStackFile, type StackFile, StackFileError } from "../stack-file";
import { taskMonthlyCostUsd } from "./pricing";

/** Settings the plan derives: `--write` removes them from the stack file. */
export const DERIVED_KEYS = ["scaling.maxTasks", "scaling.requestsPerTarget"] as const;
/** Settings `--write` sets. */
export const RATE_KEY = "scaling.taskCapacityRps";
export const SOURCE_KEY = "scaling.taskCapacitySource";

const full = (key: string) => `${PROJECT}:${key}`;

/** Input the planner cannot use: one line, exit 2. */
export class PlanInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanInputError";
    }
}

export interface StackCapacityPlan {
    readonly stack: string;
    /** Path of the stack file. */
    readonly file: string;
    /** The stack's config as planned (rate set, derived settings derived). */
    readonly config: StackConfig;
    readonly plan: CapacityPlan;
    /** One task, all month, at the stack's task size and architecture. */
    readonly taskMonthlyUsd: number;
    readonly monthlyTaskCostAtMinUsd: number;
    readonly monthlyTaskCostAtPeakUsd: number;
    /** Derived settings the stack file sets explicitly, with their values. */
    readonly explicit: readonly { readonly key: string; readonly value: unknown }[];
}

/** The stack file with the rate in place and the derived settings removed, as config values. */
function plannedValues(file: StackFile, taskCapacityRps: number, source: string): Record<string, unknown> {
    const values: Record<string, unknown> = { ...file.values };
    for (const key of DERIVED_KEYS) delete values[full(key)];
    values[full(RATE_KEY)] = taskCapacityRps;
    values[full(SOURCE_KEY)] = source;
    return values;
}

export function readStack(stack: string, stackDir: string): StackFile {
    try {
        return readStackFile(stack, stackDir);
    } catch (e) {
        if (e instanceof StackFileError) throw new PlanInputError(e.message);
        throw e;
    }
}

/** A stack file's config, or PlanInputError with one line per problem. */
export function stackConfig(file: StackFile, values: Readonly<Record<string, unknown>>): StackConfig {
    try {
        return parseConfig({ values, secretKeys: new Set(file.secretKeys), stack: file.stack });
    } catch (e) {
        if (e instanceof ConfigError)
            throw new PlanInputError(e.problems.map((p) => `Pulumi.${file.stack}.yaml: ${p}`).join("\n"));
        throw e;
    }
}

export function planStack(file: StackFile, taskCapacityRps: number, source: string): StackCapacityPlan {
    const config = stackConfig(file, plannedValues(file, taskCapacityRps, source));
    const s = config.scaling;
    // parseConfig derived maxTasks and requestsPerTarget; the plan adds the numbers behind them.
    const result = planCapacity(
        { ...s, maxTasks: undefined, requestsPerTarget: undefined },
        (key) => full(`scaling.${key}`),
        MAX_TASKS,
    );
    if (result.problems) throw new PlanInputError(result.problems[0]);
    const perTask = taskMonthlyCostUsd(config.service.cpu, config.service.memory, config.service.cpuArchitecture);
    return {
        stack: file.stack,
        file: file.file,
        config,
        plan: result.plan,
        taskMonthlyUsd: perTask,
        monthlyTaskCostAtMinUsd: perTask * s.minTasks,
        monthlyTaskCostAtPeakUsd: perTask * result.plan.maxTasks,
        explicit: DERIVED_KEYS.filter((k) => file.values[full(k)] !== undefined && file.values[full(k)] !== "").map(
            (key) => ({ key, value: file.values[full(key)] }),
        ),
    };
}

/** Checks a stack file's text after an edit, as the program would read it. */
export function checkStackText(file: StackFile, text: string): StackConfig {
    let edited: StackFile;
    try {
        edited = parseStackFile(file.stack, file.file, text);
    } catch (e) {
        if (e instanceof StackFileError) throw new PlanInputError(e.message);
        throw e;
    }
    return stackConfig(edited, edited.values);
}
