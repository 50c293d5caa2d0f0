/**
 * What `npm run simulate` prints and writes: a short text summary and the JSON report with
 * the second-by-second timeline.
 */
import { formatDuration } from "../../loadtests/lib/duration";
import {
    formatClock,
    formatCount,
    type ProfileRun,
    type ScalingActivity,
    type ScalingSetup,
    type TimelinePoint,
} from "../../policies/simulation";
import type { TaskCapacity } from "./setup";

export interface StackSimulation {
    readonly stack: string;
    readonly setup: ScalingSetup;
    readonly taskCapacity: TaskCapacity;
    readonly run: ProfileRun;
}

const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toString();
const METRIC_NAMES = { cpu: "CPU", memory: "memory", requests: "requests" } as const;

export function describeActivity(a: ScalingActivity): string {
    const why = a.metrics.map((m) => METRIC_NAMES[m]).join(" + ");
    const limit = a.limitedBy ? `, held at ${a.limitedBy}` : "";
    return `${formatClock(a.t)} scale-${a.direction} ${a.from} -> ${a.to} tasks (${why}${limit})`;
}

function describeTargets(setup: ScalingSetup): string {
    const unit = { cpu: " %", memory: " %", requests: " requests/target/minute" } as const;
    return setup.policies.map((p) => `${METRIC_NAMES[p.metric]} ${p.targetValue}${unit[p.metric]}`).join(", ");
}

function describeCooldowns(setup: ScalingSetup): string {
    const each = (key: "scaleOutCooldownSeconds" | "scaleInCooldownSeconds") =>
        setup.policies.map((p) => `${METRIC_NAMES[p.metric]} ${p[key]} s`).join(", ");
    return `scale-out ${each("scaleOutCooldownSeconds")}; scale-in ${each("scaleInCooldownSeconds")}`;
}

/** The text summary, one fact per line. */
export function renderSummary(sim: StackSimulation): string {
    const { run, setup } = sim;
    const r = run.result;
    const lines = [
        `Scaling simulation: stack ${sim.stack}, ${run.profile} profile (${formatDuration(r.durationSeconds)}, ` +
            `plateau ${formatDuration(run.holdSeconds)}), peak ${formatCount(r.peakOfferedRps)} req/s`,
        `  service:          ${setup.minTasks}..${setup.maxTasks} tasks; targets ${describeTargets(setup)}`,
        `  cooldowns:        ${describeCooldowns(setup)}`,
        `  per task:         ${oneDecimal(sim.taskCapacity.rps)} req/s (${sim.taskCapacity.source}); ` +
            `start-up ${r.startupSeconds} s`,
    ];
    const maxCarries = setup.maxTasks * r.taskCapacityRps;
    lines.push(
        `  peak tasks:       ${r.peakTasks} running (maxTasks ${setup.maxTasks}); the peak needs ${r.neededTasks}` +
            (r.neededTasks > setup.maxTasks
                ? `, more than maxTasks (${setup.maxTasks} tasks carry ${formatCount(maxCarries)} req/s)`
                : ""),
    );
    lines.push(
        `  needed capacity:  ` +
            (r.neededCapacityAt === null
                ? `not reached within the run`
                : r.neededCapacityAt === 0
                  ? `there from the start`
                  : `reached after ${formatClock(r.neededCapacityAt)}`),
    );
    if (r.overloadSeconds === 0) lines.push(`  overload:         none`);
    else {
        const share = Math.round((100 * r.requestsOverCapacity) / r.offeredRequests);
        lines.push(
            `  overload:         ${r.overloadSeconds} s, from ${formatClock(r.firstOverloadAt!)} to ` +
                `${formatClock(r.lastOverloadAt! + 1)}; ${formatCount(r.requestsOverCapacity)} requests over ` +
                `capacity (${share} % of ${formatCount(r.offeredRequests)} offered)`,
        );
    }
    lines.push(
        `  scaling:          ` +
            (r.activities.length === 0 ? "none within the run" : r.activities.map(describeActivity).join("; ")),
    );
    if (r.overloadSeconds > 0) {
        lines.push(
            `  without overload: ` +
                (run.minTasksWithoutOverload === undefined
                    ? `not possible below maxTasks ${setup.maxTasks}: raise maxTasks to at least ` +
                      `${r.neededTasks} and minTasks with it`
                    : `minTasks >= ${run.minTasksWithoutOverload}`),
        );
    }
    return lines.join("\n");
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The JSON report: the summary's numbers, the scaling activities, the alarm evaluations and the timeline. */
export function buildJsonReport(sim: StackSimulation) {
    const { run, setup } = sim;
    const r = run.result;
    return {
        stack: sim.stack,
        profile: run.profile,
        holdSeconds: run.holdSeconds,
        durationSeconds: r.durationSeconds,
        peakRps: r.peakOfferedRps,
        taskCapacityRps: round(r.taskCapacityRps),
        taskCapacitySource: sim.taskCapacity.source,
        startupSeconds: r.startupSeconds,
        minTasks: setup.minTasks,
        maxTasks: setup.maxTasks,
        policies: setup.policies,
        peakTasks: r.peakTasks,
        neededTasks: r.neededTasks,
        neededCapacityAt: r.neededCapacityAt,
        overloadSeconds: r.overloadSeconds,
        firstOverloadAt: r.firstOverloadAt,
        lastOverloadAt: r.lastOverloadAt,
        offeredRequests: round(r.offeredRequests),
        requestsOverCapacity: round(r.requestsOverCapacity),
        minTasksWithoutOverload: run.minTasksWithoutOverload ?? null,
        activities: r.activities,
        alarmEvaluations: r.evaluations.map((e) => ({ ...e, datapoint: round(e.datapoint) })),
        timeline: r.timeline.map((p): TimelinePoint => ({
            t: p.t,
            offeredRps: round(p.offeredRps),
            tasks: p.tasks,
            pendingTasks: p.pendingTasks,
            desiredTasks: p.desiredTasks,
            capacityRps: round(p.capacityRps),
            overloadRps: round(p.overloadRps),
            cpuPercent: round(p.cpuPercent),
            memoryPercent: round(p.memoryPercent),
        })),
    };
}

export type SimulationJson = ReturnType<typeof buildJsonReport>;
