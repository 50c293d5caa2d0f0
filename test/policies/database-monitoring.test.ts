/**
 * Database-monitoring rules, through the pack running in its own process over gRPC.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyPackProcess } from "../../tools/analyzer";
import { analyze, changed, compliantStack, expectViolations, openPack, T, UNKNOWN } from "./fixtures";

const DB = `${T.db} "database"`;

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
    expect(await analyze(pack, compliantStack())).toEqual([]);
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
        const strict = await openPack({ "database-performance-insights": { properties: { minRetentionDays: 31 } } });
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

    it("lets a read replica inherit its source's encryption", async () => {
        const stack = db((d) => {
            delete d.storageEncrypted;
            d.replicateSourceDb = UNKNOWN;
        });
        // A replica also needs its own alarms (ReplicaLag too): alarm-coverage asks for them.
        expect((await analyze(pack, stack)).filter((d) => d.policyName !== "alarm-coverage")).toEqual([]);
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
