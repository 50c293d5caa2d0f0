/**
 * Database-monitoring rules for RDS instances: Enhanced Monitoring at the
 * configured granularity with a role, Performance Insights with enough
 * retention, encrypted storage, no public endpoint.
 */
import { literalRequired, resourcePolicy } from "./rule";
import { RDS_MONITORING_INTERVALS } from "./aws/rds";
import { DATABASE } from "./slo";
import { type RdsInstanceProps, TYPES } from "./types";
import { readBoolean, readNumber, readString, show, valueOr } from "./values";

/** The Enhanced Monitoring intervals that turn it on, seconds. */
const MONITORING_INTERVALS = RDS_MONITORING_INTERVALS.filter((i) => i > 0);

export const enhancedMonitoring = resourcePolicy<{ maxIntervalSeconds: number }>({
    id: "database-enhanced-monitoring",
    description: "RDS instances have Enhanced Monitoring at or below the configured interval, with a monitoring role.",
    severity: "medium",
    remediationSteps:
        "Set credlink:database.monitoringIntervalSeconds to the configured interval (1 s in " +
        "production) and give the instance a monitoringRoleArn trusted by " +
        "monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole.",
    types: [TYPES.rdsInstance],
    config: {
        maxIntervalSeconds: {
            type: "integer",
            enum: MONITORING_INTERVALS,
            description: "Coarsest allowed Enhanced Monitoring interval, seconds.",
            default: DATABASE.enhancedMonitoringIntervalSeconds,
        },
    },
    check(r, config, report) {
        const db = r.props as RdsInstanceProps;
        const interval = readNumber(db.monitoringInterval);
        const allowed = `${MONITORING_INTERVALS.filter((i) => i <= config.maxIntervalSeconds).join(", ")} s`;
        const value = valueOr(interval, 0);
        if (value === undefined)
            report(
                r,
                literalRequired("monitoringInterval", interval, "set credlink:database.monitoringIntervalSeconds"),
            );
        else if (value === 0 || value > config.maxIntervalSeconds || !MONITORING_INTERVALS.includes(value)) {
            report(r, {
                property: "monitoringInterval",
                found: show(interval, "not set (0: Enhanced Monitoring off)"),
                allowed,
                fix: `set credlink:database.monitoringIntervalSeconds to ${config.maxIntervalSeconds}`,
            });
        }
        const role = readString(db.monitoringRoleArn);
        // An empty ARN is no role: RDS would reject the instance at creation.
        if (role.state === "absent" || (role.state === "known" && role.value === "")) {
            report(r, {
                property: "monitoringRoleArn",
                found: role.state === "absent" ? "not set" : '""',
                allowed: "the ARN of a role trusted by monitoring.rds.amazonaws.com (an output is fine)",
                fix: "create the Enhanced Monitoring role and pass its ARN as monitoringRoleArn",
            });
        }
    },
});

export const performanceInsights = resourcePolicy<{ minRetentionDays: number }>({
    id: "database-performance-insights",
    description: "RDS instances have Performance Insights on, retained for at least the configured number of days.",
    severity: "medium",
    remediationSteps:
        "Set credlink:database.performanceInsightsEnabled to true and " +
        "credlink:database.performanceInsightsRetentionDays to 7 (free tier) or more.",
    types: [TYPES.rdsInstance],
    config: {
        minRetentionDays: { type: "integer", minimum: 7, default: DATABASE.performanceInsightsRetentionDays },
    },
    check(r, config, report) {
        const db = r.props as RdsInstanceProps;
        const enabled = readBoolean(db.performanceInsightsEnabled);
        if (enabled.state !== "known" || !enabled.value) {
            report(r, {
                property: "performanceInsightsEnabled",
                found: show(enabled, "not set (RDS default: false)"),
                allowed: "true",
                fix: "set credlink:database.performanceInsightsEnabled to true",
            });
            return;
        }
        const retention = readNumber(db.performanceInsightsRetentionPeriod);
        const days = valueOr(retention, 7); // RDS keeps 7 days when none is given
        if (days === undefined)
            report(
                r,
                literalRequired(
                    "performanceInsightsRetentionPeriod",
                    retention,
                    "set credlink:database.performanceInsightsRetentionDays",
                ),
            );
        else if (days < config.minRetentionDays) {
            report(r, {
                property: "performanceInsightsRetentionPeriod",
                found: `${days} days`,
                allowed: `at least ${config.minRetentionDays} days`,
                fix: `set credlink:database.performanceInsightsRetentionDays to ${config.minRetentionDays} or more`,
            });
        }
    },
});

export const storageEncrypted = resourcePolicy<Record<string, never>>({
    id: "database-storage-encrypted",
    description: "RDS instances encrypt their storage (read replicas inherit the source's encryption).",
    severity: "critical",
    remediationSteps:
        "Set storageEncrypted: true (with a KMS key) on the instance; encryption cannot be turned " +
        "on later without a snapshot restore.",
    types: [TYPES.rdsInstance],
    check(r, _config, report) {
        const db = r.props as RdsInstanceProps;
        if (readString(db.replicateSourceDb).state !== "absent") return;
        const enc = readBoolean(db.storageEncrypted);
        if (enc.state === "known" && enc.value) return;
        report(r, {
            property: "storageEncrypted",
            found: show(enc, "not set (RDS default: false)"),
            allowed: "true",
            fix: "set storageEncrypted: true and kmsKeyId on the instance",
        });
    },
});

export const notPublic = resourcePolicy<Record<string, never>>({
    id: "database-not-public",
    description: "RDS instances are not publicly accessible.",
    severity: "critical",
    remediationSteps:
        "Set publiclyAccessible: false and place the instance in private subnets; reach it from the " +
        "service's security group only.",
    types: [TYPES.rdsInstance],
    check(r, _config, report) {
        const pub = readBoolean((r.props as RdsInstanceProps).publiclyAccessible);
        if (pub.state === "absent" || (pub.state === "known" && !pub.value)) return;
        report(r, {
            property: "publiclyAccessible",
            found: show(pub),
            allowed: "false (or not set)",
            fix: "set publiclyAccessible: false",
        });
    },
});

export const databaseMonitoringPolicies = [enhancedMonitoring, performanceInsights, storageEncrypted, notPublic];
