/**
 * The MonitoredDatabase's settings, declared once: the stack reads them as
 * `credlink:database.*`, the component validates its args with the same schemas
 * and defaults. Limits are what RDS for PostgreSQL accepts; the monitoring floor
 * the SLOs need (1-second Enhanced Monitoring, 7 days of Performance Insights) is
 * the policy pack's job.
 */
import { z } from "zod";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../policies/aws/cloudwatch";
import { flag, group, matching, oneOf, setting, type ValuesOfGroup, wholeNumber } from "../../lib/settings";
import { isPerformanceInsightsRetention, RDS_MONITORING_INTERVALS } from "../../policies/aws/rds";
import { DATABASE, SLO } from "../../policies/slo";
import { describeInstanceClass, INSTANCE_FAMILIES } from "./instance-classes";
import { windowsProblem } from "./windows";

/** Read replicas per source instance: RDS for PostgreSQL's limit. */
const MAX_READ_REPLICAS = 15;
/** PostgreSQL user names that RDS will not create. */
const RESERVED_USERS = ["rdsadmin", "rdsrepladmin", "rds_superuser", "postgres_fdw"];
/** `ddd:hh:mm` in a maintenance window. */
const DAY_TIME = "(mon|tue|wed|thu|fri|sat|sun):([01]\\d|2[0-3]):[0-5]\\d";
const POSTGRES_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const IDENTIFIER_RULE =
    'must be 1..63 lower-case letters, digits or hyphens, start with a letter, and have no "--" or trailing hyphen';
/** An RDS instance identifier. */
export const IDENTIFIER = matching(/^[a-z](?!.*--)[a-z0-9-]{0,62}$/, IDENTIFIER_RULE).refine((v) => !v.endsWith("-"), {
    error: IDENTIFIER_RULE,
});

const CURRENT_FAMILIES = Object.keys(INSTANCE_FAMILIES)
    .filter((f) => INSTANCE_FAMILIES[f].current)
    .join(", ");

const instanceClass = z
    .string({ error: "must be an RDS instance class such as db.r6g.large" })
    .superRefine((v, ctx) => {
        const info = describeInstanceClass(v);
        if (!info) {
            ctx.addIssue({
                code: "custom",
                message:
                    "is not an RDS instance class this stack can size alarms for: use a current class such as " +
                    `db.t4g.medium or db.r6g.large (families: ${CURRENT_FAMILIES}), ` +
                    "or add its family to components/database/instance-classes.ts",
            });
        } else if (!info.current) {
            ctx.addIssue({
                code: "custom",
                message:
                    "is a previous-generation class that RDS for PostgreSQL 14+ does not offer; use " +
                    "a current class such as db.t4g.medium",
            });
        }
    });

const piRetention = z
    .number({ error: "must be 7, 731 or a multiple of 31 (31..713)" })
    .refine(isPerformanceInsightsRetention, { error: "must be 7, 731 or a multiple of 31 (31..713)" });

export const DATABASE_SETTINGS = group(
    {
        engineVersion: setting(
            "string",
            'PostgreSQL major ("17": RDS picks the newest minor and auto minor upgrades keep it ' +
                'current) or major.minor ("16.6") version, 14 or later.',
            z
                .string({ error: 'must be a PostgreSQL version string such as "17" or "16.6"' })
                .refine((v) => /^(\d+)(\.\d+)?$/.test(v) && Number(v.split(".")[0]) >= 14, {
                    error:
                        'must be a PostgreSQL major ("17") or major.minor ("16.6") version, 14 ' +
                        "or later (RDS ended standard support for 13 and older)",
                }),
            { default: "17" },
        ),
        instanceClass: setting(
            "string",
            "RDS instance class; its family must be in components/database/instance-classes.ts " +
                "(alarms are sized from its memory).",
            instanceClass,
            {
                default: "db.t4g.medium",
            },
        ),
        allocatedStorageGb: setting("integer", "Initial gp3 storage, GiB.", wholeNumber(20, 65536, " GiB"), {
            default: 20,
        }),
        maxAllocatedStorageGb: setting(
            "integer",
            "Storage autoscaling ceiling, GiB (>= allocatedStorageGb; equal turns autoscaling off).",
            wholeNumber(20, 65536, " GiB"),
            { default: 100 },
        ),
        multiAz: setting("boolean", "Run a synchronous standby in a second AZ.", flag, { default: true }),
        monitoringIntervalSeconds: setting(
            "integer",
            "Enhanced Monitoring interval, seconds (0 turns it off).",
            oneOf(RDS_MONITORING_INTERVALS),
            { default: DATABASE.enhancedMonitoringIntervalSeconds },
        ),
        performanceInsightsEnabled: setting(
            "boolean",
            "Turn on Performance Insights (KMS-encrypted with a key of its own).",
            flag,
            { default: true },
        ),
        performanceInsightsRetentionDays: setting(
            "integer",
            "Performance Insights retention, days: 7 (free tier), 731, or a multiple of 31.",
            piRetention,
            {
                default: DATABASE.performanceInsightsRetentionDays,
            },
        ),
        backupRetentionDays: setting(
            "integer",
            "Automated backup retention, days (0 turns backups off).",
            wholeNumber(0, 35, " days"),
            { default: 7 },
        ),
        deletionProtection: setting("boolean", "RDS deletion protection.", flag, { default: true }),
        readReplicas: setting(
            "integer",
            "Read replicas, each with the primary's monitoring, Performance Insights and alarms (plus ReplicaLag).",
            wholeNumber(0, MAX_READ_REPLICAS),
            { default: 0 },
        ),
        rdsProxy: setting(
            "boolean",
            "Put an RDS Proxy (connection pooling, TLS required) in front of the primary.",
            flag,
            { default: false },
        ),
        databaseName: setting(
            "string",
            "Database created on the instance.",
            matching(POSTGRES_NAME, "must be 1..63 lower-case letters, digits or underscores, starting with a letter"),
            {
                default: "credlink",
            },
        ),
        masterUsername: setting(
            "string",
            "Master user; RDS generates its password and keeps it in Secrets Manager.",
            matching(
                POSTGRES_NAME,
                "must be 1..63 lower-case letters, digits or underscores, starting with a letter",
            ).refine((v) => !RESERVED_USERS.includes(v), {
                error: `must not be one of ${RESERVED_USERS.join(", ")} (reserved by RDS)`,
            }),
            { default: "credlink_admin" },
        ),
        identifier: setting("string", "RDS instance identifier. Default: <component name>-<stack>.", IDENTIFIER),
        slowQueryLogMs: setting(
            "integer",
            "Statements slower than this are logged (log_min_duration_statement), milliseconds.",
            wholeNumber(0, 2_147_483_647, " ms"),
            { default: SLO.latencyP95Ms },
        ),
        autoExplain: setting("boolean", "Load auto_explain and log the plans of slow statements.", flag, {
            default: false,
        }),
        logRetentionDays: setting(
            "integer",
            "Retention of the exported postgresql/upgrade log groups, days.",
            oneOf(CLOUDWATCH_LOG_RETENTION_DAYS, "a CloudWatch Logs retention:"),
            { default: 30 },
        ),
        backupWindow: setting(
            "string",
            'Daily backup window, UTC "hh:mm-hh:mm" (at least 30 minutes).',
            matching(
                /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
                'must be "hh:mm-hh:mm" in UTC, e.g. "03:00-04:00"',
            ),
            {
                default: "03:00-04:00",
            },
        ),
        maintenanceWindow: setting(
            "string",
            'Weekly maintenance window, UTC "ddd:hh:mm-ddd:hh:mm"; must not overlap the backup window.',
            matching(
                new RegExp(`^${DAY_TIME}-${DAY_TIME}$`),
                'must be "ddd:hh:mm-ddd:hh:mm" in UTC, e.g. "sun:04:30-sun:05:30"',
            ),
            { default: "sun:04:30-sun:05:30" },
        ),
    },
    {
        rules: [
            (v, at) =>
                v.allocatedStorageGb === undefined ||
                v.maxAllocatedStorageGb === undefined ||
                v.maxAllocatedStorageGb >= v.allocatedStorageGb
                    ? undefined
                    : `${at("maxAllocatedStorageGb")} = ${v.maxAllocatedStorageGb} must be >= ` +
                      `${at("allocatedStorageGb")} (${v.allocatedStorageGb})`,
            (v, at) =>
                !v.readReplicas || v.backupRetentionDays === undefined || v.backupRetentionDays > 0
                    ? undefined
                    : `${at("readReplicas")} = ${v.readReplicas} needs ${at("backupRetentionDays")} ` +
                      `> 0 (RDS only replicates instances with automated backups)`,
            (v, at) =>
                // Replicas are named <identifier>-replica-<n>; that must fit in 63 characters too.
                !v.readReplicas ||
                v.identifier === undefined ||
                v.identifier.length + `-replica-${v.readReplicas}`.length <= 63
                    ? undefined
                    : `${at("identifier")} = ${JSON.stringify(v.identifier)} is too long for ` +
                      `replica names (<identifier>-replica-${v.readReplicas} must be <= 63 ` +
                      `characters)`,
            (v, at) =>
                v.backupWindow === undefined || v.maintenanceWindow === undefined
                    ? undefined
                    : windowsProblem(v.backupWindow, v.maintenanceWindow, at),
        ],
    },
);

export type DatabaseSettingValues = ValuesOfGroup<typeof DATABASE_SETTINGS>;
