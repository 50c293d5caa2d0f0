/**
 * CloudWatch alarms on the RDS instance and on each read replica (the same set, plus
 * ReplicaLag). Thresholds live here (the SLO module holds service objectives, not
 * per-resource limits) and are derived from the instance class and storage where
 * AWS's limits depend on them; a replica has its source's class and storage.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDWATCH_NAMESPACE, RDS_METRIC } from "../../policies/aws/cloudwatch";
import { estimateMaxConnections, memoryBytes, type InstanceClassInfo } from "./instance-classes";

const GIB = 1024 ** 3;

export const DATABASE_ALARM_THRESHOLDS = Object.freeze({
    cpuPercent: 80,
    /** Alarm when FreeableMemory drops below this share of the class memory. */
    freeableMemoryFraction: 0.1,
    /** Alarm when FreeStorageSpace drops below this share of the allocated storage. */
    freeStorageFraction: 0.1,
    /** Alarm when DatabaseConnections passes this share of the class's default max_connections. */
    connectionsFraction: 0.8,
    /** Read/WriteLatency are reported in SECONDS: 0.02 s = 20 ms. */
    latencySeconds: 0.02,
    /** ReplicaLag, seconds. */
    replicaLagSeconds: 30,
    /** Every alarm looks at 1-minute data and needs 5 breaching minutes in a row. */
    periodSeconds: 60,
    evaluationPeriods: 5,
});

export interface AlarmTargets {
    readonly namePrefix: string;
    readonly instanceIdentifier: pulumi.Input<string>;
    readonly replicaIdentifiers: readonly pulumi.Input<string>[];
    readonly instanceClass: InstanceClassInfo;
    readonly allocatedStorageGb: number;
    readonly alarmTopicArn: pulumi.Input<string>;
    readonly parent: pulumi.Resource;
}

/** The thresholds that depend on the class and storage, in the metric's own unit. */
export function derivedThresholds(instanceClass: InstanceClassInfo, allocatedStorageGb: number) {
    const t = DATABASE_ALARM_THRESHOLDS;
    return {
        freeableMemoryBytes: Math.round(memoryBytes(instanceClass) * t.freeableMemoryFraction),
        // With storage autoscaling this is relative to the initial allocation: RDS grows storage
        // when less than 10 % is free, so the alarm says autoscaling is due or has hit its ceiling.
        freeStorageBytes: Math.round(allocatedStorageGb * GIB * t.freeStorageFraction),
        maxConnections: estimateMaxConnections(instanceClass),
        connections: Math.floor(estimateMaxConnections(instanceClass) * t.connectionsFraction),
    };
}

/** Creates the alarms and returns their names, which are fixed strings (known at preview). */
export function createDatabaseAlarms(a: AlarmTargets): string[] {
    const t = DATABASE_ALARM_THRESHOLDS;
    const d = derivedThresholds(a.instanceClass, a.allocatedStorageGb);
    const names: string[] = [];
    const alarm = (
        suffix: string,
        spec: {
            metricName: string;
            statistic: "Average" | "Minimum" | "Maximum";
            comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
            threshold: number;
            description: string;
            treatMissingData: "missing" | "breaching" | "notBreaching";
            identifier: pulumi.Input<string>;
        },
    ) => {
        const name = `${a.namePrefix}-${suffix}`;
        names.push(name);
        new aws.cloudwatch.MetricAlarm(
            name,
            {
                name,
                alarmDescription: spec.description,
                namespace: CLOUDWATCH_NAMESPACE.rds,
                metricName: spec.metricName,
                dimensions: { DBInstanceIdentifier: spec.identifier },
                statistic: spec.statistic,
                period: t.periodSeconds,
                evaluationPeriods: t.evaluationPeriods,
                datapointsToAlarm: t.evaluationPeriods,
                comparisonOperator: spec.comparisonOperator,
                threshold: spec.threshold,
                treatMissingData: spec.treatMissingData,
                alarmActions: [a.alarmTopicArn],
                okActions: [a.alarmTopicArn],
            },
            { parent: a.parent },
        );
    };

    /**
     * The instance-level alarms, for the primary and for each read replica alike: a replica serves
     * reads on its own CPU, memory, storage and connections, so it can saturate while the primary is fine.
     */
    const instanceAlarms = (prefix: string, who: string, identifier: pulumi.Input<string>) => {
        // RDS publishes these every minute while the instance runs; a gap means it is stopped or being
        // replaced (the RDS event subscription covers that), so missing data keeps the last state instead of paging.
        alarm(`${prefix}cpu-high`, {
            metricName: RDS_METRIC.cpuUtilization,
            statistic: "Average",
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.cpuPercent,
            description:
                `${who} CPU above ${t.cpuPercent} % for ${t.evaluationPeriods} minutes: find ` +
                `the top SQL in Performance Insights (docs/database.md)`,
            treatMissingData: "missing",
            identifier,
        });
        alarm(`${prefix}freeable-memory-low`, {
            metricName: RDS_METRIC.freeableMemory,
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: d.freeableMemoryBytes,
            description:
                `${who} freeable memory below ${t.freeableMemoryFraction * 100} % of ` +
                `${a.instanceClass.instanceClass}'s ${a.instanceClass.memoryGib} GiB`,
            treatMissingData: "missing",
            identifier,
        });
        alarm(`${prefix}free-storage-low`, {
            metricName: RDS_METRIC.freeStorageSpace,
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: d.freeStorageBytes,
            description:
                `${who} free storage below ${t.freeStorageFraction * 100} % of the ` +
                `${a.allocatedStorageGb} GiB allocated`,
            treatMissingData: "missing",
            identifier,
        });
        alarm(`${prefix}connections-high`, {
            metricName: RDS_METRIC.databaseConnections,
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: d.connections,
            description:
                `${who} connections above ${t.connectionsFraction * 100} % of ` +
                `${a.instanceClass.instanceClass}'s default max_connections ` +
                `(~${d.maxConnections}): pool connections (rdsProxy) or resize`,
            treatMissingData: "missing",
            identifier,
        });
        // An idle instance reports zero latency; a gap is not slowness.
        const latencies = [
            ["read-latency-high", RDS_METRIC.readLatency],
            ["write-latency-high", RDS_METRIC.writeLatency],
        ] as const;
        for (const [suffix, metricName] of latencies) {
            alarm(`${prefix}${suffix}`, {
                metricName,
                statistic: "Average",
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.latencySeconds,
                description: `${who} ${metricName} above ${t.latencySeconds * 1000} ms (the metric is in seconds)`,
                treatMissingData: "notBreaching",
                identifier,
            });
        }
    };

    instanceAlarms("", "Database", a.instanceIdentifier);
    a.replicaIdentifiers.forEach((identifier, i) => {
        const who = `Read replica ${i + 1}`;
        instanceAlarms(`replica-${i + 1}-`, who, identifier);
        // A replica that stops reporting lag has stopped replicating: page.
        alarm(`replica-${i + 1}-lag-high`, {
            metricName: RDS_METRIC.replicaLag,
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.replicaLagSeconds,
            description: `${who} more than ${t.replicaLagSeconds} s behind the primary`,
            treatMissingData: "breaching",
            identifier,
        });
    });
    return names;
}
