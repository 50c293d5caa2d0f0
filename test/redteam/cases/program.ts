/**
 * Red-team cases: resources the program declares outside the components (module scope, new
 * types). Each is a realistic edit a hurried colleague might make to the program or a stack
 * file; `mustFail` names the policies that must report a mandatory violation for it, and an
 * empty list marks a compliant variant that must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

export const CASES: readonly RedTeamCase[] = [
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
];
