/**
 * Stack configuration: every setting the program reads, its type, description,
 * default and validation rule, in one table. `loadConfig` turns the raw
 * `credlink:*` / `aws:region` values into a frozen, typed object or fails with
 * one line per problem. Pulumi.yaml's `config:` block is generated from this
 * table (`npm run config:sync`) and a test keeps the two in sync.
 *
 * Rule of thumb: config validation checks what AWS can accept; the policy pack
 * checks what the SLOs allow. A stack with a 1..40 task range is valid config
 * and a policy violation, so reviewers see it in the policy report.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MAX_TTL_SECONDS, PATH_PATTERN, PRICE_CLASSES } from "../components/cdn/args";
import { MONITORING_INTERVALS } from "../components/database/args";
import { DEFAULT_CONTAINER_PORT, defaultAlarms, defaultScaling, type ScalingSettings } from "../components/scaling-service/args";
import { arnRegion } from "./arn";
import { CLOUDFRONT_REGION } from "../policies/aws/cloudfront";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../policies/aws/cloudwatch";
import { FARGATE_CPU_UNITS, FARGATE_MEMORY_MIB } from "../policies/aws/ecs";
import { DATABASE, TTL } from "../policies/slo";

export const PROJECT = "credlink";

type SettingType = "string" | "integer" | "boolean" | "array";

export interface SettingSpec {
    /** Key without the project namespace, e.g. `scaling.minTasks`. */
    readonly key: string;
    readonly type: SettingType;
    readonly description: string;
    /** Default when the stack does not set the key; undefined = optional with no default, or required. */
    readonly default?: unknown;
    readonly required?: boolean;
    /** Must be set with `pulumi config set --secret`. */
    readonly secret?: boolean;
    readonly schema: z.ZodType;
}

const int = (min: number, max: number, unit = "") =>
    z
        .number()
        .int({ error: `must be a whole number between ${min} and ${max}${unit}` })
        .min(min, { error: `must be between ${min} and ${max}${unit}` })
        .max(max, { error: `must be between ${min} and ${max}${unit}` });

const oneOf = <T extends readonly (string | number)[]>(values: T, what = "one of") =>
    z.custom<T[number]>((v) => (values as readonly unknown[]).includes(v), {
        error: `must be ${what} ${values.join(", ")}`,
    });

const nonEmpty = z.string().min(1, { error: "must not be empty" });
const email = z.email({ error: "must be an e-mail address" });
const acmArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, {
        error: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)",
    });
const SCALING_DEFAULTS = defaultScaling();
const ALARM_DEFAULTS = defaultAlarms();
/** A lower-case DNS host name. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const setting = (
    key: string,
    type: SettingType,
    description: string,
    schema: z.ZodType,
    extra: { default?: unknown; required?: boolean; secret?: boolean } = {},
): SettingSpec => ({ key, type, description, schema, ...extra });

export const SETTINGS: readonly SettingSpec[] = [
    // Domain and TLS (all optional: without them the stack serves the CloudFront and ALB default names).
    setting("domain.name", "string", "Public host name served by CloudFront, e.g. api.example.com. Optional.", z.string().regex(DNS_NAME, { error: "must be a lower-case DNS name such as api.example.com" })),
    setting("domain.hostedZoneId", "string", "Route 53 hosted zone for domain.name; when set without a certificate, one is created and DNS-validated in us-east-1.", z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ" })),
    setting("domain.cdnCertificateArn", "string", "ACM certificate for domain.name, in us-east-1 (CloudFront only uses us-east-1 certificates).", acmArn),
    setting("domain.originName", "string", "DNS name CloudFront uses to reach the ALB over HTTPS; must be covered by domain.albCertificateArn (CloudFront checks the origin's certificate against it). With domain.hostedZoneId the stack creates the alias record; otherwise point a CNAME at the albDnsName output.", z.string().regex(DNS_NAME, { error: "must be a lower-case DNS name such as origin.api.example.com" })),
    setting("domain.albCertificateArn", "string", "ACM certificate in the stack's region for the ALB's HTTPS listener. Without it the ALB listens on HTTP only (dev).", acmArn),

    // Service (ECS Fargate).
    setting("service.image", "string", "Container image of the CredLink API (registry/repository:tag or @sha256 digest).", nonEmpty, { required: true }),
    setting("service.cpu", "integer", "Fargate task CPU units.", oneOf(FARGATE_CPU_UNITS), { default: 1024 }),
    setting("service.memory", "integer", "Fargate task memory in MiB; must be valid for service.cpu.", int(512, 122880, " MiB"), { default: 2048 }),
    setting("service.containerPort", "integer", "Port the API listens on inside the container (the app's PORT).", int(1, 65535), { default: DEFAULT_CONTAINER_PORT }),
    setting("service.logRetentionDays", "integer", "CloudWatch Logs retention for the service's logs.", oneOf(CLOUDWATCH_LOG_RETENTION_DAYS, "a CloudWatch retention value:"), { default: 30 }),

    // Network.
    setting("network.cidrBlock", "string", "VPC CIDR block, /16../18: each AZ takes a /20 private and a /22 public subnet.", z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-8])$/, { error: "must be an IPv4 CIDR with a /16../18 prefix (each AZ takes a /20 private and a /22 public subnet)" }), { default: "10.0.0.0/16" }),
    setting("network.availabilityZones", "integer", "Number of availability zones (public + private subnet in each).", int(2, 3), { default: 2 }),
    setting("network.natGateways", "string", "NAT gateways: `single` (cheap) or `onePerAz` (no cross-AZ dependency).", oneOf(["single", "onePerAz"] as const), { default: "single" }),

    // Autoscaling. Defaults come from the SLO module.
    setting("scaling.minTasks", "integer", "Minimum running tasks.", int(1, 1000), { default: SCALING_DEFAULTS.minTasks }),
    setting("scaling.maxTasks", "integer", "Maximum running tasks.", int(1, 1000), { default: SCALING_DEFAULTS.maxTasks }),
    setting("scaling.cpuTargetPercent", "integer", "Target-tracking target for average service CPU, percent.", int(1, 100, " %"), { default: SCALING_DEFAULTS.cpuTargetPercent }),
    setting("scaling.memoryTargetPercent", "integer", "Target-tracking target for average service memory, percent.", int(1, 100, " %"), { default: SCALING_DEFAULTS.memoryTargetPercent }),
    setting("scaling.requestsPerTarget", "integer", "Target-tracking target for ALBRequestCountPerTarget: requests per task per MINUTE.", int(1, 1_000_000), { default: SCALING_DEFAULTS.requestsPerTarget }),
    setting("scaling.scaleOutCooldownSeconds", "integer", "Scale-out cooldown of the CPU and memory policies, seconds.", int(0, 3600, " s"), { default: SCALING_DEFAULTS.scaleOutCooldownSeconds }),
    setting("scaling.requestScaleOutCooldownSeconds", "integer", "Scale-out cooldown of the request-count policy, seconds.", int(0, 3600, " s"), { default: SCALING_DEFAULTS.requestScaleOutCooldownSeconds }),
    setting("scaling.scaleInCooldownSeconds", "integer", "Scale-in cooldown of all policies, seconds.", int(0, 3600, " s"), { default: SCALING_DEFAULTS.scaleInCooldownSeconds }),

    // CDN. TTL defaults come from the SLO module.
    setting("cdn.staticPathPattern", "string", "CloudFront path pattern for static assets.", z.string().regex(PATH_PATTERN, { error: "must start with / and a path segment, e.g. /static/*" }), { default: "/static/*" }),
    setting("cdn.staticMinTtl", "integer", "Static assets: minimum TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.static.minTtl }),
    setting("cdn.staticDefaultTtl", "integer", "Static assets: default TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.static.defaultTtl }),
    setting("cdn.staticMaxTtl", "integer", "Static assets: maximum TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.static.maxTtl }),
    setting("cdn.proofsPathPattern", "string", "CloudFront path pattern for proof documents (S3 keys proofs/<uuid>.json).", z.string().regex(PATH_PATTERN, { error: "must start with / and a path segment, e.g. /proofs/*" }), { default: "/proofs/*" }),
    setting("cdn.proofsMinTtl", "integer", "Proofs: minimum TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.proofs.minTtl }),
    setting("cdn.proofsDefaultTtl", "integer", "Proofs: default TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.proofs.defaultTtl }),
    setting("cdn.proofsMaxTtl", "integer", "Proofs: maximum TTL, seconds.", int(0, MAX_TTL_SECONDS, " s"), { default: TTL.proofs.maxTtl }),
    setting("cdn.priceClass", "string", "CloudFront price class.", oneOf(PRICE_CLASSES), { default: "PriceClass_100" }),
    setting("cdn.wafEnabled", "boolean", "Attach a WAFv2 web ACL (managed rule groups + rate limit) to the distribution.", z.boolean(), { default: true }),
    setting("cdn.wafRateLimitPer5Min", "integer", "WAF rate-based rule: requests per client IP per 5 minutes before blocking.", int(10, 2_000_000_000), { default: 2000 }),
    setting("cdn.loggingEnabled", "boolean", "Write CloudFront access logs to an S3 log bucket.", z.boolean(), { default: true }),
    setting("cdn.logRetentionDays", "integer", "Days to keep CloudFront access logs.", int(1, 3650, " days"), { default: 90 }),

    // Database. Monitoring defaults come from the SLO module.
    setting("database.engineVersion", "string", "PostgreSQL major (or major.minor) version.", z.string().regex(/^(1[4-9])(\.\d+)?$/, { error: "must be a supported PostgreSQL version 14..19, e.g. 17 or 16.6" }), { default: "17" }),
    setting("database.instanceClass", "string", "RDS instance class.", z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an RDS instance class such as db.r6g.large" }), { default: "db.t4g.medium" }),
    setting("database.allocatedStorageGb", "integer", "Initial gp3 storage, GiB.", int(20, 65536, " GiB"), { default: 20 }),
    setting("database.maxAllocatedStorageGb", "integer", "Storage autoscaling ceiling, GiB (>= allocatedStorageGb).", int(20, 65536, " GiB"), { default: 100 }),
    setting("database.multiAz", "boolean", "Run a standby in a second AZ.", z.boolean(), { default: false }),
    setting("database.monitoringIntervalSeconds", "integer", "Enhanced Monitoring interval, seconds (0 turns it off).", oneOf(MONITORING_INTERVALS), { default: DATABASE.enhancedMonitoringIntervalSeconds }),
    setting("database.performanceInsightsEnabled", "boolean", "Turn on Performance Insights.", z.boolean(), { default: true }),
    setting("database.performanceInsightsRetentionDays", "integer", "Performance Insights retention, days: 7 (free tier), 731, or a multiple of 31.", z.number().int().refine((d) => d === 7 || d === 731 || (d > 0 && d < 731 && d % 31 === 0), { error: "must be 7, 731 or a multiple of 31 below 731" }), { default: DATABASE.performanceInsightsRetentionDays }),
    setting("database.backupRetentionDays", "integer", "Automated backup retention, days.", int(0, 35, " days"), { default: 7 }),
    setting("database.deletionProtection", "boolean", "RDS deletion protection.", z.boolean(), { default: true }),
    setting("database.readReplicas", "integer", "Number of read replicas.", int(0, 5), { default: 0 }),
    setting("database.rdsProxy", "boolean", "Put an RDS Proxy (connection pooling) in front of the database.", z.boolean(), { default: false }),

    // Alarms. Thresholds default to the SLO; the policy pack rejects looser ones.
    setting("alarms.latencyP95ThresholdMs", "integer", "Alarm when ALB p95 TargetResponseTime exceeds this, milliseconds.", int(1, 60_000, " ms"), { default: ALARM_DEFAULTS.latencyP95ThresholdMs }),
    setting("alarms.errorRatePercent", "integer", "Alarm when the 5xx share of requests exceeds this, percent.", int(1, 100, " %"), { default: ALARM_DEFAULTS.errorRatePercent }),
    setting("alarms.requestRatePer5Min", "integer", "Alarm when ALB requests in 5 minutes exceed this.", int(1, 1_000_000_000), { default: ALARM_DEFAULTS.requestRatePer5Min }),

    // Alerting.
    setting("alerts.emails", "array", "E-mail addresses subscribed to the alerts topic (each must confirm).", z.array(email), { default: [] }),
    setting("alerts.httpsEndpoint", "string", "Optional HTTPS endpoint (e.g. a chat webhook) subscribed to the alerts topic. Secret.", z.url({ protocol: /^https$/, error: "must be an https:// URL" }), { secret: true }),

    // State safety and tags.
    setting("protectStatefulResources", "boolean", "Protect the database and buckets from deletion (Pulumi protect + retainOnDelete). Turn off deliberately before destroying.", z.boolean(), { default: true }),
    setting("tags", "array", "Extra tags as key=value strings, added to every taggable resource.", z.array(z.string().regex(/^[\w.:/=+@ -]{1,128}=[\w.:/=+@ -]{0,256}$/, { error: "must be key=value" })), { default: [] }),
];

const SPEC_BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export interface TtlSettings {
    readonly pathPattern: string;
    readonly minTtl: number;
    readonly defaultTtl: number;
    readonly maxTtl: number;
}

export interface StackConfig {
    readonly project: string;
    readonly environment: string;
    readonly region: string;
    readonly domain: {
        readonly name?: string;
        readonly hostedZoneId?: string;
        readonly cdnCertificateArn?: string;
        readonly originName?: string;
        readonly albCertificateArn?: string;
    };
    readonly service: {
        readonly image: string;
        readonly cpu: number;
        readonly memory: number;
        readonly containerPort: number;
        readonly logRetentionDays: number;
    };
    readonly network: {
        readonly cidrBlock: string;
        readonly availabilityZones: number;
        readonly natGateways: "single" | "onePerAz";
    };
    /** The ScalingService's own settings type: one definition of what each field means. */
    readonly scaling: ScalingSettings;
    readonly cdn: {
        readonly static: TtlSettings;
        readonly proofs: TtlSettings;
        readonly priceClass: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
        readonly wafEnabled: boolean;
        readonly wafRateLimitPer5Min: number;
        readonly loggingEnabled: boolean;
        readonly logRetentionDays: number;
    };
    readonly database: {
        readonly engineVersion: string;
        readonly instanceClass: string;
        readonly allocatedStorageGb: number;
        readonly maxAllocatedStorageGb: number;
        readonly multiAz: boolean;
        readonly monitoringIntervalSeconds: number;
        readonly performanceInsightsEnabled: boolean;
        readonly performanceInsightsRetentionDays: number;
        readonly backupRetentionDays: number;
        readonly deletionProtection: boolean;
        readonly readReplicas: number;
        readonly rdsProxy: boolean;
    };
    readonly alarms: {
        readonly latencyP95ThresholdMs: number;
        readonly errorRatePercent: number;
        readonly requestRatePer5Min: number;
    };
    readonly alerts: {
        readonly emails: readonly string[];
        readonly httpsEndpoint?: string;
    };
    readonly protectStatefulResources: boolean;
    readonly tags: Readonly<Record<string, string>>;
}

/** Invalid stack configuration; `problems` holds one line per problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));
const full = (key: string) => `${PROJECT}:${key}`;

/** Turn a raw config string (Pulumi passes every value as a string) into the declared type. */
function coerce(spec: SettingSpec, raw: unknown): { value?: unknown; problem?: string } {
    if (typeof raw !== "string") return { value: raw };
    switch (spec.type) {
        case "string":
            return { value: raw };
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? { value: Number(raw) } : { problem: `${full(spec.key)} = ${show(raw)} must be a whole number` };
        case "boolean":
            return raw === "true" || raw === "false" ? { value: raw === "true" } : { problem: `${full(spec.key)} = ${show(raw)} must be true or false` };
        case "array":
            try {
                const parsed: unknown = JSON.parse(raw);
                if (Array.isArray(parsed)) return { value: parsed };
            } catch {
                // fall through to the problem below
            }
            return { problem: `${full(spec.key)} = ${show(raw)} must be a YAML list` };
    }
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

function suggest(key: string): string {
    let best: { key: string; d: number } | undefined;
    for (const s of SETTINGS) {
        const d = editDistance(key.toLowerCase(), s.key.toLowerCase());
        if (!best || d < best.d) best = { key: s.key, d };
    }
    return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean ${full(best.key)}?)` : "";
}

export interface RawConfig {
    /** Every config value of the stack, keyed `namespace:key`, as Pulumi hands them to the program. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Keys that were set with --secret. */
    readonly secretKeys: ReadonlySet<string>;
    readonly stack: string;
}

/** Validate and type the stack configuration; throws ConfigError listing every problem. */
export function parseConfig(raw: RawConfig): StackConfig {
    const problems: string[] = [];
    const v = new Map<string, unknown>();

    for (const [fullKey, rawValue] of Object.entries(raw.values)) {
        const [ns, ...rest] = fullKey.split(":");
        const key = rest.join(":");
        if (ns !== PROJECT) continue;
        const spec = SPEC_BY_KEY.get(key);
        if (!spec) {
            problems.push(`${fullKey} is not a known setting${suggest(key)}; see the config reference in README.md`);
            continue;
        }
        // Optional strings are declared with default "" in Pulumi.yaml: "" means not set.
        if (spec.type === "string" && !spec.required && spec.default === undefined && rawValue === "") continue;
        const { value, problem } = coerce(spec, rawValue);
        if (problem) {
            problems.push(problem);
            continue;
        }
        const result = spec.schema.safeParse(value);
        if (!result.success) {
            problems.push(`${fullKey} = ${show(value)} ${result.error.issues[0]?.message ?? "is invalid"}`);
            continue;
        }
        if (spec.secret && !raw.secretKeys.has(fullKey)) {
            problems.push(`${fullKey} must be a secret: set it with \`pulumi config set --secret ${key} <value>\``);
            continue;
        }
        v.set(key, result.data);
    }

    for (const spec of SETTINGS) {
        if (v.has(spec.key) || problems.some((p) => p.startsWith(`${full(spec.key)} `))) continue;
        if (spec.default !== undefined) v.set(spec.key, spec.default);
        else if (spec.required) problems.push(`${full(spec.key)} is required: set it with \`pulumi config set ${spec.key} <value>\` (${spec.description})`);
    }

    const region = raw.values["aws:region"];
    if (region === undefined) problems.push("aws:region is required: set it with `pulumi config set aws:region <region>`, e.g. us-east-1");
    else if (typeof region !== "string" || !REGION.test(region)) problems.push(`aws:region = ${show(region)} must be an AWS region such as us-east-1`);

    const get = <T>(key: string) => v.get(key) as T;
    const has = (key: string) => v.has(key);
    const rule = (ok: boolean, line: string) => {
        if (!ok) problems.push(line);
    };

    // Cross-field rules; each runs only when both of its inputs are themselves valid.
    const pair = (a: string, b: string, op: "<=" | ">=") => {
        if (!has(a) || !has(b)) return;
        const x = get<number>(a), y = get<number>(b);
        rule(op === "<=" ? x <= y : x >= y, `${full(a)} = ${x} must be ${op} ${full(b)} (${y})`);
    };
    pair("scaling.minTasks", "scaling.maxTasks", "<=");
    for (const band of ["static", "proofs"]) {
        pair(`cdn.${band}MinTtl`, `cdn.${band}DefaultTtl`, "<=");
        pair(`cdn.${band}DefaultTtl`, `cdn.${band}MaxTtl`, "<=");
    }
    if (has("cdn.staticPathPattern") && has("cdn.proofsPathPattern")) {
        rule(get("cdn.staticPathPattern") !== get("cdn.proofsPathPattern"), `${full("cdn.proofsPathPattern")} = ${show(get("cdn.proofsPathPattern"))} must differ from ${full("cdn.staticPathPattern")}`);
    }
    pair("database.maxAllocatedStorageGb", "database.allocatedStorageGb", ">=");
    if (has("service.cpu") && has("service.memory")) {
        const cpu = get<number>("service.cpu"), mem = get<number>("service.memory");
        rule(
            FARGATE_MEMORY_MIB[cpu]?.(mem) ?? false,
            `${full("service.memory")} = ${mem} is not a valid Fargate memory size for ` +
                `${full("service.cpu")} (${cpu}); see the Fargate task size table in the AWS ECS docs`,
        );
    }
    if (has("domain.cdnCertificateArn")) {
        const arn = get<string>("domain.cdnCertificateArn");
        const certRegion = arnRegion(arn);
        rule(
            certRegion === CLOUDFRONT_REGION,
            `${full("domain.cdnCertificateArn")} = ${show(arn)} must be in ${CLOUDFRONT_REGION}, not ${certRegion}: ` +
                `CloudFront only uses ACM certificates from ${CLOUDFRONT_REGION}`,
        );
        rule(has("domain.name"), `${full("domain.cdnCertificateArn")} is set but ${full("domain.name")} is not: set the host name the certificate covers`);
    }
    if (has("domain.originName") && has("domain.name")) {
        rule(get("domain.originName") !== get("domain.name"), `${full("domain.originName")} = ${show(get("domain.originName"))} must differ from ${full("domain.name")}: that name points at CloudFront, so CloudFront would call itself`);
    }
    if (has("domain.hostedZoneId")) rule(has("domain.name"), `${full("domain.hostedZoneId")} is set but ${full("domain.name")} is not: set the host name to create in that zone`);
    if (has("domain.albCertificateArn") && typeof region === "string") {
        const arn = get<string>("domain.albCertificateArn");
        const certRegion = arnRegion(arn);
        rule(certRegion === region, `${full("domain.albCertificateArn")} = ${show(arn)} must be in the stack's region ${region}, not ${certRegion}`);
        rule(has("domain.originName"), `${full("domain.albCertificateArn")} is set but ${full("domain.originName")} is not: CloudFront reaches an HTTPS origin by a name its certificate covers, e.g. origin.${has("domain.name") ? get<string>("domain.name") : "api.example.com"}`);
    }
    if (has("database.readReplicas") && has("database.backupRetentionDays")) {
        rule(get<number>("database.readReplicas") === 0 || get<number>("database.backupRetentionDays") > 0, `${full("database.readReplicas")} = ${get<number>("database.readReplicas")} needs ${full("database.backupRetentionDays")} > 0 (RDS only replicates instances with automated backups)`);
    }

    if (problems.length > 0) throw new ConfigError(problems);

    const ttl = (band: string): TtlSettings =>
        Object.freeze({
            pathPattern: get<string>(`cdn.${band}PathPattern`),
            minTtl: get<number>(`cdn.${band}MinTtl`),
            defaultTtl: get<number>(`cdn.${band}DefaultTtl`),
            maxTtl: get<number>(`cdn.${band}MaxTtl`),
        });
    const optional = <T>(key: string): { [k: string]: T } => (has(key) ? { [key.split(".")[1]]: get<T>(key) } : {});
    const group = <T extends object>(prefix: string, keys: readonly string[]): T =>
        Object.freeze(Object.fromEntries(keys.map((k) => [k, get(`${prefix}.${k}`)]))) as T;

    return deepFreeze({
        project: PROJECT,
        environment: raw.stack,
        region: region as string,
        domain: {
            ...optional<string>("domain.name"),
            ...optional<string>("domain.hostedZoneId"),
            ...optional<string>("domain.cdnCertificateArn"),
            ...optional<string>("domain.originName"),
            ...optional<string>("domain.albCertificateArn"),
        },
        service: group("service", ["image", "cpu", "memory", "containerPort", "logRetentionDays"]),
        network: group("network", ["cidrBlock", "availabilityZones", "natGateways"]),
        scaling: group("scaling", ["minTasks", "maxTasks", "cpuTargetPercent", "memoryTargetPercent", "requestsPerTarget", "scaleOutCooldownSeconds", "requestScaleOutCooldownSeconds", "scaleInCooldownSeconds"]),
        cdn: {
            static: ttl("static"),
            proofs: ttl("proofs"),
            ...group<object>("cdn", ["priceClass", "wafEnabled", "wafRateLimitPer5Min", "loggingEnabled", "logRetentionDays"]),
        } as StackConfig["cdn"],
        database: group("database", ["engineVersion", "instanceClass", "allocatedStorageGb", "maxAllocatedStorageGb", "multiAz", "monitoringIntervalSeconds", "performanceInsightsEnabled", "performanceInsightsRetentionDays", "backupRetentionDays", "deletionProtection", "readReplicas", "rdsProxy"]),
        alarms: group("alarms", ["latencyP95ThresholdMs", "errorRatePercent", "requestRatePer5Min"]),
        alerts: { emails: get<string[]>("alerts.emails"), ...optional<string>("alerts.httpsEndpoint") },
        protectStatefulResources: get<boolean>("protectStatefulResources"),
        tags: Object.fromEntries(get<string[]>("tags").map((t) => [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)])),
    });
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const child of Object.values(o)) deepFreeze(child);
    }
    return o;
}

/**
 * Read the running stack's configuration through the Pulumi runtime.
 * Invalid config stops the program with one line per problem and no stack trace.
 */
export function loadStackConfig(): StackConfig {
    const values = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the runtime but missing from its type declarations.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((k) => runtime.isConfigSecret(k)));
    const stack = pulumi.getStack();
    try {
        return parseConfig({ values, secretKeys, stack });
    } catch (e) {
        if (e instanceof ConfigError) {
            throw new pulumi.RunError(`Invalid configuration for stack ${stack} (Pulumi.${stack}.yaml):\n${e.message}`);
        }
        throw e;
    }
}
