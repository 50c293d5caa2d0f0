/** RDS: Enhanced Monitoring, Performance Insights, Multi-AZ, deletion protection. */
import type { DBInstance } from "@aws-sdk/client-rds";
import type { CheckContext } from "./context";
import { yesNo } from "./context";

const AREA = "RDS";

/** `db` comes from the locate step (see service.ts), which already asked RDS for the instance. */
export function checkDatabase(ctx: CheckContext, db: DBInstance | undefined, lookupProblem: string | undefined): void {
    const { outputs, expected, rec } = ctx;
    const want = expected.database;
    if (!db) {
        rec.expect(
            AREA,
            `instance ${outputs.dbInstanceIdentifier}`,
            false,
            lookupProblem ?? "not found",
            `an instance in ${outputs.region}`,
        );
        return;
    }
    if (db.DBInstanceStatus === "available") rec.pass(AREA, `instance ${outputs.dbInstanceIdentifier}`, "available");
    else
        rec.add({
            area: AREA,
            name: `instance ${outputs.dbInstanceIdentifier}`,
            status: "warn",
            found: db.DBInstanceStatus ?? "unknown",
            expected: "available",
            note: "settings below may still be applying",
        });

    const interval = db.MonitoringInterval ?? 0;
    const roleOk =
        want.monitoringIntervalSeconds === 0 || /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(db.MonitoringRoleArn ?? "");
    rec.expect(
        AREA,
        "Enhanced Monitoring",
        interval === want.monitoringIntervalSeconds && roleOk,
        interval === 0 ? "off" : `every ${interval} s, role ${db.MonitoringRoleArn ?? "none"}`,
        want.monitoringIntervalSeconds === 0
            ? "off"
            : `every ${want.monitoringIntervalSeconds} s with a monitoring role`,
    );

    const pi = db.PerformanceInsightsEnabled === true;
    rec.expect(
        AREA,
        "Performance Insights",
        pi === want.performanceInsightsEnabled &&
            (!pi || db.PerformanceInsightsRetentionPeriod === want.performanceInsightsRetentionDays),
        pi ? `on, ${db.PerformanceInsightsRetentionPeriod ?? "unknown"} days retention` : "off",
        want.performanceInsightsEnabled ? `on, ${want.performanceInsightsRetentionDays} days retention` : "off",
    );
    rec.expect(AREA, "Multi-AZ", (db.MultiAZ === true) === want.multiAz, yesNo(db.MultiAZ), yesNo(want.multiAz));
    rec.expect(
        AREA,
        "deletion protection",
        (db.DeletionProtection === true) === want.deletionProtection,
        yesNo(db.DeletionProtection),
        yesNo(want.deletionProtection),
    );
    rec.expect(
        AREA,
        "instance class",
        db.DBInstanceClass === want.instanceClass,
        db.DBInstanceClass ?? "unknown",
        want.instanceClass,
    );
    rec.expect(
        AREA,
        "backup retention",
        db.BackupRetentionPeriod === want.backupRetentionDays,
        `${db.BackupRetentionPeriod ?? "unknown"} days`,
        `${want.backupRetentionDays} days`,
    );
}
