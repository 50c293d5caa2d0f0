import type * as pulumi from "@pulumi/pulumi";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../policies/aws/cloudwatch";
import { DATABASE, SLO } from "../../policies/slo";
import { describeInstanceClass, type InstanceClassInfo } from "./instance-classes";

export interface MonitoredDatabaseArgs {
    /** VPC the database and its security groups live in. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs) for the DB subnet group and the RDS Proxy. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed to connect on 5432 (the ECS tasks'); nothing else is. At least one. */
    readonly clientSecurityGroupIds: pulumi.Input<string>[];
    /** SNS topic every alarm notifies (alarm and OK). */
    readonly alarmTopicArn: pulumi.Input<string>;
    /**
     * PostgreSQL version: a major ("17", RDS picks the newest minor and auto minor
     * upgrades keep it current) or major.minor ("16.6"). The parameter group family
     * is derived from the major. Default: "17".
     */
    readonly engineVersion?: string;
    /** RDS instance class; must be in instance-classes.ts. Default: db.t4g.medium. */
    readonly instanceClass?: string;
    /** Initial gp3 storage, GiB (20..65536). Default: 20. */
    readonly allocatedStorageGb?: number;
    /** Storage autoscaling ceiling, GiB (>= allocatedStorageGb; equal turns autoscaling off). Default: 100. */
    readonly maxAllocatedStorageGb?: number;
    /** Run a synchronous standby in a second AZ. Default: true. */
    readonly multiAz?: boolean;
    /** Enhanced Monitoring interval, seconds: 0 (off), 1, 5, 10, 15, 30 or 60. Default: DATABASE.enhancedMonitoringIntervalSeconds (1). */
    readonly monitoringIntervalSeconds?: number;
    /** Turn on Performance Insights (KMS-encrypted with a key of its own). Default: true. */
    readonly performanceInsightsEnabled?: boolean;
    /** Performance Insights retention, days: 7 (free tier), 731, or a multiple of 31. Default: DATABASE.performanceInsightsRetentionDays (7). */
    readonly performanceInsightsRetentionDays?: number;
    /** Automated backup retention, days (0..35; 0 turns backups off). Default: 7. */
    readonly backupRetentionDays?: number;
    /** RDS deletion protection. Default: true. */
    readonly deletionProtection?: boolean;
    /** Pulumi `protect` + `retainOnDelete` on the instance and its storage key. Default: true. */
    readonly protect?: boolean;
    /** Read replicas (0..15), each with the primary's monitoring and Performance Insights. Default: 0. */
    readonly readReplicas?: number;
    /** Put an RDS Proxy (connection pooling, TLS required) in front of the primary. Default: false. */
    readonly rdsProxy?: boolean;
    /** Database created on the instance. Default: "credlink". */
    readonly databaseName?: string;
    /** Master user; its password is generated and kept in Secrets Manager by RDS. Default: "credlink_admin". */
    readonly masterUsername?: string;
    /** RDS instance identifier (1..63 lower-case letters, digits, hyphens). Default: `<name>-<stack>`. */
    readonly identifier?: string;
    /** Statements slower than this are logged (log_min_duration_statement), ms. Default: SLO.latencyP95Ms (500). */
    readonly slowQueryLogMs?: number;
    /** Load auto_explain and log the plans of slow statements. Default: false. */
    readonly autoExplain?: boolean;
    /** Retention of the exported postgresql/upgrade log groups, days (a CloudWatch Logs value). Default: 30. */
    readonly logRetentionDays?: number;
    /** Daily backup window, UTC "hh:mm-hh:mm" (>= 30 min). Default: "03:00-04:00". */
    readonly backupWindow?: string;
    /** Weekly maintenance window, UTC "ddd:hh:mm-ddd:hh:mm"; must not overlap the backup window. Default: "sun:04:30-sun:05:30". */
    readonly maintenanceWindow?: string;
}

/** Every arg with its default applied, validated. */
export interface DatabaseSettings {
    readonly engineVersion: string;
    readonly engineMajor: number;
    readonly parameterGroupFamily: string;
    readonly instanceClass: InstanceClassInfo;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    readonly multiAz: boolean;
    readonly monitoringIntervalSeconds: number;
    readonly performanceInsightsEnabled: boolean;
    readonly performanceInsightsRetentionDays: number;
    readonly backupRetentionDays: number;
    readonly deletionProtection: boolean;
    readonly protect: boolean;
    readonly readReplicas: number;
    readonly rdsProxy: boolean;
    readonly databaseName: string;
    readonly masterUsername: string;
    readonly identifier: string;
    readonly slowQueryLogMs: number;
    readonly autoExplain: boolean;
    readonly logRetentionDays: number;
    readonly backupWindow: string;
    readonly maintenanceWindow: string;
    /** A final snapshot is taken on delete unless the database is explicitly disposable. */
    readonly skipFinalSnapshot: boolean;
}

export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
const LOG_RETENTION_DAYS = CLOUDWATCH_LOG_RETENTION_DAYS;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** PostgreSQL names that RDS will not create. */
const RESERVED_USERS = ["rdsadmin", "rdsrepladmin", "rds_superuser", "postgres_fdw"];

const isInt = (v: number) => Number.isInteger(v);

export function resolveSettings(name: string, args: MonitoredDatabaseArgs, stack: string): DatabaseSettings {
    const fail = (line: string): never => {
        throw new Error(`MonitoredDatabase ${name}: ${line}`);
    };
    const intIn = (arg: string, v: number, min: number, max: number, unit = "") => {
        if (!isInt(v) || v < min || v > max) fail(`${arg} = ${v} must be a whole number between ${min} and ${max}${unit}`);
        return v;
    };
    const bool = (v: boolean | undefined, dflt: boolean) => v ?? dflt;

    if (args.clientSecurityGroupIds.length === 0) fail("clientSecurityGroupIds is empty: list the security group of every client (the service's tasks), or nothing can connect");

    const engineVersion = args.engineVersion ?? "17";
    const ver = /^(\d+)(\.\d+)?$/.exec(engineVersion);
    const engineMajor = ver ? Number(ver[1]) : NaN;
    if (!ver || engineMajor < 11) fail(`engineVersion = "${engineVersion}" must be a PostgreSQL major (e.g. "17") or major.minor (e.g. "16.6") version, 11 or later`);

    const instanceClassName = args.instanceClass ?? "db.t4g.medium";
    const performanceInsightsEnabled = bool(args.performanceInsightsEnabled, true);
    const info = describeInstanceClass(instanceClassName);
    if (!info) {
        fail(`instanceClass = "${instanceClassName}" is not in components/database/instance-classes.ts: use a class such as db.r6g.large, or add its family there so the memory and connection alarms can be sized`);
    }
    const instanceClass = info as InstanceClassInfo;
    if (!instanceClass.current) {
        if (performanceInsightsEnabled) {
            fail(`performanceInsightsEnabled = true is not supported on instanceClass = "${instanceClassName}": it is a previous-generation class that RDS for PostgreSQL 14+ does not offer; use a current class such as db.t4g.micro (Performance Insights works on every current class for PostgreSQL) or set performanceInsightsEnabled to false`);
        }
        fail(`instanceClass = "${instanceClassName}" is a previous-generation class that RDS for PostgreSQL 14+ does not offer; use a current class such as db.t4g.medium`);
    }

    const allocatedStorageGb = intIn("allocatedStorageGb", args.allocatedStorageGb ?? 20, 20, 65536, " GiB");
    const maxAllocatedStorageGb = intIn("maxAllocatedStorageGb", args.maxAllocatedStorageGb ?? Math.max(100, allocatedStorageGb), 20, 65536, " GiB");
    if (maxAllocatedStorageGb < allocatedStorageGb) fail(`maxAllocatedStorageGb = ${maxAllocatedStorageGb} must be >= allocatedStorageGb (${allocatedStorageGb})`);

    const monitoringIntervalSeconds = args.monitoringIntervalSeconds ?? DATABASE.enhancedMonitoringIntervalSeconds;
    if (!(MONITORING_INTERVALS as readonly number[]).includes(monitoringIntervalSeconds)) {
        fail(`monitoringIntervalSeconds = ${monitoringIntervalSeconds} must be one of ${MONITORING_INTERVALS.join(", ")}`);
    }

    const performanceInsightsRetentionDays = args.performanceInsightsRetentionDays ?? DATABASE.performanceInsightsRetentionDays;
    const d = performanceInsightsRetentionDays;
    if (!(d === 7 || d === 731 || (isInt(d) && d >= 31 && d < 731 && d % 31 === 0))) {
        fail(`performanceInsightsRetentionDays = ${d} must be 7, 731 or a multiple of 31 (31..713)`);
    }

    const backupRetentionDays = intIn("backupRetentionDays", args.backupRetentionDays ?? 7, 0, 35, " days");
    const readReplicas = intIn("readReplicas", args.readReplicas ?? 0, 0, 15);
    if (readReplicas > 0 && backupRetentionDays === 0) fail(`readReplicas = ${readReplicas} needs backupRetentionDays > 0 (RDS only replicates instances with automated backups)`);

    const databaseName = args.databaseName ?? "credlink";
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(databaseName)) fail(`databaseName = "${databaseName}" must be 1..63 lower-case letters, digits or underscores, starting with a letter`);
    const masterUsername = args.masterUsername ?? "credlink_admin";
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(masterUsername) || RESERVED_USERS.includes(masterUsername)) {
        fail(`masterUsername = "${masterUsername}" must be 1..63 lower-case letters, digits or underscores, starting with a letter, and not one of ${RESERVED_USERS.join(", ")}`);
    }

    const identifier = args.identifier ?? `${name}-${stack}`.toLowerCase();
    if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(identifier) || identifier.endsWith("-")) {
        fail(`identifier = "${identifier}" must be 1..63 lower-case letters, digits or hyphens, start with a letter, and have no "--" or trailing hyphen`);
    }
    // Replicas are named <identifier>-replica-<n>; that must fit too.
    if (readReplicas > 0 && identifier.length + `-replica-${readReplicas}`.length > 63) fail(`identifier = "${identifier}" is too long for replica names (<identifier>-replica-${readReplicas} must be <= 63 characters)`);

    const slowQueryLogMs = intIn("slowQueryLogMs", args.slowQueryLogMs ?? SLO.latencyP95Ms, 0, 2_147_483_647, " ms");
    const logRetentionDays = args.logRetentionDays ?? 30;
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) fail(`logRetentionDays = ${logRetentionDays} must be a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`);

    const backupWindow = args.backupWindow ?? "03:00-04:00";
    const maintenanceWindow = args.maintenanceWindow ?? "sun:04:30-sun:05:30";
    checkWindows(backupWindow, maintenanceWindow, fail);

    const deletionProtection = bool(args.deletionProtection, true);
    const protect = bool(args.protect, true);
    return {
        engineVersion,
        engineMajor,
        parameterGroupFamily: `postgres${engineMajor}`,
        instanceClass,
        allocatedStorageGb,
        maxAllocatedStorageGb,
        multiAz: bool(args.multiAz, true),
        monitoringIntervalSeconds,
        performanceInsightsEnabled,
        performanceInsightsRetentionDays,
        backupRetentionDays,
        deletionProtection,
        protect,
        readReplicas,
        rdsProxy: bool(args.rdsProxy, false),
        databaseName,
        masterUsername,
        identifier,
        slowQueryLogMs,
        autoExplain: bool(args.autoExplain, false),
        logRetentionDays,
        backupWindow,
        maintenanceWindow,
        // Only a database nobody protects (dev) may vanish without a last snapshot.
        skipFinalSnapshot: !deletionProtection && !protect,
    };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const validTime = (hhmm: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(hhmm);

/** Minute ranges within the week [start, end) that a window covers; a window may wrap past midnight or Sunday. */
function weekRanges(start: number, end: number): Array<[number, number]> {
    const week = 7 * 1440;
    return end > start ? [[start, end]] : [[start, week], [0, end]];
}

/** RDS rejects windows that overlap; the backup window repeats daily. */
function checkWindows(backup: string, maintenance: string, fail: (line: string) => never): void {
    const b = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(backup);
    if (!b || !validTime(b[1]) || !validTime(b[2])) fail(`backupWindow = "${backup}" must be "hh:mm-hh:mm" in UTC, e.g. "03:00-04:00"`);
    const [, bStart, bEnd] = b as RegExpExecArray;
    const bLen = (minutes(bEnd) - minutes(bStart) + 1440) % 1440;
    if (bLen < 30) fail(`backupWindow = "${backup}" must be at least 30 minutes long`);

    const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(maintenance);
    if (!m || !DAYS.includes(m[1]) || !DAYS.includes(m[3]) || !validTime(m[2]) || !validTime(m[4])) {
        fail(`maintenanceWindow = "${maintenance}" must be "ddd:hh:mm-ddd:hh:mm" in UTC, e.g. "sun:04:30-sun:05:30"`);
    }
    const [, mDay1, mStart, mDay2, mEnd] = m as RegExpExecArray;
    const maint = weekRanges(DAYS.indexOf(mDay1) * 1440 + minutes(mStart), DAYS.indexOf(mDay2) * 1440 + minutes(mEnd));
    for (let day = 0; day < 7; day++) {
        const start = day * 1440 + minutes(bStart);
        for (const [bs, be] of weekRanges(start, (start + bLen) % (7 * 1440))) {
            if (maint.some(([ms, me]) => bs < me && ms < be)) fail(`maintenanceWindow = "${maintenance}" overlaps backupWindow = "${backup}"; RDS requires them to be disjoint`);
        }
    }
}
