/**
 * Database-monitoring rules for RDS: Enhanced Monitoring at the configured granularity
 * with a role, Performance Insights with enough retention, encrypted storage, no public
 * endpoint, for DB instances, Aurora clusters and their instances, and Multi-AZ DB
 * clusters, each checked where RDS sets it:
 *
 * - DB instances carry all four themselves; a read replica's encryption is its source's.
 * - Multi-AZ DB clusters (a non-Aurora engine) carry all four on the cluster (RDS manages
 *   their instances).
 * - Aurora: storage encryption is the cluster's; public access is each instance's;
 *   Enhanced Monitoring and Performance Insights may be set on the cluster (for all its
 *   instances) or on each instance.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    describe,
    type Finding,
    literalRequired,
    type Report,
    type Res,
    resourcePolicy,
    type StackView,
    stackPolicy,
} from "./rule";
import { RDS_MONITORING_INTERVALS } from "./aws/rds";
import { DATABASE } from "./slo";
import { type RdsClusterInstanceProps, type RdsClusterProps, type RdsInstanceProps, TYPES } from "./types";
import { readBoolean, readNumber, readSetString, readString, show, valueOr } from "./values";

/** The Enhanced Monitoring intervals that turn it on, seconds. */
const MONITORING_INTERVALS = RDS_MONITORING_INTERVALS.filter((i) => i > 0);

/** Monitoring settings as every RDS resource type names them. */
interface MonitoringProps {
    readonly monitoringInterval: unknown;
    readonly monitoringRoleArn: unknown;
    readonly performanceInsightsEnabled: unknown;
    readonly performanceInsightsRetentionPeriod: unknown;
}

type Kind = "instance" | "aurora-cluster" | "multi-az-cluster" | "cluster-instance";

interface Database {
    readonly resource: PolicyResource;
    readonly res: Res;
    readonly kind: Kind;
    /** An Aurora cluster instance's cluster, when linked unambiguously. */
    readonly cluster?: PolicyResource;
    /** An Aurora cluster's instances in this stack. */
    readonly instances: PolicyResource[];
}

/** Aurora engines are `aurora-mysql`, `aurora-postgresql` (and the legacy `aurora`). */
function isAurora(props: RdsClusterProps): boolean {
    const engine = readString(props.engine);
    // An engine unknown at preview is held to the stricter, cluster-level requirement.
    return engine.state === "known" && engine.value.toLowerCase().startsWith("aurora");
}

/**
 * The one resource among `candidates` that `from.<property>` points at: the single one its
 * property dependencies name (and, when the literal value is known, whose `key` it equals), or
 * the single one whose `key` equals the literal value. Anything else links nothing.
 */
function linkOne(
    stack: StackView,
    from: PolicyResource,
    property: string,
    candidates: readonly PolicyResource[],
    keys: readonly string[],
): PolicyResource | undefined {
    const value = readSetString(stack.props(from)[property]);
    const matches = (c: PolicyResource) =>
        value.state === "known" &&
        keys.some((k) => {
            const v = readString(stack.props(c)[k]);
            return v.state === "known" && v.value === value.value;
        });
    const deps = [...new Set(stack.referencedBy(from, property).filter((d) => candidates.includes(d)))];
    if (deps.length > 1) return undefined;
    if (deps.length === 1) {
        const known = keys.some((k) => readString(stack.props(deps[0])[k]).state === "known");
        return value.state !== "known" || !known || matches(deps[0]) ? deps[0] : undefined;
    }
    const byValue = candidates.filter(matches);
    return byValue.length === 1 ? byValue[0] : undefined;
}

function databases(stack: StackView): Database[] {
    const clusters = stack.ofType(TYPES.rdsCluster);
    const out: Database[] = [];
    const auroraInstances = new Map<PolicyResource, PolicyResource[]>();
    for (const c of clusters) {
        const aurora = isAurora(stack.props<RdsClusterProps>(c));
        const instances: PolicyResource[] = [];
        if (aurora) auroraInstances.set(c, instances);
        out.push({ resource: c, res: stack.res(c), kind: aurora ? "aurora-cluster" : "multi-az-cluster", instances });
    }
    for (const i of stack.ofType(TYPES.rdsClusterInstance)) {
        const cluster = linkOne(stack, i, "clusterIdentifier", clusters, ["clusterIdentifier", "id"]);
        auroraInstances.get(cluster!)?.push(i);
        out.push({ resource: i, res: stack.res(i), kind: "cluster-instance", cluster, instances: [] });
    }
    for (const i of stack.ofType(TYPES.rdsInstance))
        out.push({ resource: i, res: stack.res(i), kind: "instance", instances: [] });
    return out;
}

/** Where the fix goes, by kind. */
function where(db: Database, setting: string): string {
    switch (db.kind) {
        case "instance":
            return `set credlink:database.${setting}`;
        case "multi-az-cluster":
            return "set it on the Multi-AZ DB cluster";
        case "aurora-cluster":
            return "set it on the Aurora cluster (or on each of its instances)";
        case "cluster-instance":
            return "set it on this cluster instance or on its Aurora cluster";
    }
}

/**
 * Applies a per-resource requirement at the level RDS sets it: on instances and Multi-AZ
 * clusters themselves; on an Aurora cluster or, when the cluster does not meet it, on each of
 * its instances (or on the cluster itself when it has none in this stack).
 */
function checkAtLevel(stack: StackView, report: Report, findings: (props: MonitoringProps, db: Database) => Finding[]) {
    const all = databases(stack);
    const clusterMeets = new Map<PolicyResource, boolean>();
    for (const db of all)
        if (db.kind === "aurora-cluster")
            clusterMeets.set(db.resource, findings(db.res.props as unknown as MonitoringProps, db).length === 0);
    for (const db of all) {
        if (db.kind === "aurora-cluster" && (clusterMeets.get(db.resource) || db.instances.length > 0)) continue;
        if (db.kind === "cluster-instance" && db.cluster && clusterMeets.get(db.cluster)) continue;
        for (const f of findings(db.res.props as unknown as MonitoringProps, db)) report(db.res, f);
    }
}

export const enhancedMonitoring = stackPolicy<{ maxIntervalSeconds: number }>({
    id: "database-enhanced-monitoring",
    description:
        "RDS instances, Aurora clusters (or each of their instances) and Multi-AZ DB clusters have " +
        "Enhanced Monitoring at or below the configured interval, with a monitoring role.",
    severity: "medium",
    remediationSteps:
        "Set credlink:database.monitoringIntervalSeconds to the configured interval (1 s in " +
        "production) and give the instance (or cluster) a monitoringRoleArn trusted by " +
        "monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole.",
    config: {
        maxIntervalSeconds: {
            type: "integer",
            enum: MONITORING_INTERVALS,
            description: "Coarsest allowed Enhanced Monitoring interval, seconds.",
            default: DATABASE.enhancedMonitoringIntervalSeconds,
        },
    },
    check(stack, config, report) {
        const allowed = `${MONITORING_INTERVALS.filter((i) => i <= config.maxIntervalSeconds).join(", ")} s`;
        checkAtLevel(stack, report, (props, at) => {
            const out: Finding[] = [];
            const interval = readNumber(props.monitoringInterval);
            const value = valueOr(interval, 0);
            if (value === undefined)
                out.push(literalRequired("monitoringInterval", interval, where(at, "monitoringIntervalSeconds")));
            else if (value === 0 || value > config.maxIntervalSeconds || !MONITORING_INTERVALS.includes(value)) {
                out.push({
                    property: "monitoringInterval",
                    found: show(interval, "not set (0: Enhanced Monitoring off)"),
                    allowed,
                    fix: `${where(at, "monitoringIntervalSeconds")} to ${config.maxIntervalSeconds}`,
                });
            }
            // An empty ARN is no role: RDS would reject the instance at creation.
            const role = readSetString(props.monitoringRoleArn);
            if (role.state === "absent") {
                out.push({
                    property: "monitoringRoleArn",
                    found: readString(props.monitoringRoleArn).state === "known" ? '""' : "not set",
                    allowed: "the ARN of a role trusted by monitoring.rds.amazonaws.com (an output is fine)",
                    fix: "create the Enhanced Monitoring role and pass its ARN as monitoringRoleArn",
                });
            }
            return out;
        });
    },
});

export const performanceInsights = stackPolicy<{ minRetentionDays: number }>({
    id: "database-performance-insights",
    description:
        "RDS instances, Aurora clusters (or each of their instances) and Multi-AZ DB clusters have " +
        "Performance Insights on, retained for at least the configured number of days.",
    severity: "medium",
    remediationSteps:
        "Set credlink:database.performanceInsightsEnabled to true and " +
        "credlink:database.performanceInsightsRetentionDays to 7 (free tier) or more.",
    config: {
        minRetentionDays: { type: "integer", minimum: 7, default: DATABASE.performanceInsightsRetentionDays },
    },
    check(stack, config, report) {
        checkAtLevel(stack, report, (props, at) => {
            const enabled = readBoolean(props.performanceInsightsEnabled);
            if (enabled.state !== "known" || !enabled.value) {
                return [
                    {
                        property: "performanceInsightsEnabled",
                        found: show(enabled, "not set (RDS default: false)"),
                        allowed: "true",
                        fix: `${where(at, "performanceInsightsEnabled")} to true`,
                    },
                ];
            }
            const retention = readNumber(props.performanceInsightsRetentionPeriod);
            const days = valueOr(retention, 7); // RDS keeps 7 days when none is given
            if (days === undefined)
                return [
                    literalRequired(
                        "performanceInsightsRetentionPeriod",
                        retention,
                        where(at, "performanceInsightsRetentionDays"),
                    ),
                ];
            if (days >= config.minRetentionDays) return [];
            return [
                {
                    property: "performanceInsightsRetentionPeriod",
                    found: `${days} days`,
                    allowed: `at least ${config.minRetentionDays} days`,
                    fix: `${where(at, "performanceInsightsRetentionDays")} to ${config.minRetentionDays} or more`,
                },
            ];
        });
    },
});

export const storageEncrypted = stackPolicy<Record<string, never>>({
    id: "database-storage-encrypted",
    description:
        "RDS instances and DB clusters encrypt their storage; a read replica's source is an encrypted " +
        "instance of this stack (a replica inherits its source's encryption). Aurora cluster instances " +
        "inherit their cluster's.",
    severity: "critical",
    remediationSteps:
        "Set storageEncrypted: true (with a KMS key) on the instance or cluster; encryption cannot be " +
        "turned on later without a snapshot restore. Build a replica's replicateSourceDb from its source " +
        "instance's identifier output.",
    check(stack, _config, report) {
        const instances = stack.ofType(TYPES.rdsInstance);
        const encrypted = (r: PolicyResource) =>
            readBoolean(stack.props<RdsInstanceProps | RdsClusterProps>(r).storageEncrypted);
        const notEncrypted = (res: Res, enc: ReturnType<typeof encrypted>) =>
            report(res, {
                property: "storageEncrypted",
                found: show(enc, "not set (RDS default: false)"),
                allowed: "true",
                fix: "set storageEncrypted: true and kmsKeyId",
            });
        for (const c of stack.ofType(TYPES.rdsCluster)) {
            const enc = encrypted(c);
            if (!(enc.state === "known" && enc.value)) notEncrypted(stack.res(c), enc);
        }
        for (const i of instances) {
            const res = stack.res<RdsInstanceProps>(i);
            const source = readSetString(res.props.replicateSourceDb);
            if (source.state === "absent") {
                const enc = encrypted(i);
                if (!(enc.state === "known" && enc.value)) notEncrypted(res, enc);
                continue;
            }
            // A replica: follow the chain of sources within the stack to a primary.
            const seen = new Set<PolicyResource>([i]);
            let at: PolicyResource | undefined = i;
            let problem: Finding | undefined;
            while (at) {
                const src = readSetString(stack.props<RdsInstanceProps>(at).replicateSourceDb);
                if (src.state === "absent") {
                    const enc = encrypted(at);
                    if (!(enc.state === "known" && enc.value))
                        problem = {
                            property: "replicateSourceDb",
                            found:
                                `${show(source)}: source ${describe(at)} has storageEncrypted ` + show(enc, "not set"),
                            allowed: "a source whose storage is encrypted",
                            fix: `set storageEncrypted: true on ${describe(at)}`,
                        };
                    break;
                }
                const next = linkOne(stack, at, "replicateSourceDb", instances, ["identifier", "arn", "id"]);
                if (!next || seen.has(next)) {
                    problem = {
                        property: "replicateSourceDb",
                        found:
                            `${show(src)}${at === i ? "" : ` (source of ${describe(at)})`}, not one instance of ` +
                            "this stack it is built from",
                        allowed: "the identifier of an encrypted instance of this stack, taken from its output",
                        fix:
                            "build replicateSourceDb from the source instance's identifier output (or waive this " +
                            "replica with the source's encryption confirmed)",
                    };
                    break;
                }
                seen.add(next);
                at = next;
            }
            if (problem) report(res, problem);
        }
    },
});

export const notPublic = resourcePolicy<Record<string, never>>({
    id: "database-not-public",
    description: "RDS instances, Aurora cluster instances and Multi-AZ DB clusters are not publicly accessible.",
    severity: "critical",
    remediationSteps:
        "Set publiclyAccessible: false and place the database in private subnets (a DB subnet group of " +
        "this stack); reach it from the service's security group only.",
    types: [TYPES.rdsInstance, TYPES.rdsCluster, TYPES.rdsClusterInstance],
    check(r, _config, report) {
        if (r.type === TYPES.rdsCluster) {
            const cluster = r.props as RdsClusterProps;
            // Aurora instances carry their own publiclyAccessible. A Multi-AZ DB cluster is public by default
            // without a subnet group or with the default one, and @pulumi/aws exposes no publiclyAccessible
            // for it: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
            if (isAurora(cluster)) return;
            const group = readSetString(cluster.dbSubnetGroupName);
            if (group.state === "known" && group.value.toLowerCase() !== "default") return;
            report(r, {
                property: "dbSubnetGroupName",
                found: show(group, "not set (RDS then makes a Multi-AZ DB cluster public when the VPC allows)"),
                allowed: "a DB subnet group of private subnets (not the default one), named literally or by its output",
                fix: "create a DB subnet group over private subnets and pass its name",
            });
            return;
        }
        const pub = readBoolean((r.props as RdsInstanceProps | RdsClusterInstanceProps).publiclyAccessible);
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
