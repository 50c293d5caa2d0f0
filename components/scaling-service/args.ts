/**
 * ScalingService arguments: the interface, its defaults (SLO-derived where the
 * SLO module has a number) and the construction-time validation.
 *
 * Validation checks what AWS accepts; the SLO bands (2..20 tasks, CPU 50..70 %, ...)
 * are the policy pack's job, so a stack outside them still constructs and the
 * pack reports it.
 */
import * as pulumi from "@pulumi/pulumi";
import { CLOUDWATCH_LOG_RETENTION_DAYS, FARGATE_CPU_UNITS } from "../../lib/aws-values";
import { SCALING, SLO } from "../../policies/slo";

/** Application Auto Scaling settings. Every field defaults from `SCALING` in policies/slo.ts. */
export interface ScalingSettings {
    /** Fewest running tasks; also the service's initial desired count. Default: `SCALING.tasks.min` (2). */
    readonly minTasks: number;
    /** Most running tasks. Default: `SCALING.tasks.max` (20). */
    readonly maxTasks: number;
    /** Target for `ECSServiceAverageCPUUtilization`, percent. Default: `SCALING.cpuTargetPercent.default` (60). */
    readonly cpuTargetPercent: number;
    /** Target for `ECSServiceAverageMemoryUtilization`, percent. Default: `SCALING.memoryTargetPercent.default` (70). */
    readonly memoryTargetPercent: number;
    /**
     * Target for `ALBRequestCountPerTarget`: requests per task per MINUTE (the metric is a
     * one-minute Sum), so 1000 is about 16.7 requests per second per task.
     * Default: `SCALING.requestsPerTargetPerMinute.default` (1000).
     */
    readonly requestsPerTarget: number;
    /** Scale-out cooldown of the CPU and memory policies, seconds. Default: `SCALING.defaultScaleOutCooldownSeconds` (60). */
    readonly scaleOutCooldownSeconds: number;
    /** Scale-out cooldown of the request-count policy, seconds. Default: `SCALING.defaultRequestScaleOutCooldownSeconds` (30). */
    readonly requestScaleOutCooldownSeconds: number;
    /** Scale-in cooldown of all three policies, seconds. Default: `SCALING.defaultScaleInCooldownSeconds` (300). */
    readonly scaleInCooldownSeconds: number;
}

/** Alarm thresholds. The SLO-backed ones default from `SLO` in policies/slo.ts. */
export interface AlarmSettings {
    /** ALB p95 `TargetResponseTime` threshold, milliseconds (the alarm converts to seconds). Default: `SLO.latencyP95Ms` (500). */
    readonly latencyP95ThresholdMs: number;
    /** 5xx share of requests (target + load balancer 5xx), percent. Default: `SLO.errorRate` as a percentage (5). */
    readonly errorRatePercent: number;
    /** ALB requests in one 5-minute window. Default: `SLO.requestRateAlarm.requests` (10,000). */
    readonly requestRatePer5Min: number;
    /** Service average CPU that means scaling is not keeping up, percent; sits above the scaling target. Default: 85. */
    readonly cpuHighPercent: number;
    /** Service average memory that means scaling is not keeping up, percent. Default: 85. */
    readonly memoryHighPercent: number;
    /** Width of the latency anomaly band, in standard deviations. Default: 2. */
    readonly latencyAnomalyStdDevs: number;
}

export interface ScalingServiceArgs {
    /** VPC of the service. */
    readonly vpcId: pulumi.Input<string>;
    /** VPC CIDR block: tasks may reach PostgreSQL (5432) only inside it. */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Public subnets for the internet-facing ALB (at least two AZs). */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Private subnets for the tasks; they get no public IPs and reach AWS APIs through NAT. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;

    /** Container image (registry/repository:tag or @sha256 digest). ECR images get pull rights on exactly their repository. */
    readonly image: pulumi.Input<string>;
    /** Fargate task CPU units (256 .. 16384). The CPU/memory pairing is validated by the stack config. */
    readonly cpu: number;
    /** Fargate task memory, MiB (512 .. 122880). */
    readonly memory: number;
    /** Port the API listens on (the app's PORT). Default: 3000. */
    readonly containerPort?: number;
    /** CloudWatch Logs retention of the service's log group, days (a value CloudWatch accepts). */
    readonly logRetentionDays: number;
    /** CPU architecture of the image. Default: X86_64. */
    readonly cpuArchitecture?: "X86_64" | "ARM64";
    /**
     * Mount the root filesystem read-only; `/tmp` stays writable (a task-scoped volume) and
     * the legacy local proof store is pointed there. Default: true.
     */
    readonly readonlyRootFilesystem?: boolean;
    /** Extra container environment variables. They may not override the ones the component sets. Default: none. */
    readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Container secrets: env var name -> Secrets Manager secret ARN (optionally with a
     * `:json-key::` suffix). The execution role may read exactly these secrets. Default: none.
     */
    readonly secrets?: Readonly<Record<string, pulumi.Input<string>>>;

    /** Autoscaling; each field defaults from the SLO module. */
    readonly scaling?: Partial<ScalingSettings>;

    /**
     * ACM certificate (in the stack's region) for the ALB's HTTPS listener. With it the ALB
     * serves HTTPS on 443 and port 80 redirects (301); without it (dev) the ALB serves plain
     * HTTP on 80 and CloudFront must use an `http-only` origin. Default: none.
     */
    readonly certificateArn?: pulumi.Input<string>;
    /** TLS policy of the HTTPS listener. Default: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (TLS 1.3 + 1.2, forward secrecy only). */
    readonly sslPolicy?: string;
    /**
     * Value of the `X-Origin-Verify` header (lib/origin.ts) that CloudFront adds. The ALB
     * forwards only requests carrying it and answers everything else with a fixed 403.
     * 16..128 characters, no `*` or `?` (ALB treats them as wildcards); pass it as a secret.
     */
    readonly originVerifySecret: pulumi.Input<string>;

    /** Proofs bucket; the app gets it as STORAGE_BUCKET. */
    readonly proofsBucketName: pulumi.Input<string>;
    /** Proofs bucket ARN; the task role may read and write `proofs/*` in it and nothing else. */
    readonly proofsBucketArn: pulumi.Input<string>;
    /** KMS key of the proofs bucket, when it is encrypted with a customer-managed key. Default: none (SSE-S3). */
    readonly proofsKmsKeyArn?: pulumi.Input<string>;

    /** SNS topic every alarm notifies on ALARM and on OK. */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Alarm thresholds; the SLO-backed ones default from the SLO module. */
    readonly alarms?: Partial<AlarmSettings>;

    /** Seconds the ALB lets in-flight requests (50 MB uploads) finish on a deregistering task. Default: 30. */
    readonly deregistrationDelaySeconds?: number;
}

/** Arguments with every default applied, after validation. */
export interface ResolvedArgs extends Omit<ScalingServiceArgs, "scaling" | "alarms"> {
    readonly containerPort: number;
    readonly cpuArchitecture: "X86_64" | "ARM64";
    readonly readonlyRootFilesystem: boolean;
    readonly sslPolicy: string;
    readonly deregistrationDelaySeconds: number;
    readonly scaling: ScalingSettings;
    readonly alarms: AlarmSettings;
}

export const DEFAULT_CONTAINER_PORT = 3000;
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

const FARGATE_CPU = FARGATE_CPU_UNITS;
const LOG_RETENTION_DAYS = CLOUDWATCH_LOG_RETENTION_DAYS;
/** Application Auto Scaling and ECS accept far more; above this a typo is likelier than intent. */
const MAX_TASKS = 5000;
const MAX_COOLDOWN_SECONDS = 3600;

export function defaultScaling(): ScalingSettings {
    return {
        minTasks: SCALING.tasks.min,
        maxTasks: SCALING.tasks.max,
        cpuTargetPercent: SCALING.cpuTargetPercent.default,
        memoryTargetPercent: SCALING.memoryTargetPercent.default,
        requestsPerTarget: SCALING.requestsPerTargetPerMinute.default,
        scaleOutCooldownSeconds: SCALING.defaultScaleOutCooldownSeconds,
        requestScaleOutCooldownSeconds: SCALING.defaultRequestScaleOutCooldownSeconds,
        scaleInCooldownSeconds: SCALING.defaultScaleInCooldownSeconds,
    };
}

export function defaultAlarms(): AlarmSettings {
    return {
        latencyP95ThresholdMs: SLO.latencyP95Ms,
        // toFixed drops float noise such as 0.07 * 100 = 7.000000000000001.
        errorRatePercent: Number((SLO.errorRate * 100).toFixed(6)),
        requestRatePer5Min: SLO.requestRateAlarm.requests,
        cpuHighPercent: 85,
        memoryHighPercent: 85,
        latencyAnomalyStdDevs: 2,
    };
}

/** Apply defaults and validate; throws one line naming the argument, its value and the allowed range. */
export function resolveArgs(name: string, args: ScalingServiceArgs): ResolvedArgs {
    const fail = (line: string): never => {
        throw new Error(`ScalingService ${name}: ${line}`);
    };
    const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));
    const between = (arg: string, v: number, min: number, max: number, unit = "", whole = true) => {
        if (typeof v !== "number" || !Number.isFinite(v) || (whole && !Number.isInteger(v)) || v < min || v > max) {
            fail(`${arg} = ${show(v)} must be ${whole ? "a whole number " : ""}between ${min} and ${max}${unit}`);
        }
    };
    const oneOf = (arg: string, v: number, allowed: readonly number[]) => {
        if (!allowed.includes(v)) fail(`${arg} = ${show(v)} must be one of ${allowed.join(", ")}`);
    };

    const scaling: ScalingSettings = { ...defaultScaling(), ...definedOnly(args.scaling) };
    const alarms: AlarmSettings = { ...defaultAlarms(), ...definedOnly(args.alarms) };
    const containerPort = args.containerPort ?? DEFAULT_CONTAINER_PORT;
    const deregistrationDelaySeconds = args.deregistrationDelaySeconds ?? 30;

    oneOf("cpu", args.cpu, FARGATE_CPU);
    between("memory", args.memory, 512, 122880, " MiB");
    between("containerPort", containerPort, 1, 65535);
    oneOf("logRetentionDays", args.logRetentionDays, LOG_RETENTION_DAYS);
    between("deregistrationDelaySeconds", deregistrationDelaySeconds, 0, 3600, " s");

    between("scaling.minTasks", scaling.minTasks, 1, MAX_TASKS);
    between("scaling.maxTasks", scaling.maxTasks, 1, MAX_TASKS);
    if (scaling.minTasks > scaling.maxTasks) fail(`scaling.minTasks = ${scaling.minTasks} must be <= scaling.maxTasks (${scaling.maxTasks})`);
    between("scaling.cpuTargetPercent", scaling.cpuTargetPercent, 1, 100, "", false);
    between("scaling.memoryTargetPercent", scaling.memoryTargetPercent, 1, 100, "", false);
    between("scaling.requestsPerTarget", scaling.requestsPerTarget, 1, 1_000_000);
    between("scaling.scaleOutCooldownSeconds", scaling.scaleOutCooldownSeconds, 0, MAX_COOLDOWN_SECONDS, " s");
    between("scaling.requestScaleOutCooldownSeconds", scaling.requestScaleOutCooldownSeconds, 0, MAX_COOLDOWN_SECONDS, " s");
    between("scaling.scaleInCooldownSeconds", scaling.scaleInCooldownSeconds, 0, MAX_COOLDOWN_SECONDS, " s");

    between("alarms.latencyP95ThresholdMs", alarms.latencyP95ThresholdMs, 1, 60_000, " ms");
    between("alarms.errorRatePercent", alarms.errorRatePercent, 0.01, 100, "", false);
    between("alarms.requestRatePer5Min", alarms.requestRatePer5Min, 1, 1_000_000_000);
    between("alarms.cpuHighPercent", alarms.cpuHighPercent, 1, 100, "", false);
    between("alarms.memoryHighPercent", alarms.memoryHighPercent, 1, 100, "", false);
    between("alarms.latencyAnomalyStdDevs", alarms.latencyAnomalyStdDevs, 0.1, 10, "", false);

    if (typeof args.originVerifySecret === "string") {
        const problem = originSecretProblem(args.originVerifySecret);
        if (problem) fail(`originVerifySecret ${problem}`);
    }
    for (const key of Object.keys(args.environment ?? {})) {
        if (MANAGED_ENV.includes(key)) fail(`environment.${key} is set by the component; remove it (managed: ${MANAGED_ENV.join(", ")})`);
    }
    for (const key of Object.keys(args.secrets ?? {})) {
        if (MANAGED_ENV.includes(key) || key in (args.environment ?? {})) fail(`secrets.${key} collides with an environment variable of the same name`);
    }

    return {
        ...args,
        containerPort,
        cpuArchitecture: args.cpuArchitecture ?? "X86_64",
        readonlyRootFilesystem: args.readonlyRootFilesystem ?? true,
        sslPolicy: args.sslPolicy ?? DEFAULT_SSL_POLICY,
        deregistrationDelaySeconds,
        scaling,
        alarms,
    };
}

/** Environment variables the component owns (see credlink-origin.md §3 for the STORAGE_* names the app reads). */
export const MANAGED_ENV = ["PORT", "NODE_ENV", "STORAGE_PROVIDER", "STORAGE_BUCKET", "STORAGE_REGION", "PROOF_STORAGE_PATH", "TMPDIR"];

/** Why a header value cannot serve as the origin secret, or undefined when it can. */
export function originSecretProblem(secret: string): string | undefined {
    // The value itself never goes into the message: it is a secret.
    if (secret.length < 16 || secret.length > 128) return `has ${secret.length} characters; it must have between 16 and 128`;
    if (/[*?]/.test(secret)) return "contains * or ?, which the ALB header condition treats as wildcards";
    return undefined;
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
