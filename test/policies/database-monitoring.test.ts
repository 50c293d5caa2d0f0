/**
 * Database-monitoring rules, through the pack running in its own process over gRPC.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import type { Diagnostic } from "../../tools/analyzer";
import {
    advisory,
    analyze,
    changed,
    compliantStack,
    expectCompliant,
    expectViolations,
    mandatory,
    openPack,
    resource,
    T,
    TEST_CONFIG,
    UNKNOWN,
    urnOf,
} from "./fixtures";

const DB = `${T.db} "database"`;
const PRIMARY = urnOf(T.db, "database");
const ROLE = urnOf("aws:iam/role:Role", "database-monitoring");

let pack: PolicyPackProcess;
beforeAll(async () => {
    pack = await openPack();
});
afterAll(async () => {
    await pack?.close();
});

// Plain inputs: the changes include an UNKNOWN where a number belongs.
const db = (fn: (d: Record<string, unknown>) => void) => changed(compliantStack(), T.db, "database", fn);

it("reports nothing for the compliant stack (the monitoring role's ARN may be unknown at preview)", async () => {
    expectCompliant(await analyze(pack, compliantStack()));
});

describe("database-enhanced-monitoring", () => {
    it("rejects 60-second monitoring where 1 second is required", async () => {
        expectViolations(
            await analyze(
                pack,
                db((d) => (d.monitoringInterval = 60)),
            ),
            "database-enhanced-monitoring",
            [
                {
                    resource: DB,
                    property: "monitoringInterval",
                    found: "60",
                    allowed: "1 s",
                    fix: "credlink:database.monitoringIntervalSeconds to 1",
                },
            ],
        );
    });

    it("rejects monitoring that is off and a missing role", async () => {
        const stack = db((d) => {
            delete d.monitoringInterval;
            delete d.monitoringRoleArn;
        });
        expectViolations(await analyze(pack, stack), "database-enhanced-monitoring", [
            {
                resource: DB,
                property: "monitoringInterval",
                found: "not set (0: Enhanced Monitoring off)",
                allowed: "1 s",
            },
            {
                resource: DB,
                property: "monitoringRoleArn",
                found: "not set",
                allowed: "the ARN of a role trusted by monitoring.rds.amazonaws.com",
            },
        ]);
    });

    it("rejects an empty monitoring role ARN", async () => {
        const stack = db((d) => {
            d.monitoringRoleArn = "";
        });
        expectViolations(await analyze(pack, stack), "database-enhanced-monitoring", [
            {
                resource: DB,
                property: "monitoringRoleArn",
                found: '""',
                allowed: "the ARN of a role trusted by monitoring.rds.amazonaws.com",
            },
        ]);
    });

    it("rejects an interval that is unknown at preview instead of skipping the rule", async () => {
        const ds = await analyze(
            pack,
            db((d) => (d.monitoringInterval = UNKNOWN)),
        );
        expectViolations(ds, "database-enhanced-monitoring", [
            { resource: DB, property: "monitoringInterval", found: "unknown at preview", allowed: "a literal value" },
        ]);
        expect(ds.some((d) => d.message.includes("can't run policy"))).toBe(false);
    });
});

describe("database-performance-insights", () => {
    it("rejects Performance Insights turned off", async () => {
        expectViolations(
            await analyze(
                pack,
                db((d) => (d.performanceInsightsEnabled = false)),
            ),
            "database-performance-insights",
            [
                {
                    resource: DB,
                    property: "performanceInsightsEnabled",
                    found: "false",
                    allowed: "true",
                    fix: "credlink:database.performanceInsightsEnabled",
                },
            ],
        );
    });

    it("rejects a retention below the minimum once configured to 31 days", async () => {
        const strict = await openPack({
            ...TEST_CONFIG,
            "database-performance-insights": { properties: { minRetentionDays: 31 } },
        });
        try {
            expectViolations(await analyze(strict, compliantStack()), "database-performance-insights", [
                {
                    resource: DB,
                    property: "performanceInsightsRetentionPeriod",
                    found: "7 days",
                    allowed: "at least 31 days",
                },
            ]);
        } finally {
            await strict.close();
        }
    });
});

describe("database-storage-encrypted", () => {
    it("rejects unencrypted storage", async () => {
        expectViolations(
            await analyze(
                pack,
                db((d) => delete d.storageEncrypted),
            ),
            "database-storage-encrypted",
            [{ resource: DB, property: "storageEncrypted", found: "not set (RDS default: false)", allowed: "true" }],
        );
    });

    const replica = (name: string, source: unknown, sourceDeps: string[], extra: Record<string, unknown> = {}) =>
        resource(
            T.db,
            name,
            {
                identifier: `${name}-test`,
                instanceClass: "db.r6g.large",
                replicateSourceDb: source,
                publiclyAccessible: false,
                monitoringInterval: 1,
                monitoringRoleArn: UNKNOWN,
                performanceInsightsEnabled: true,
                ...extra,
            },
            { propertyDependencies: { replicateSourceDb: sourceDeps, monitoringRoleArn: [ROLE] } },
        );
    const onlyEncryption = (ds: readonly Diagnostic[]) =>
        mandatory(ds)
            .filter((d) => d.policyName === "database-storage-encrypted")
            .map((d) => d.message.split("\n")[1]);

    it("lets a read replica built from its source's identifier inherit the source's encryption", async () => {
        const ds = await analyze(pack, [...compliantStack(), replica("replica-1", "database-test", [PRIMARY])]);
        expect(onlyEncryption(ds)).toEqual([]);
    });

    it("rejects a replica of a source outside the stack (a literal identifier: its encryption is unseen)", async () => {
        const ds = await analyze(pack, [...compliantStack(), replica("replica-1", "legacy-reporting-db", [])]);
        expect(onlyEncryption(ds)).toEqual([
            expect.stringContaining(
                `${T.db} "replica-1": replicateSourceDb = "legacy-reporting-db", not one instance of this stack it ` +
                    `is built from; allowed: the identifier of an encrypted instance of this stack`,
            ),
        ]);
    });

    it("rejects a replica whose literal source names another instance than the one it is built from", async () => {
        const ds = await analyze(pack, [...compliantStack(), replica("replica-1", "legacy-reporting-db", [PRIMARY])]);
        expect(onlyEncryption(ds)).toEqual([expect.stringContaining(`${T.db} "replica-1": replicateSourceDb = `)]);
    });

    it("rejects a replica of an unencrypted source", async () => {
        const stack = [...db((d) => delete d.storageEncrypted), replica("replica-1", "database-test", [PRIMARY])];
        expect(onlyEncryption(await analyze(pack, stack))).toEqual([
            expect.stringContaining(`${DB}: storageEncrypted = not set`),
            expect.stringContaining(
                `${T.db} "replica-1": replicateSourceDb = "database-test": source ${DB} has storageEncrypted not set`,
            ),
        ]);
    });

    it('does not let an empty replicateSourceDb ("") pass an unencrypted instance as a replica', async () => {
        const stack = db((d) => {
            delete d.storageEncrypted;
            d.replicateSourceDb = "";
        });
        expectViolations(await analyze(pack, stack), "database-storage-encrypted", [
            { resource: DB, property: "storageEncrypted", found: "not set (RDS default: false)", allowed: "true" },
        ]);
    });
});

describe("Aurora and Multi-AZ DB clusters, checked where RDS sets each concern", () => {
    const CLUSTER = "aws:rds/cluster:Cluster";
    const MEMBER = "aws:rds/clusterInstance:ClusterInstance";
    const monitoring = {
        monitoringInterval: 1,
        monitoringRoleArn: UNKNOWN,
        performanceInsightsEnabled: true,
        performanceInsightsRetentionPeriod: 7,
    };
    const aurora = (inputs: Record<string, unknown> = {}) =>
        resource(CLUSTER, "aurora", {
            engine: "aurora-postgresql",
            clusterIdentifier: "aurora-test",
            storageEncrypted: true,
            kmsKeyId: UNKNOWN,
            dbSubnetGroupName: "aurora-subnets",
            ...inputs,
        });
    const member = (name: string, inputs: Record<string, unknown> = {}, clusters = [urnOf(CLUSTER, "aurora")]) =>
        resource(
            MEMBER,
            name,
            { engine: "aurora-postgresql", instanceClass: "db.r6g.large", clusterIdentifier: UNKNOWN, ...inputs },
            { propertyDependencies: { clusterIdentifier: clusters } },
        );
    const [EM, PI] = ["database-enhanced-monitoring", "database-performance-insights"];
    const OFF = "monitoringInterval = not set (0: Enhanced Monitoring off)";
    const NO_PI = "performanceInsightsEnabled = not set (RDS default: false)";
    const dbFindings = (ds: readonly Diagnostic[]) =>
        mandatory(ds)
            .filter((d) => d.policyName.startsWith("database-"))
            .map((d) => `${d.policyName}: ${d.message.split("\n")[1].split("; allowed")[0]}`);

    it("accepts an encrypted Aurora cluster whose instances carry monitoring and Performance Insights", async () => {
        const ds = await analyze(pack, [
            ...compliantStack(),
            aurora(),
            member("aurora-1", monitoring),
            member("aurora-2", monitoring),
        ]);
        expect(dbFindings(ds)).toEqual([]);
    });

    it("accepts monitoring and Performance Insights set once on the Aurora cluster", async () => {
        const ds = await analyze(pack, [...compliantStack(), aurora(monitoring), member("aurora-1")]);
        expect(dbFindings(ds)).toEqual([]);
    });

    it("rejects an Aurora instance without them when its cluster has none either", async () => {
        const ds = await analyze(pack, [
            ...compliantStack(),
            aurora(),
            member("aurora-1", monitoring),
            member("aurora-2"),
        ]);
        expect(dbFindings(ds)).toEqual([
            `${EM}: ${MEMBER} "aurora-2": ${OFF}`,
            `${EM}: ${MEMBER} "aurora-2": monitoringRoleArn = not set`,
            `${PI}: ${MEMBER} "aurora-2": ${NO_PI}`,
        ]);
    });

    it("judges an instance on its own when its cluster link is ambiguous (built from two clusters)", async () => {
        const decoy = resource(CLUSTER, "decoy", {
            engine: "aurora-postgresql",
            clusterIdentifier: "decoy",
            storageEncrypted: true,
            dbSubnetGroupName: "aurora-subnets",
            ...monitoring,
        });
        const ds = await analyze(pack, [
            ...compliantStack(),
            aurora(monitoring),
            decoy,
            member("aurora-1", {}, [urnOf(CLUSTER, "aurora"), urnOf(CLUSTER, "decoy")]),
        ]);
        expect(dbFindings(ds)).toEqual([
            `${EM}: ${MEMBER} "aurora-1": ${OFF}`,
            `${EM}: ${MEMBER} "aurora-1": monitoringRoleArn = not set`,
            `${PI}: ${MEMBER} "aurora-1": ${NO_PI}`,
        ]);
    });

    it("rejects an unencrypted Aurora cluster, a public instance, a cluster without monitoring", async () => {
        const ds = await analyze(pack, [
            ...compliantStack(),
            aurora({ storageEncrypted: false }),
            member("aurora-1", { ...monitoring, publiclyAccessible: true }),
            resource(CLUSTER, "empty", {
                engine: "aurora-mysql",
                storageEncrypted: true,
                dbSubnetGroupName: "aurora-subnets",
            }),
        ]);
        // Resource rules report during `analyze`, stack rules after every resource.
        expect(dbFindings(ds)).toEqual([
            `database-not-public: ${MEMBER} "aurora-1": publiclyAccessible = true`,
            `${EM}: ${CLUSTER} "empty": ${OFF}`,
            `${EM}: ${CLUSTER} "empty": monitoringRoleArn = not set`,
            `${PI}: ${CLUSTER} "empty": ${NO_PI}`,
            `database-storage-encrypted: ${CLUSTER} "aurora": storageEncrypted = false`,
        ]);
    });

    it("holds a Multi-AZ DB cluster to all four on the cluster itself", async () => {
        const multiAz = (inputs: Record<string, unknown>) =>
            resource(CLUSTER, "multi-az", {
                engine: "postgres",
                dbClusterInstanceClass: "db.r6gd.large",
                allocatedStorage: 100,
                storageType: "io1",
                iops: 1000,
                ...inputs,
            });
        expect(
            dbFindings(
                await analyze(pack, [
                    ...compliantStack(),
                    multiAz({ storageEncrypted: true, dbSubnetGroupName: "private-subnets", ...monitoring }),
                ]),
            ),
        ).toEqual([]);
        expect(dbFindings(await analyze(pack, [...compliantStack(), multiAz({})]))).toEqual([
            `database-not-public: ${CLUSTER} "multi-az": dbSubnetGroupName = not set (RDS then makes a Multi-AZ DB ` +
                `cluster public when the VPC allows)`,
            `${EM}: ${CLUSTER} "multi-az": ${OFF}`,
            `${EM}: ${CLUSTER} "multi-az": monitoringRoleArn = not set`,
            `${PI}: ${CLUSTER} "multi-az": ${NO_PI}`,
            `database-storage-encrypted: ${CLUSTER} "multi-az": storageEncrypted = not set (RDS default: false)`,
        ]);
    });

    it("waives one cluster instance from one rule, with a reason and an expiry", async () => {
        const waived = await openPack({
            ...TEST_CONFIG,
            waivers: {
                properties: {
                    waivers: [
                        {
                            rule: "database-performance-insights",
                            name: "aurora-2",
                            type: MEMBER,
                            reason: "reporting replica, Performance Insights cost approved in FIN-7",
                            expires: "2999-01-01",
                        },
                    ],
                },
            },
        });
        try {
            const ds = await analyze(waived, [
                ...compliantStack(),
                aurora(),
                member("aurora-1", monitoring),
                member("aurora-2", { monitoringInterval: 1, monitoringRoleArn: UNKNOWN }),
            ]);
            expect(dbFindings(ds)).toEqual([]);
            expect(advisory(ds).map((d) => d.message.split("\n")[1])).toContainEqual(
                expect.stringMatching(/^WAIVED until 2999-01-01 \(reporting replica.*ClusterInstance "aurora-2"/),
            );
        } finally {
            await waived.close();
        }
    });
});

describe("database-not-public", () => {
    it("rejects a publicly accessible instance", async () => {
        expectViolations(
            await analyze(
                pack,
                db((d) => (d.publiclyAccessible = true)),
            ),
            "database-not-public",
            [{ resource: DB, property: "publiclyAccessible", found: "true", allowed: "false (or not set)" }],
        );
    });
});
