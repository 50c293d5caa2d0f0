/**
 * Red-team cases: database monitoring.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

/** Code added at module scope of index.ts. */
const moduleScope = (code: string) => ({
    file: "index.ts",
    find: "type Outputs =",
    replace: `${code}\n\ntype Outputs =`,
});

/**
 * An Aurora cluster and one instance; `cluster` and `instance` add or override their inputs,
 * `alarms` adds the instance's alarms.
 */
const aurora = (cluster: string, instance: string, alarms = false) =>
    moduleScope(`const analytics = new aws.rds.Cluster("analytics", {
    engine: "aurora-postgresql",
    engineVersion: "16.4",
    masterUsername: "analytics",
    manageMasterUserPassword: true,
    dbSubnetGroupName: "credlink-private",
    skipFinalSnapshot: true,${cluster}
});
new aws.rds.ClusterInstance("analytics-1", {
    identifier: "analytics-1",
    clusterIdentifier: analytics.id,
    engine: "aurora-postgresql",
    instanceClass: "db.r6g.large",${instance}
});${alarms ? AURORA_ALARMS : ""}`);

/**
 * What a compliant Aurora instance also needs: its instance alarms (alarm-coverage), sent to a
 * topic someone is subscribed to.
 */
const AURORA_ALARMS = `
const analyticsAlerts = new aws.sns.Topic("analytics-alerts", { kmsMasterKeyId: "alias/aws/sns" });
new aws.sns.TopicSubscription("analytics-oncall", {
    topic: analyticsAlerts.arn,
    protocol: "email",
    endpoint: "oncall@example.com",
});
for (const [metricName, comparisonOperator, threshold] of [
    ["CPUUtilization", "GreaterThanThreshold", 80],
    ["FreeableMemory", "LessThanThreshold", 268435456],
    ["DatabaseConnections", "GreaterThanThreshold", 400],
] as const) {
    new aws.cloudwatch.MetricAlarm(\`analytics-1-\${metricName}\`, {
        namespace: "AWS/RDS",
        metricName,
        dimensions: { DBInstanceIdentifier: "analytics-1" },
        statistic: "Average",
        period: 60,
        evaluationPeriods: 5,
        comparisonOperator,
        threshold,
        alarmActions: [analyticsAlerts.arn],
    });
}`;

const MONITORED = `
    monitoringInterval: 1,
    monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-enhanced-monitoring",
    performanceInsightsEnabled: true,
    performanceInsightsRetentionPeriod: 7,`;

export const CASES: readonly RedTeamCase[] = [
    { name: "the production stack as committed", mustFail: [] },

    // Aurora clusters and their instances
    {
        name: "an unencrypted, unmonitored Aurora cluster for analytics at module scope",
        program: [aurora("", "")],
        mustFail: ["database-enhanced-monitoring", "database-performance-insights", "database-storage-encrypted"],
    },
    {
        name: "compliant: an encrypted Aurora cluster whose instance carries monitoring and Performance Insights",
        program: [aurora("\n    storageEncrypted: true,", MONITORED, true)],
        mustFail: [],
    },
    {
        name: "compliant: an encrypted Aurora cluster with monitoring set once on the cluster",
        program: [aurora(`\n    storageEncrypted: true,${MONITORED}`, "", true)],
        mustFail: [],
    },
    {
        name: "a publicly accessible Aurora instance",
        program: [aurora("\n    storageEncrypted: true,", `${MONITORED}\n    publiclyAccessible: true,`)],
        mustFail: ["database-not-public"],
    },
    {
        name: "a Multi-AZ DB cluster without monitoring or a subnet group",
        program: [
            moduleScope(`new aws.rds.Cluster("ledger", {
    engine: "postgres",
    dbClusterInstanceClass: "db.r6gd.large",
    storageType: "io1",
    allocatedStorage: 100,
    iops: 1000,
    masterUsername: "ledger",
    manageMasterUserPassword: true,
    storageEncrypted: true,
    skipFinalSnapshot: true,
});`),
        ],
        mustFail: ["database-enhanced-monitoring", "database-performance-insights", "database-not-public"],
    },

    // Replicas: a literal ID matched to a database outside the stack
    {
        name: "a reporting replica of a database outside the stack (its encryption unseen)",
        program: [
            moduleScope(`new aws.rds.Instance("reporting", {
    instanceClass: "db.r6g.large",
    replicateSourceDb: "credlink-legacy-db",
    skipFinalSnapshot: true,${MONITORED}
});`),
        ],
        mustFail: ["database-storage-encrypted"],
    },

    // Other database types
    {
        name: "a Lightsail database for a side project",
        program: [
            moduleScope(`new aws.lightsail.Database("side", {
    relationalDatabaseName: "side",
    availabilityZone: "us-east-1a",
    masterDatabaseName: "side",
    masterUsername: "side",
    masterPassword: new random.RandomPassword("side-db", { length: 24, special: false }).result,
    blueprintId: "postgres_16",
    bundleId: "micro_2_0",
    skipFinalSnapshot: true,
});`),
        ],
        mustFail: ["unchecked-resource-types"],
    },
];
