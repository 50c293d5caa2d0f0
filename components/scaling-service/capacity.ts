/**
 * Capacity arithmetic. ALBRequestCountPerTarget is a per-target, per-MINUTE Sum, so
 * the request rate the service absorbs with every task at its scaling target is
 * maxTasks x requestsPerTarget / 60 requests per second.
 */
import { capacityAtTarget, SLO } from "../../policies/slo";

export interface CapacityReport {
    /** Requests per second at the scaling target with all tasks running. */
    readonly capacityAtTarget: number;
    /** Tasks needed to carry the SLO peak at the configured per-target rate. */
    readonly tasksNeededForPeak: number;
    /** Warning line when capacity at target is below the SLO peak; undefined otherwise. */
    readonly warning?: string;
}

const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toString();

export function capacityReport(name: string, maxTasks: number, requestsPerTargetPerMinute: number): CapacityReport {
    const capacity = capacityAtTarget(maxTasks, requestsPerTargetPerMinute);
    const peak = SLO.peakRequestsPerSecond;
    const tasksNeededForPeak = Math.ceil((peak * 60) / requestsPerTargetPerMinute);
    if (capacity >= peak) return { capacityAtTarget: capacity, tasksNeededForPeak };
    return {
        capacityAtTarget: capacity,
        tasksNeededForPeak,
        warning:
            `ScalingService ${name}: capacity at target is ${maxTasks} tasks x ` +
            `${requestsPerTargetPerMinute} requests/target/minute / 60 = ` +
            `${oneDecimal(capacity)} req/s, below the SLO peak of ${peak} req/s; to carry the peak ` +
            `at target raise scaling.maxTasks to ` +
            `${tasksNeededForPeak} (at ${requestsPerTargetPerMinute}/min) or set ` +
            `scaling.requestsPerTarget to a load-tested per-task rate ` +
            `(see docs/scaling-service.md)`,
    };
}
