/**
 * ECS service autoscaling, second by second: target-tracking policies, their CloudWatch
 * alarms, cooldowns, min/max capacity and task start-up, driven by an offered load.
 *
 * What happens each second t:
 * 1. On a period boundary (t = 60, 120, ...), every policy's metric gets the datapoint of the
 *    minute that just ended and its two alarms are evaluated; Application Auto Scaling acts on
 *    an alarm in ALARM at every evaluation, not only when it enters ALARM ("Except for Auto
 *    Scaling actions, the actions happen only on state transitions": CloudWatch user guide,
 *    alarm-actions).
 * 2. Tasks whose start-up has finished start serving.
 * 3. The running tasks carry up to running x taskCapacityRps; the rest of the offered load is
 *    overload. The load per task drives the metrics (./model.ts, TaskModel).
 *
 * The capacity a policy asks for is not published by AWS; the docs say it "scales out
 * proportionally to the metric as fast as it can" and "acts conservatively by rounding up or
 * down" (Application Auto Scaling user guide, target tracking). Modelled as
 * ceil(capacity x datapoint / target), rounded up both ways (up keeps more tasks).
 *
 * Not modelled: CloudWatch ingestion delay (datapoints arrive the moment their minute ends),
 * deployments (which suspend scale-in), Fargate capacity shortages or task failures, request
 * queueing and retries (overload is counted, not replayed later), the drain of a task removed
 * by scale-in (it stops taking requests at once), and step or scheduled scaling.
 */
import {
    type AlarmModel,
    DEFAULT_ALARMS,
    DEFAULT_STARTUP_SECONDS,
    DEFAULT_TASK_MODEL,
    type ScalingSetup,
    type TaskModel,
    type TrackedMetric,
    type TrackingPolicy,
} from "./model";

/** One second of the simulation. */
export interface TimelinePoint {
    readonly t: number;
    readonly offeredRps: number;
    /** Running tasks (serving requests). */
    readonly tasks: number;
    /** Tasks started by a scale-out that do not serve yet. */
    readonly pendingTasks: number;
    /** The scalable target's desired capacity: running + pending. */
    readonly desiredTasks: number;
    /** What the running tasks carry within the SLO: tasks x taskCapacityRps. */
    readonly capacityRps: number;
    /** Offered load above capacity. */
    readonly overloadRps: number;
    readonly cpuPercent: number;
    readonly memoryPercent: number;
}

/** The state of one policy's alarms after an evaluation. */
export interface AlarmEvaluation {
    readonly t: number;
    readonly metric: TrackedMetric;
    /** The datapoint of the minute that just ended. */
    readonly datapoint: number;
    readonly target: number;
    /** AlarmHigh: the last scaleOutDatapoints datapoints above the target. */
    readonly scaleOutAlarm: boolean;
    /** AlarmLow: the last scaleInDatapoints datapoints below the scale-in threshold. */
    readonly scaleInAlarm: boolean;
}

export interface ScalingActivity {
    readonly t: number;
    readonly direction: "out" | "in";
    readonly from: number;
    readonly to: number;
    /** The policy whose proposal won (scale-out), or every policy agreeing (scale-in). */
    readonly metrics: readonly TrackedMetric[];
    /** Why it stopped where it did, when a limit decided it. */
    readonly limitedBy?: "maxTasks" | "minTasks";
}

export interface SimulationResult {
    readonly durationSeconds: number;
    readonly taskCapacityRps: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly initialTasks: number;
    readonly startupSeconds: number;
    readonly peakOfferedRps: number;
    /** Tasks that carry the peak within the SLO: ceil(peak / taskCapacityRps). */
    readonly neededTasks: number;
    /** Most tasks running at once. */
    readonly peakTasks: number;
    /** First second at which at least neededTasks ran (0 when the start already had them); null if never. */
    readonly neededCapacityAt: number | null;
    /** Seconds in which the offered load exceeded the capacity of the running tasks. */
    readonly overloadSeconds: number;
    readonly firstOverloadAt: number | null;
    readonly lastOverloadAt: number | null;
    readonly offeredRequests: number;
    /** Requests offered above capacity, summed over the run. */
    readonly requestsOverCapacity: number;
    readonly activities: readonly ScalingActivity[];
    readonly evaluations: readonly AlarmEvaluation[];
    readonly timeline: readonly TimelinePoint[];
}

/** Overload below this many requests per second is float noise, not overload. */
const EPSILON = 1e-9;

function check(condition: boolean, message: string): void {
    if (!condition) throw new RangeError(message);
}

function validate(setup: ScalingSetup, alarms: AlarmModel, startup: number, initial: number): void {
    const whole = (n: number) => Number.isInteger(n) && n >= 0;
    check(whole(setup.minTasks), `minTasks = ${setup.minTasks} must be a whole number >= 0`);
    check(
        Number.isInteger(setup.maxTasks) && setup.maxTasks >= Math.max(1, setup.minTasks),
        `maxTasks = ${setup.maxTasks} must be a whole number >= 1 and >= minTasks (${setup.minTasks})`,
    );
    check(
        whole(initial) && initial >= setup.minTasks && initial <= setup.maxTasks,
        `initialTasks = ${initial} must be a whole number between minTasks and maxTasks`,
    );
    check(
        Number.isFinite(setup.taskCapacityRps) && setup.taskCapacityRps > 0,
        `taskCapacityRps = ${setup.taskCapacityRps} must be a positive number of requests per second`,
    );
    check(whole(startup), `startupSeconds = ${startup} must be a whole number of seconds >= 0`);
    check(
        Number.isInteger(alarms.periodSeconds) && alarms.periodSeconds >= 1,
        `alarm period = ${alarms.periodSeconds} must be a whole number of seconds >= 1`,
    );
    check(
        Number.isInteger(alarms.scaleOutDatapoints) && alarms.scaleOutDatapoints >= 1,
        `scale-out datapoints = ${alarms.scaleOutDatapoints} must be a whole number >= 1`,
    );
    check(
        Number.isInteger(alarms.scaleInDatapoints) && alarms.scaleInDatapoints >= 1,
        `scale-in datapoints = ${alarms.scaleInDatapoints} must be a whole number >= 1`,
    );
    for (const p of setup.policies) {
        check(Number.isFinite(p.targetValue) && p.targetValue > 0, `${p.metric} target must be positive`);
        check(whole(p.scaleOutCooldownSeconds), `${p.metric} scale-out cooldown must be whole seconds >= 0`);
        check(whole(p.scaleInCooldownSeconds), `${p.metric} scale-in cooldown must be whole seconds >= 0`);
    }
    check(
        new Set(setup.policies.map((p) => p.metric)).size === setup.policies.length,
        "each target-tracking policy must track a different metric",
    );
}

/** Per-second metric values for `offered` requests on `running` tasks. */
function sample(task: TaskModel, capacityRps: number, offered: number, running: number) {
    const u = running > 0 ? offered / (running * capacityRps) : 0;
    return {
        cpu: Math.min(100, u * task.cpuPercentAtCapacity),
        memory: Math.min(100, task.memoryBaselinePercent + u * task.memoryPercentPerCapacity),
        // ALBRequestCountPerTarget: requests per registered target. With no target the requests
        // count against one, so a policy can still ask for capacity.
        requestsPerTarget: offered / Math.max(1, running),
    };
}

interface Minute {
    cpu: number;
    memory: number;
    requestsPerTarget: number;
    seconds: number;
}

function datapointOf(metric: TrackedMetric, m: Minute): number {
    switch (metric) {
        case "cpu":
            return m.seconds > 0 ? m.cpu / m.seconds : 0;
        case "memory":
            return m.seconds > 0 ? m.memory / m.seconds : 0;
        case "requests":
            // A one-minute Sum of requests per target.
            return m.requestsPerTarget;
    }
}

interface ScaleOutCooldown {
    readonly at: number;
    /** The desired capacity before the scale-out that started the cooldown. */
    readonly base: number;
}

export function simulate(setup: ScalingSetup, offered: readonly number[]): SimulationResult {
    const alarms: AlarmModel = { ...DEFAULT_ALARMS, ...setup.alarms };
    const task: TaskModel = { ...DEFAULT_TASK_MODEL, ...setup.task };
    const startup = setup.startupSeconds ?? DEFAULT_STARTUP_SECONDS;
    const initial = setup.initialTasks ?? setup.minTasks;
    validate(setup, alarms, startup, initial);
    for (const [t, rps] of offered.entries())
        check(Number.isFinite(rps) && rps >= 0, `offered load at t = ${t} s is ${rps}; it must be >= 0`);

    const cap = setup.taskCapacityRps;
    const policies = setup.policies;
    // Before t = 0 the service sat idle at its initial size: every window starts full of idle datapoints.
    const idle = sample(task, cap, 0, initial);
    const idleMinute: Minute = {
        cpu: idle.cpu * alarms.periodSeconds,
        memory: idle.memory * alarms.periodSeconds,
        requestsPerTarget: 0,
        seconds: alarms.periodSeconds,
    };
    const window = Math.max(alarms.scaleOutDatapoints, alarms.scaleInDatapoints);
    const history: number[][] = policies.map((p) => Array<number>(window).fill(datapointOf(p.metric, idleMinute)));

    let running = initial;
    const pending: number[] = []; // ready times, ascending
    let minute: Minute = { cpu: 0, memory: 0, requestsPerTarget: 0, seconds: 0 };
    let scaleOutCooldown: ScaleOutCooldown | undefined;
    let lastScaleInAt: number | undefined;

    const timeline: TimelinePoint[] = [];
    const evaluations: AlarmEvaluation[] = [];
    const activities: ScalingActivity[] = [];

    const evaluate = (t: number) => {
        const desired = running + pending.length;
        const states = policies.map((p, i) => {
            const dps = history[i];
            dps.push(datapointOf(p.metric, minute));
            dps.shift();
            const datapoint = dps[dps.length - 1];
            const scaleOutAlarm = dps.slice(-alarms.scaleOutDatapoints).every((v) => v > p.targetValue);
            const threshold = p.targetValue * alarms.scaleInThresholdRatio;
            const scaleInAlarm = dps.slice(-alarms.scaleInDatapoints).every((v) => v < threshold);
            evaluations.push({ t, metric: p.metric, datapoint, target: p.targetValue, scaleOutAlarm, scaleInAlarm });
            return { p, datapoint, scaleOutAlarm, scaleInAlarm };
        });

        // Scale out if any policy is ready to; the largest proposal wins. During a policy's
        // scale-out cooldown its proposal counts the capacity that scale-out added ("the capacity
        // added by the initiating scale-out activity is calculated as part of the desired capacity
        // for the next scale-out"), i.e. it starts from the capacity before that scale-out, and it
        // acts only if it asks for more than is already desired ("won't increase the desired
        // capacity again unless either a larger scale out is triggered or the cooldown period
        // ends"): Application Auto Scaling user guide, target tracking, cooldown period. Outside
        // the cooldown it starts from the desired capacity, tasks still starting included, which
        // is why a cooldown shorter than the start-up can overshoot.
        let best: { proposal: number; base: number; metric: TrackedMetric } | undefined;
        for (const s of states) {
            if (!s.scaleOutAlarm) continue;
            const cooling = scaleOutCooldown !== undefined && t < scaleOutCooldown.at + s.p.scaleOutCooldownSeconds;
            const base = cooling ? scaleOutCooldown!.base : desired;
            const proposal = Math.ceil((base * s.datapoint) / s.p.targetValue - EPSILON);
            if (!best || proposal > best.proposal) best = { proposal, base, metric: s.p.metric };
        }
        if (best && best.proposal > desired) {
            const to = Math.min(setup.maxTasks, best.proposal);
            if (to > desired) {
                for (let i = desired; i < to; i++) pending.push(t + startup);
                activities.push({
                    t,
                    direction: "out",
                    from: desired,
                    to,
                    metrics: [best.metric],
                    ...(to < best.proposal ? { limitedBy: "maxTasks" as const } : {}),
                });
                scaleOutCooldown = { at: t, base: best.base };
                // A scale-out ends a scale-in cooldown early (same section of the user guide).
                lastScaleInAt = undefined;
            }
            return;
        }
        if (best) return; // a policy wants more than it can have right now: no scale-in either

        // Scale in only if every policy with scale-in enabled is ready to; the largest proposal wins.
        const voters = states.filter((s) => !s.p.disableScaleIn);
        if (voters.length === 0 || !voters.every((s) => s.scaleInAlarm)) return;
        const cooldown = Math.max(...voters.map((s) => s.p.scaleInCooldownSeconds));
        if (lastScaleInAt !== undefined && t < lastScaleInAt + cooldown) return;
        const proposal = Math.max(...voters.map((s) => Math.ceil((desired * s.datapoint) / s.p.targetValue - EPSILON)));
        const to = Math.max(setup.minTasks, proposal);
        if (to >= desired) return;
        let remove = desired - to;
        // Tasks not serving yet go first.
        while (remove > 0 && pending.length > 0) {
            pending.pop();
            remove--;
        }
        running -= remove;
        activities.push({
            t,
            direction: "in",
            from: desired,
            to,
            metrics: voters.map((s) => s.p.metric),
            ...(to > proposal ? { limitedBy: "minTasks" as const } : {}),
        });
        lastScaleInAt = t;
    };

    let overloadSeconds = 0;
    let firstOverloadAt: number | null = null;
    let lastOverloadAt: number | null = null;
    let requestsOverCapacity = 0;
    let offeredRequests = 0;
    let peakTasks = running;
    // A loop, not Math.max(...offered): a 72 h soak has more seconds than a call takes arguments.
    const peakOfferedRps = offered.reduce((max, v) => Math.max(max, v), 0);
    const neededTasks = Math.ceil(peakOfferedRps / cap - EPSILON);
    let neededCapacityAt: number | null = null;

    for (let t = 0; t < offered.length; t++) {
        if (t > 0 && t % alarms.periodSeconds === 0) {
            evaluate(t);
            minute = { cpu: 0, memory: 0, requestsPerTarget: 0, seconds: 0 };
        }
        while (pending.length > 0 && pending[0] <= t) {
            pending.shift();
            running++;
        }
        const load = offered[t];
        const capacityRps = running * cap;
        const overloadRps = Math.max(0, load - capacityRps);
        const m = sample(task, cap, load, running);
        minute.cpu += m.cpu;
        minute.memory += m.memory;
        minute.requestsPerTarget += m.requestsPerTarget;
        minute.seconds++;

        offeredRequests += load;
        if (overloadRps > EPSILON) {
            overloadSeconds++;
            requestsOverCapacity += overloadRps;
            firstOverloadAt ??= t;
            lastOverloadAt = t;
        }
        peakTasks = Math.max(peakTasks, running);
        if (neededCapacityAt === null && running >= neededTasks) neededCapacityAt = t;
        timeline.push({
            t,
            offeredRps: load,
            tasks: running,
            pendingTasks: pending.length,
            desiredTasks: running + pending.length,
            capacityRps,
            overloadRps,
            cpuPercent: m.cpu,
            memoryPercent: m.memory,
        });
    }

    return {
        durationSeconds: offered.length,
        taskCapacityRps: cap,
        minTasks: setup.minTasks,
        maxTasks: setup.maxTasks,
        initialTasks: initial,
        startupSeconds: startup,
        peakOfferedRps,
        neededTasks,
        peakTasks,
        neededCapacityAt,
        overloadSeconds,
        firstOverloadAt,
        lastOverloadAt,
        offeredRequests,
        requestsOverCapacity,
        activities,
        evaluations,
        timeline,
    };
}

/**
 * The smallest minTasks (between the setup's minTasks and maxTasks) with which the load
 * overloads the service for at most `maxOverloadSeconds`, or undefined when even maxTasks
 * running from the start does not. Found by bisection: more tasks at the start never carry
 * less.
 */
export function minTasksFor(
    setup: ScalingSetup,
    offered: readonly number[],
    maxOverloadSeconds: number,
): number | undefined {
    const fits = (minTasks: number) =>
        simulate({ ...setup, minTasks, initialTasks: minTasks }, offered).overloadSeconds <= maxOverloadSeconds;
    let lo = setup.minTasks;
    let hi = setup.maxTasks;
    if (!fits(hi)) return undefined;
    while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (fits(mid)) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

export type { TrackingPolicy };
