/**
 * The red-team corpus: realistic one- to ten-line edits a hurried colleague might
 * make to the program or a stack file, each of which breaks an SLO and must fail
 * the offline preview, and compliant variants that must pass. Grow it with every
 * class of evasion the pack closes.
 */
import type { RedTeamCase } from "./harness";

/** Evasions: each must fail the preview with a mandatory violation of the named policies. */
export const EVASIONS: readonly RedTeamCase[] = [
    {
        name: "an unmonitored database declared at module scope of index.ts",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.rds.Instance("reporting-db", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "reporting",
    manageMasterUserPassword: true,
    skipFinalSnapshot: true,
});

type Outputs =`,
            },
        ],
        mustFail: ["database-enhanced-monitoring", "database-performance-insights", "database-storage-encrypted"],
    },
    {
        name: "a 2 s latency alarm declared at module scope",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.cloudwatch.MetricAlarm("lenient-latency", {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    extendedStatistic: "p95",
    period: 60,
    evaluationPeriods: 3,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 2,
    alarmActions: ["arn:aws:sns:us-east-1:123456789012:elsewhere"],
});

type Outputs =`,
            },
        ],
        mustFail: ["alarm-latency"],
    },
    {
        name: "the stack file swaps the static and proofs TTLs (each behaviour lands outside its band)",
        stackFile: {
            "credlink:cdn.staticMinTtl": 3600,
            "credlink:cdn.staticDefaultTtl": 86400,
            "credlink:cdn.staticMaxTtl": 604800,
            "credlink:cdn.proofsMinTtl": 86400,
            "credlink:cdn.proofsDefaultTtl": 604800,
            "credlink:cdn.proofsMaxTtl": 31536000,
        },
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "the stack file raises the task ceiling to 40",
        stackFile: { "credlink:scaling.maxTasks": 40 },
        mustFail: ["scaling-task-range"],
    },
];

/** Compliant variants: each must pass the preview. */
export const COMPLIANT: readonly RedTeamCase[] = [
    { name: "the production stack as committed", mustFail: [] },
    {
        name: "a tighter static band in the stack file (1 day .. 30 days)",
        stackFile: { "credlink:cdn.staticMaxTtl": 2592000 },
        mustFail: [],
    },
];
