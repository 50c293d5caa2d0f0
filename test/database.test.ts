import { describe, expect, it } from "vitest";
import {
    describeInstanceClass,
    estimateMaxConnections,
    MonitoredDatabase,
    type MonitoredDatabaseArgs,
} from "../components/database";
import { DATABASE, SLO } from "../policies/slo";
import { runProgram, UNKNOWN, type RegisteredResource, type StackRun } from "../tools/harness/run";
import { policyOf } from "./resources";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const CLIENT_SG = "sg-0aaaaaaaaaaaaaaa1";
const GIB = 1024 ** 3;
const INSTANCE = "aws:rds/instance:Instance";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const base: MonitoredDatabaseArgs = {
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    clientSecurityGroupIds: [CLIENT_SG],
    alarmTopicArn: TOPIC,
};

/** The three stack files' database settings, as index.ts passes them. */
const production: Partial<MonitoredDatabaseArgs> = {
    engineVersion: "17",
    instanceClass: "db.r6g.large",
    allocatedStorageGb: 100,
    maxAllocatedStorageGb: 1000,
    multiAz: true,
    monitoringIntervalSeconds: 1,
    performanceInsightsEnabled: true,
    performanceInsightsRetentionDays: 7,
    backupRetentionDays: 14,
    deletionProtection: true,
    protect: true,
};
const dev: Partial<MonitoredDatabaseArgs> = {
    instanceClass: "db.t4g.micro",
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 50,
    multiAz: false,
    monitoringIntervalSeconds: 60,
    performanceInsightsEnabled: false,
    backupRetentionDays: 1,
    deletionProtection: false,
    protect: false,
};

interface Built {
    run: StackRun;
    instance: RegisteredResource;
    get: (type: string, name: string) => RegisteredResource;
}

async function build(
    extra: Partial<MonitoredDatabaseArgs> = {},
    opts: { preview?: boolean; stack?: string } = {},
): Promise<Built> {
    const run = await runProgram(() => {
        const db = new MonitoredDatabase("db", { ...base, ...extra });
        return {
            endpoint: db.endpoint,
            address: db.address,
            port: db.port,
            masterUserSecretArn: db.masterUserSecretArn,
            instanceIdentifier: db.instanceIdentifier,
            instanceArn: db.instanceArn,
            securityGroupId: db.securityGroupId,
            proxyEndpoint: db.proxyEndpoint,
            replicaIdentifiers: db.replicaIdentifiers,
            alarmNames: db.alarmNames,
        };
    }, opts);
    return { run, instance: run.get(INSTANCE, "db"), get: (type, name) => run.get(type, name) };
}

async function errorOf(extra: Partial<MonitoredDatabaseArgs>): Promise<string> {
    try {
        await build(extra);
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected MonitoredDatabase to reject these args");
}

describe.each([
    ["update", false],
    ["preview", true],
])("MonitoredDatabase (%s)", (_mode, preview) => {
    it("turns on Enhanced Monitoring with its own role and waits for the role's policy", async () => {
        const { run, instance, get } = await build({}, { preview });
        const role = get("aws:iam/role:Role", "db-monitoring-role");
        const attachment = get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy");

        expect(instance.inputs.monitoringInterval).toBe(DATABASE.enhancedMonitoringIntervalSeconds);
        expect(instance.inputs.monitoringInterval).toBe(1);
        expect(instance.propertyDependencies.monitoringRoleArn).toEqual([role.urn]);
        if (!preview) expect(instance.inputs.monitoringRoleArn).toBe(role.outputs.arn);
        // Without this the instance can be created before the role may publish metrics and RDS rejects it.
        expect(instance.dependencies).toContain(attachment.urn);

        expect(policyOf(role, "assumeRolePolicy").Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        ]);
        expect(attachment.inputs.policyArn).toBe(
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        );
        expect(attachment.propertyDependencies.role).toEqual([role.urn]);
        expect(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toHaveLength(1);
    });

    it("keeps Performance Insights for 7 days, encrypted with a rotating key of its own", async () => {
        const { instance, get } = await build({}, { preview });
        const piKey = get("aws:kms/key:Key", "db-pi-key");
        expect(instance.inputs.performanceInsightsEnabled).toBe(true);
        expect(instance.inputs.performanceInsightsRetentionPeriod).toBe(DATABASE.performanceInsightsRetentionDays);
        expect(instance.inputs.performanceInsightsRetentionPeriod).toBe(7);
        expect(instance.propertyDependencies.performanceInsightsKmsKeyId).toEqual([piKey.urn]);
        if (!preview) expect(instance.inputs.performanceInsightsKmsKeyId).toBe(piKey.outputs.arn);
        expect(piKey.inputs.enableKeyRotation).toBe(true);
    });

    it(
        "encrypts storage with a rotating key and lets RDS manage the master password, on gp3, " +
            "private, TLS-verified",
        async () => {
            const { run, instance, get } = await build({}, { preview });
            const key = get("aws:kms/key:Key", "db-storage-key");
            expect(key.inputs.enableKeyRotation).toBe(true);
            expect(instance.inputs).toMatchObject({
                engine: "postgres",
                engineVersion: "17",
                storageType: "gp3",
                storageEncrypted: true,
                manageMasterUserPassword: true,
                publiclyAccessible: false,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                dbName: "credlink",
                username: "credlink_admin",
                port: 5432,
                allocatedStorage: 20,
                maxAllocatedStorage: 100,
                autoMinorVersionUpgrade: true,
                copyTagsToSnapshot: true,
                backupWindow: "03:00-04:00",
                maintenanceWindow: "sun:04:30-sun:05:30",
                identifier: "db-test",
            });
            expect(instance.propertyDependencies.kmsKeyId).toEqual([key.urn]);
            if (!preview) expect(instance.inputs.kmsKeyId).toBe(key.outputs.arn);
            // The secret stays under aws/secretsmanager so its readers need GetSecretValue only.
            expect(instance.inputs.masterUserSecretKmsKeyId).toBeUndefined();
            // No password anywhere: RDS generates it into Secrets Manager.
            for (const r of run.resources)
                expect(
                    Object.keys(r.inputs).filter((k) => /password$/i.test(k) && k !== "manageMasterUserPassword"),
                ).toEqual([]);
            if (preview) expect(run.outputs.masterUserSecretArn).toBe(UNKNOWN);
            else
                expect(run.outputs.masterUserSecretArn).toMatch(
                    /^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-/,
                );
        },
    );

    it("admits only the client security groups, on 5432, in private subnets", async () => {
        const { run, instance, get } = await build(
            { clientSecurityGroupIds: [CLIENT_SG, "sg-0aaaaaaaaaaaaaaa2"] },
            { preview },
        );
        const sg = get("aws:ec2/securityGroup:SecurityGroup", "db-sg");
        expect(sg.inputs.vpcId).toBe(base.vpcId);
        expect(sg.inputs.ingress ?? []).toEqual([]);
        expect(sg.inputs.egress ?? []).toEqual([]);
        const rules = run.ofType(INGRESS);
        expect(
            rules.map((r) => [
                r.inputs.referencedSecurityGroupId,
                r.inputs.ipProtocol,
                r.inputs.fromPort,
                r.inputs.toPort,
            ]),
        ).toEqual([
            [CLIENT_SG, "tcp", 5432, 5432],
            ["sg-0aaaaaaaaaaaaaaa2", "tcp", 5432, 5432],
        ]);
        for (const r of rules) {
            expect(r.propertyDependencies.securityGroupId).toEqual([sg.urn]);
            expect(r.inputs.cidrIpv4).toBeUndefined();
        }
        expect(run.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).toEqual([]);
        expect(instance.propertyDependencies.vpcSecurityGroupIds).toEqual([sg.urn]);
        expect(get("aws:rds/subnetGroup:SubnetGroup", "db-subnets").inputs.subnetIds).toEqual(base.subnetIds);
        expect(instance.inputs.publiclyAccessible).toBe(false);
    });

    it(
        "loads pg_stat_statements, logs slow statements, forces TLS and exports the logs to retained " + "log groups",
        async () => {
            const { run, instance, get } = await build({}, { preview });
            const pg = get("aws:rds/parameterGroup:ParameterGroup", "db-params");
            expect(pg.inputs.family).toBe("postgres17");
            expect(pg.inputs.parameters).toEqual(
                expect.arrayContaining([
                    { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
                    { name: "log_min_duration_statement", value: String(SLO.latencyP95Ms), applyMethod: "immediate" },
                    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                    { name: "track_activity_query_size", value: "4096", applyMethod: "pending-reboot" },
                ]),
            );
            expect(
                (pg.inputs.parameters as Array<{ name: string }>)
                    .map((p) => p.name)
                    .filter((n) => n.startsWith("auto_explain")),
            ).toEqual([]);
            expect(instance.propertyDependencies.parameterGroupName).toEqual([pg.urn]);
            expect(instance.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
            const logs = run.ofType("aws:cloudwatch/logGroup:LogGroup");
            expect(logs.map((l) => [l.inputs.name, l.inputs.retentionInDays])).toEqual([
                ["/aws/rds/instance/db-test/postgresql", 30],
                ["/aws/rds/instance/db-test/upgrade", 30],
            ]);
            // RDS would create them without a retention if the instance came first.
            for (const l of logs) expect(instance.dependencies).toContain(l.urn);
        },
    );

    it("alarms on CPU, memory, storage, connections and latency, notifying the topic on alarm and OK", async () => {
        const { run } = await build(production, { preview, stack: "production" });
        const alarms = run.ofType(ALARM);
        const byName = Object.fromEntries(alarms.map((a) => [a.inputs.name as string, a.inputs]));
        expect(Object.keys(byName)).toEqual([
            "db-production-cpu-high",
            "db-production-freeable-memory-low",
            "db-production-free-storage-low",
            "db-production-connections-high",
            "db-production-read-latency-high",
            "db-production-write-latency-high",
        ]);
        expect(run.outputs.alarmNames).toEqual(Object.keys(byName));
        for (const a of alarms) {
            expect(a.inputs).toMatchObject({
                namespace: "AWS/RDS",
                dimensions: { DBInstanceIdentifier: "db-production" },
                alarmActions: [TOPIC],
                okActions: [TOPIC],
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
            });
        }
        const pick = (n: string) => {
            const a = byName[`db-production-${n}`];
            return [a.metricName, a.statistic, a.comparisonOperator, a.threshold, a.treatMissingData];
        };
        expect(pick("cpu-high")).toEqual(["CPUUtilization", "Average", "GreaterThanThreshold", 80, "missing"]);
        // db.r6g.large has 16 GiB: 10 % of it, in bytes.
        expect(pick("freeable-memory-low")).toEqual([
            "FreeableMemory",
            "Minimum",
            "LessThanThreshold",
            Math.round(1.6 * GIB),
            "missing",
        ]);
        // 10 % of the 100 GiB allocated, in bytes.
        expect(pick("free-storage-low")).toEqual([
            "FreeStorageSpace",
            "Minimum",
            "LessThanThreshold",
            10 * GIB,
            "missing",
        ]);
        // 80 % of ~1694, db.r6g.large's default max_connections.
        expect(pick("connections-high")).toEqual([
            "DatabaseConnections",
            "Maximum",
            "GreaterThanThreshold",
            1355,
            "missing",
        ]);
        // The latency metrics are in seconds: 20 ms = 0.02.
        expect(pick("read-latency-high")).toEqual([
            "ReadLatency",
            "Average",
            "GreaterThanThreshold",
            0.02,
            "notBreaching",
        ]);
        expect(pick("write-latency-high")).toEqual([
            "WriteLatency",
            "Average",
            "GreaterThanThreshold",
            0.02,
            "notBreaching",
        ]);
    });

    it(
        "production: multi-AZ, protected, deletion-protected, final snapshot, 14-day backups, " + "storage autoscaling",
        async () => {
            const { run, instance, get } = await build(production, { preview, stack: "production" });
            expect(instance.inputs).toMatchObject({
                instanceClass: "db.r6g.large",
                multiAz: true,
                deletionProtection: true,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: "db-production-final-snapshot",
                backupRetentionPeriod: 14,
                allocatedStorage: 100,
                maxAllocatedStorage: 1000,
                monitoringInterval: 1,
                performanceInsightsEnabled: true,
                performanceInsightsRetentionPeriod: 7,
                identifier: "db-production",
            });
            expect([instance.protect, instance.retainOnDelete]).toEqual([true, true]);
            const key = get("aws:kms/key:Key", "db-storage-key");
            expect([key.protect, key.retainOnDelete]).toEqual([true, true]);
            expect(run.ofType(INSTANCE)).toHaveLength(1);
            expect(run.ofType("aws:rds/proxy:Proxy")).toEqual([]);
            expect(run.outputs.proxyEndpoint).toBeUndefined();
            expect(run.outputs.replicaIdentifiers).toEqual([]);
        },
    );

    it(
        "dev: single AZ, small, 60 s monitoring, no Performance Insights, disposable without a final " + "snapshot",
        async () => {
            const { run, instance, get } = await build(dev, { preview, stack: "dev" });
            expect(instance.inputs).toMatchObject({
                instanceClass: "db.t4g.micro",
                multiAz: false,
                deletionProtection: false,
                skipFinalSnapshot: true,
                backupRetentionPeriod: 1,
                monitoringInterval: 60,
                performanceInsightsEnabled: false,
                maxAllocatedStorage: 50,
            });
            expect(instance.inputs.finalSnapshotIdentifier).toBeUndefined();
            expect(instance.inputs.performanceInsightsRetentionPeriod).toBeUndefined();
            expect(instance.inputs.performanceInsightsKmsKeyId).toBeUndefined();
            expect([instance.protect, instance.retainOnDelete]).toEqual([false, false]);
            expect(run.ofType("aws:kms/key:Key").map((k) => k.name)).toEqual(["db-storage-key"]);
            // 60 s monitoring still needs the role.
            expect(instance.dependencies).toContain(
                get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy").urn,
            );
            // db.t4g.micro: 1 GiB and ~73 connections.
            const threshold = (n: string) => run.get(ALARM, `db-dev-${n}`).inputs.threshold;
            expect([
                threshold("freeable-memory-low"),
                threshold("free-storage-low"),
                threshold("connections-high"),
            ]).toEqual([Math.round(0.1 * GIB), 2 * GIB, 58]);
        },
    );

    it(
        "read replicas: each replicates the primary with the same monitoring, Performance Insights " +
            "and parameters, and gets the instance alarms plus a lag alarm",
        async () => {
            const { run, instance, get } = await build({ readReplicas: 2 }, { preview });
            const attachment = get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy");
            const role = get("aws:iam/role:Role", "db-monitoring-role");
            const piKey = get("aws:kms/key:Key", "db-pi-key");
            const pg = get("aws:rds/parameterGroup:ParameterGroup", "db-params");
            const replicas = run.ofType(INSTANCE).filter((r) => r.name !== "db");
            expect(replicas.map((r) => [r.name, r.inputs.identifier])).toEqual([
                ["db-replica-1", "db-test-replica-1"],
                ["db-replica-2", "db-test-replica-2"],
            ]);
            for (const r of replicas) {
                expect(r.inputs).toMatchObject({
                    replicateSourceDb: "db-test",
                    instanceClass: "db.t4g.medium",
                    monitoringInterval: 1,
                    performanceInsightsEnabled: true,
                    performanceInsightsRetentionPeriod: 7,
                    multiAz: false,
                    publiclyAccessible: false,
                    storageEncrypted: true,
                    skipFinalSnapshot: true,
                    caCertIdentifier: "rds-ca-rsa2048-g1",
                    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                });
                expect(r.propertyDependencies.replicateSourceDb).toEqual([instance.urn]);
                expect(r.propertyDependencies.monitoringRoleArn).toEqual([role.urn]);
                expect(r.propertyDependencies.performanceInsightsKmsKeyId).toEqual([piKey.urn]);
                expect(r.propertyDependencies.parameterGroupName).toEqual([pg.urn]);
                expect(r.dependencies).toContain(attachment.urn);
                for (const k of ["username", "dbName", "manageMasterUserPassword", "kmsKeyId", "dbSubnetGroupName"])
                    expect(r.inputs[k]).toBeUndefined();
                expect(r.protect).toBe(false);
            }
            const lag = run.ofType(ALARM).filter((a) => a.inputs.metricName === "ReplicaLag");
            expect(
                lag.map((a) => [
                    a.inputs.name,
                    a.inputs.dimensions,
                    a.inputs.threshold,
                    a.inputs.treatMissingData,
                    a.inputs.alarmActions,
                ]),
            ).toEqual([
                ["db-test-replica-1-lag-high", { DBInstanceIdentifier: "db-test-replica-1" }, 30, "breaching", [TOPIC]],
                ["db-test-replica-2-lag-high", { DBInstanceIdentifier: "db-test-replica-2" }, 30, "breaching", [TOPIC]],
            ]);
            // A replica serves reads on its own CPU, memory, storage and connections: it gets the
            // primary's alarms, with the primary's thresholds, on its own identifier.
            const onInstance = (identifier: string) =>
                run
                    .ofType(ALARM)
                    .filter((a) => (a.inputs.dimensions as Record<string, unknown>).DBInstanceIdentifier === identifier)
                    .map((a) => [a.inputs.metricName, a.inputs.comparisonOperator, a.inputs.threshold]);
            const primaryAlarms = onInstance("db-test");
            expect(primaryAlarms).toHaveLength(6);
            for (const replica of ["db-test-replica-1", "db-test-replica-2"])
                expect(onInstance(replica)).toEqual([...primaryAlarms, ["ReplicaLag", "GreaterThanThreshold", 30]]);
            expect(run.outputs.replicaIdentifiers).toEqual(["db-test-replica-1", "db-test-replica-2"]);
            expect(run.outputs.alarmNames).toEqual(
                expect.arrayContaining([
                    "db-test-replica-1-cpu-high",
                    "db-test-replica-1-write-latency-high",
                    "db-test-replica-1-lag-high",
                    "db-test-replica-2-lag-high",
                ]),
            );
        },
    );

    it("RDS Proxy: TLS only, own security group, reads only the managed secret", async () => {
        const { run, instance, get } = await build({ rdsProxy: true }, { preview });
        const proxy = get("aws:rds/proxy:Proxy", "db-proxy");
        const proxySg = get("aws:ec2/securityGroup:SecurityGroup", "db-proxy-sg");
        const dbSg = get("aws:ec2/securityGroup:SecurityGroup", "db-sg");
        const role = get("aws:iam/role:Role", "db-proxy-role");
        expect(proxy.inputs).toMatchObject({
            engineFamily: "POSTGRESQL",
            requireTls: true,
            vpcSubnetIds: base.subnetIds,
            debugLogging: false,
        });
        expect(proxy.propertyDependencies.vpcSecurityGroupIds).toEqual([proxySg.urn]);
        expect(proxy.propertyDependencies.roleArn).toEqual([role.urn]);
        const auths = proxy.inputs.auths as Array<Record<string, unknown>>;
        expect(auths).toHaveLength(1);
        expect(auths[0]).toMatchObject({
            authScheme: "SECRETS",
            iamAuth: "DISABLED",
            clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
        });
        expect(proxy.propertyDependencies.auths).toEqual([instance.urn]);
        if (!preview)
            expect(auths[0].secretArn).toBe(
                (instance.outputs.masterUserSecrets as Array<{ secretArn: string }>)[0].secretArn,
            );

        expect(policyOf(role, "assumeRolePolicy").Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        ]);
        const access = get("aws:iam/rolePolicy:RolePolicy", "db-proxy-secret");
        expect(access.propertyDependencies.policy).toEqual([instance.urn]);
        if (!preview) {
            expect(policyOf(access, "policy").Statement).toEqual([
                {
                    Sid: "ReadTheMasterSecret",
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: auths[0].secretArn,
                },
            ]);
            expect(auths[0].secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-/);
        }

        // Clients -> proxy -> database, each hop on 5432 only.
        const proxyIngress = run
            .ofType(INGRESS)
            .filter((r) => r.propertyDependencies.securityGroupId?.includes(proxySg.urn));
        expect(
            proxyIngress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
        ).toEqual([[CLIENT_SG, 5432, 5432]]);
        const egress = get("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "db-proxy-to-db");
        expect([
            egress.propertyDependencies.referencedSecurityGroupId,
            egress.inputs.fromPort,
            egress.inputs.toPort,
        ]).toEqual([[dbSg.urn], 5432, 5432]);
        const fromProxy = get(INGRESS, "db-from-proxy");
        expect([
            fromProxy.propertyDependencies.securityGroupId,
            fromProxy.propertyDependencies.referencedSecurityGroupId,
            fromProxy.inputs.fromPort,
        ]).toEqual([[dbSg.urn], [proxySg.urn], 5432]);

        const targets = get("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "db-proxy-targets");
        expect(targets.inputs.connectionPoolConfig).toEqual({
            maxConnectionsPercent: 90,
            maxIdleConnectionsPercent: 50,
            connectionBorrowTimeout: 120,
        });
        const target = get("aws:rds/proxyTarget:ProxyTarget", "db-proxy-target");
        expect(target.inputs.dbInstanceIdentifier).toBe("db-test");
        expect(target.propertyDependencies.targetGroupName).toEqual([targets.urn]);
        if (preview) expect(run.outputs.proxyEndpoint).toBe(UNKNOWN);
        else expect(run.outputs.proxyEndpoint).toBe(proxy.outputs.endpoint);
    });
});

describe("MonitoredDatabase events", () => {
    it(
        "notifies the alerts topic of availability, failover and failure events of the instance and " + "its replicas",
        async () => {
            const { run, instance, get } = await build({ readReplicas: 1 });
            const events = get("aws:rds/eventSubscription:EventSubscription", "db-events").inputs;
            expect(events.snsTopic).toBe(TOPIC);
            expect(events.sourceType).toBe("db-instance");
            expect(events.sourceIds).toEqual([
                instance.inputs.identifier,
                get(INSTANCE, "db-replica-1").inputs.identifier,
            ]);
            expect(events.eventCategories).toEqual([
                "availability",
                "failover",
                "failure",
                "low storage",
                "maintenance",
                "recovery",
            ]);
            expect(run.ofType("aws:rds/eventSubscription:EventSubscription")).toHaveLength(1);
        },
    );
});

describe("MonitoredDatabase options", () => {
    it("turns Enhanced Monitoring off at 0 without a role", async () => {
        const { run, instance } = await build({ monitoringIntervalSeconds: 0 });
        expect(instance.inputs.monitoringInterval).toBe(0);
        expect(instance.inputs.monitoringRoleArn).toBeUndefined();
        expect(run.ofType("aws:iam/role:Role")).toEqual([]);
        expect(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    });

    it("derives the parameter group family from a major.minor version and adds auto_explain on request", async () => {
        const { instance, get } = await build({ engineVersion: "16.6", autoExplain: true, slowQueryLogMs: 250 });
        expect(instance.inputs.engineVersion).toBe("16.6");
        const pg = get("aws:rds/parameterGroup:ParameterGroup", "db-params");
        expect(pg.inputs.family).toBe("postgres16");
        expect(pg.inputs.parameters).toEqual(
            expect.arrayContaining([
                {
                    name: "shared_preload_libraries",
                    value: "pg_stat_statements,auto_explain",
                    applyMethod: "pending-reboot",
                },
                { name: "log_min_duration_statement", value: "250", applyMethod: "immediate" },
                { name: "auto_explain.log_min_duration", value: "250", applyMethod: "immediate" },
            ]),
        );
    });

    it(
        "keeps a final snapshot when only deletion protection is on, and leaves autoscaling off when " +
            "max equals the allocation",
        async () => {
            const { instance } = await build(
                { deletionProtection: true, protect: false, allocatedStorageGb: 50, maxAllocatedStorageGb: 50 },
                { stack: "staging" },
            );
            expect([instance.inputs.skipFinalSnapshot, instance.inputs.finalSnapshotIdentifier]).toEqual([
                false,
                "db-staging-final-snapshot",
            ]);
            expect(instance.inputs.maxAllocatedStorage).toBeUndefined();
            expect(instance.protect).toBe(false);

            // Protected but without deletion protection: still snapshotted on the way out.
            const protectedOnly = await build({ deletionProtection: false, protect: true }, { stack: "staging" });
            expect([
                protectedOnly.instance.inputs.skipFinalSnapshot,
                protectedOnly.instance.inputs.finalSnapshotIdentifier,
            ]).toEqual([false, "db-staging-final-snapshot"]);
        },
    );

    it(
        "accepts Performance Insights on db.t4g.micro (AWS lists no class restriction for RDS for " +
            "PostgreSQL) and every valid retention",
        async () => {
            for (const days of [7, 31, 93, 713, 731]) {
                const { instance } = await build({
                    instanceClass: "db.t4g.micro",
                    performanceInsightsRetentionDays: days,
                });
                expect([
                    instance.inputs.performanceInsightsEnabled,
                    instance.inputs.performanceInsightsRetentionPeriod,
                ]).toEqual([true, days]);
            }
        },
    );

    it("accepts every Enhanced Monitoring interval RDS does", async () => {
        for (const seconds of [1, 5, 10, 15, 30, 60]) {
            const { instance } = await build({ monitoringIntervalSeconds: seconds });
            expect(instance.inputs.monitoringInterval).toBe(seconds);
        }
    });
});

describe("MonitoredDatabase arg errors", () => {
    it.each<[string, Partial<MonitoredDatabaseArgs>, string]>([
        [
            "interval 7",
            { monitoringIntervalSeconds: 7 },
            "MonitoredDatabase db: monitoringIntervalSeconds = 7 must be one of 0, 1, 5, 10, 15, 30, 60",
        ],
        [
            "retention 8",
            { performanceInsightsRetentionDays: 8 },
            "MonitoredDatabase db: performanceInsightsRetentionDays = 8 must be 7, 731 or a multiple of 31 (31..713)",
        ],
        [
            "retention 744",
            { performanceInsightsRetentionDays: 744 },
            "MonitoredDatabase db: performanceInsightsRetentionDays = 744 must be 7, 731 or a multiple of 31 (31..713)",
        ],
        [
            "backup retention 40",
            { backupRetentionDays: 40 },
            "MonitoredDatabase db: backupRetentionDays = 40 must be between 0 and 35 days",
        ],
        [
            "a previous-generation class with Performance Insights",
            { instanceClass: "db.t2.micro" },
            'MonitoredDatabase db: instanceClass = "db.t2.micro" is a previous-generation class ' +
                "that RDS for PostgreSQL 14+ does not offer; use a current class such as db.t4g.medium",
        ],
        [
            "a previous-generation class without Performance Insights",
            { instanceClass: "db.m3.large", performanceInsightsEnabled: false },
            'MonitoredDatabase db: instanceClass = "db.m3.large" is a previous-generation class ' +
                "that RDS for PostgreSQL 14+ does not offer; use a current class such as db.t4g.medium",
        ],
        [
            "an unknown class",
            { instanceClass: "db.q9.large" },
            'MonitoredDatabase db: instanceClass = "db.q9.large" is not an RDS instance class this ' +
                "stack can size alarms for: use a current class such as db.t4g.medium or db.r6g.large " +
                "(families: t3, t4g, m5, m5d, m6g, m6gd, m6i, m6id, m6idn, m6in, m7g, m7i, m8g, r5, r5b, " +
                "r5d, r6g, r6gd, r6i, r6id, r6idn, r6in, r7g, r7i, r8g, x2g), or add its family to " +
                "components/database/instance-classes.ts",
        ],
        [
            "replicas without backups",
            { readReplicas: 1, backupRetentionDays: 0 },
            "MonitoredDatabase db: readReplicas = 1 needs backupRetentionDays > 0 (RDS only " +
                "replicates instances with automated backups)",
        ],
        [
            "storage ceiling below the allocation",
            { allocatedStorageGb: 100, maxAllocatedStorageGb: 50 },
            "MonitoredDatabase db: maxAllocatedStorageGb = 50 must be >= allocatedStorageGb (100)",
        ],
        [
            "an engine version",
            { engineVersion: "postgres17" },
            'MonitoredDatabase db: engineVersion = "postgres17" must be a PostgreSQL major ("17") ' +
                'or major.minor ("16.6") version, 14 or later (RDS ended standard support for 13 and ' +
                "older)",
        ],
        [
            "no clients",
            { clientSecurityGroupIds: [] },
            "MonitoredDatabase db: clientSecurityGroupIds is empty: list the security group of " +
                "every client (the service's tasks), or nothing can connect",
        ],
        [
            "overlapping windows",
            { backupWindow: "04:00-05:00" },
            'MonitoredDatabase db: maintenanceWindow = "sun:04:30-sun:05:30" overlaps backupWindow ' +
                '= "04:00-05:00"; RDS requires them to be disjoint',
        ],
        [
            "a backup window crossing midnight into the maintenance window",
            { backupWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" },
            'MonitoredDatabase db: maintenanceWindow = "mon:00:00-mon:01:00" overlaps backupWindow ' +
                '= "23:30-00:30"; RDS requires them to be disjoint',
        ],
    ])("rejects %s with one line naming the arg, the value and what is allowed", async (_what, extra, message) => {
        expect(await errorOf(extra)).toBe(message);
    });

    it("accepts the boundaries", async () => {
        for (const backupRetentionDays of [0, 35]) {
            const { instance } = await build({ backupRetentionDays });
            expect(instance.inputs.backupRetentionPeriod).toBe(backupRetentionDays);
        }
        const { instance } = await build({ backupWindow: "23:30-00:30", maintenanceWindow: "mon:00:30-mon:01:00" });
        expect([instance.inputs.backupWindow, instance.inputs.maintenanceWindow]).toEqual([
            "23:30-00:30",
            "mon:00:30-mon:01:00",
        ]);
    });
});

describe("instance-class table", () => {
    it("knows the memory of the classes the stacks use", () => {
        expect(
            ["db.t4g.micro", "db.t4g.medium", "db.r6g.large", "db.m7g.12xlarge", "db.x2g.xlarge"].map(
                (c) => describeInstanceClass(c)?.memoryGib,
            ),
        ).toEqual([1, 4, 16, 192, 64]);
        expect(describeInstanceClass("db.r6g.metal")).toBeUndefined();
        expect(describeInstanceClass("r6g.large")).toBeUndefined();
    });

    it("estimates max_connections at or just below what RDS for PostgreSQL reports, capped at 5000", () => {
        // Values RDS reports with the default LEAST({DBInstanceClassMemory/9531392}, 5000).
        const observed: Array<[string, number]> = [
            ["db.t3.small", 198],
            ["db.t3.medium", 413],
            ["db.m5.large", 856],
            ["db.r3.large", 1660],
        ];
        for (const [cls, reported] of observed) {
            const estimate = estimateMaxConnections(describeInstanceClass(cls)!);
            expect(estimate).toBeLessThanOrEqual(reported);
            expect(estimate).toBeGreaterThanOrEqual(Math.floor(reported * 0.93));
        }
        expect(estimateMaxConnections(describeInstanceClass("db.r6g.large")!)).toBe(1694);
        expect(estimateMaxConnections(describeInstanceClass("db.t4g.micro")!)).toBe(73);
        expect(estimateMaxConnections(describeInstanceClass("db.r6g.8xlarge")!)).toBe(5000);
    });
});
