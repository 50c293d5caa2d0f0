/**
 * The ScalingService's settings, declared once: the stack config reads them as
 * `credlink:service.*`, `credlink:scaling.*` and `credlink:alarms.*`, and the
 * component validates its args with the same schemas and defaults. Defaults that
 * are SLO numbers come from policies/slo.ts.
 *
 * Limits are what AWS accepts; the SLO bands (2..20 tasks, CPU 50..70 %, ...) are
 * the policy pack's job, so a stack outside them still constructs and the pack
 * reports it.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../policies/aws/cloudwatch";
import { FARGATE_CPU_UNITS, FARGATE_MEMORY_MIB } from "../../policies/aws/ecs";
import {
    flag,
    group,
    matching,
    nonEmptyString,
    oneOf,
    setting,
    type ValuesOfGroup,
    wholeNumber,
} from "../../lib/settings";
import { SCALING, SLO } from "../../policies/slo";
import { secretRefProblem } from "./secret-refs";

/** Tasks per ECS service: AWS's service quota. */
const MAX_TASKS = 5000;
/**
 * Predictive scaling modes: `off`, or Application Auto Scaling's ForecastOnly / ForecastAndScale
 * (API_PredictiveScalingPolicyConfiguration `Mode`).
 */
export const PREDICTIVE_MODES = ["off", "forecastOnly", "forecastAndScale"] as const;
export type PredictiveMode = (typeof PREDICTIVE_MODES)[number];
/** `SchedulingBufferTime` must be less than the 3600 s forecast interval. */
const MAX_SCHEDULING_BUFFER_SECONDS = 3599;
const MAX_COOLDOWN_SECONDS = 3600;
const percent = wholeNumber(1, 100, " %");
const cooldown = wholeNumber(0, MAX_COOLDOWN_SECONDS, " s");

/**
 * Container environment variables the component sets itself (credlink-origin.md §3 for the STORAGE_*
 * names the app reads); `service.environment` and `service.secrets` may not use them.
 */
export const MANAGED_ENV = [
    "PORT",
    "NODE_ENV",
    "STORAGE_PROVIDER",
    "STORAGE_BUCKET",
    "STORAGE_REGION",
    "PROOF_STORAGE_PATH",
    "TMPDIR",
    "PROOF_URI_DOMAIN",
    "PGHOST",
    "PGPORT",
    "PGDATABASE",
    "PGSSLMODE",
    "PGUSER",
    "PGPASSWORD",
] as const;

/** A POSIX environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/**
 * A map of environment variable names to values, checked entry by entry so the problem line names
 * the variable (`credlink:service.environment.PORT = ...`). `value` returns the value to keep, or
 * the problem. Values that are Pulumi Outputs (a component caller's, known only at deployment)
 * pass through unchecked, as top-level Outputs do in `resolve`.
 */
function variableMap(what: string, value: (v: unknown) => { ok: string } | { problem: string }) {
    return z.unknown().transform((input, ctx): Record<string, string> => {
        if (typeof input !== "object" || input === null || Array.isArray(input)) {
            ctx.addIssue({ code: "custom", message: `must be a map of environment variable names to ${what}` });
            return z.NEVER;
        }
        const out: Record<string, string> = {};
        for (const [name, raw] of Object.entries(input)) {
            const fail = (message: string) => {
                ctx.addIssue({ code: "custom", message, path: [name] });
                return z.NEVER;
            };
            if (!ENV_NAME.test(name))
                return fail("has a name that is not an environment variable name (letters, digits and _, not first)");
            if ((MANAGED_ENV as readonly string[]).includes(name))
                return fail(`is reserved: the service sets it itself (reserved: ${MANAGED_ENV.join(", ")})`);
            if (pulumi.Output.isInstance(raw)) {
                out[name] = raw as unknown as string;
                continue;
            }
            const checked = value(raw);
            if ("problem" in checked) return fail(checked.problem);
            out[name] = checked.ok;
        }
        return out;
    });
}

/** Plain values; `pulumi config set --path` stores integers and booleans as such, the container gets text. */
const environmentValue = (v: unknown): { ok: string } | { problem: string } =>
    typeof v === "string"
        ? { ok: v }
        : (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean"
          ? { ok: String(v) }
          : { problem: "must be a string, number or boolean" };

const secretValue = (v: unknown): { ok: string } | { problem: string } => {
    const problem = secretRefProblem(typeof v === "string" ? v : "");
    return problem === undefined ? { ok: v as string } : { problem };
};

export const SERVICE_SETTINGS = group(
    {
        image: setting(
            "string",
            "Container image of the CredLink API (registry/repository:tag or @sha256 digest).",
            nonEmptyString,
            { required: true },
        ),
        cpu: setting("integer", "Fargate task CPU units.", oneOf(FARGATE_CPU_UNITS), { default: 1024 }),
        memory: setting(
            "integer",
            "Fargate task memory in MiB; must be valid for service.cpu.",
            wholeNumber(512, 122880, " MiB"),
            { default: 2048 },
        ),
        containerPort: setting(
            "integer",
            "Port the API listens on inside the container (the app's PORT).",
            wholeNumber(1, 65535),
            { default: 3000 },
        ),
        logRetentionDays: setting(
            "integer",
            "CloudWatch Logs retention for the service's logs, days.",
            oneOf(CLOUDWATCH_LOG_RETENTION_DAYS, "a CloudWatch Logs retention:"),
            { default: 30 },
        ),
        cpuArchitecture: setting(
            "string",
            "CPU architecture of the image: X86_64 or ARM64 (Graviton).",
            oneOf(["X86_64", "ARM64"] as const),
            { default: "X86_64" },
        ),
        readonlyRootFilesystem: setting(
            "boolean",
            "Mount the container's root filesystem read-only (/tmp stays writable).",
            flag,
            { default: true },
        ),
        sslPolicy: setting(
            "string",
            "TLS policy of the ALB's HTTPS listener.",
            matching(
                /^ELBSecurityPolicy-[A-Za-z0-9-]+$/,
                "must be an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            ),
            {
                default: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            },
        ),
        deregistrationDelaySeconds: setting(
            "integer",
            "Seconds the ALB lets in-flight requests (50 MB uploads) finish on a deregistering task.",
            wholeNumber(0, 3600, " s"),
            { default: 30 },
        ),
        environment: setting(
            "object",
            "Extra environment variables of the API container, NAME: value (the API's own settings, e.g. " +
                "RATE_LIMIT_MAX for load runs). Plain text in the task definition: put secrets in " +
                "service.secrets. Names the stack sets itself are refused.",
            variableMap("values", environmentValue),
            {
                default: {},
                plaintext:
                    "its values are stored in plain text in the ECS task definition; keep secret values in " +
                    "Secrets Manager or SSM Parameter Store and reference them in credlink:service.secrets",
            },
        ),
        secrets: setting(
            "object",
            "Secrets of the API container, NAME: full ARN of a Secrets Manager secret (optionally " +
                "with :<json-key>:: after it) or of an SSM parameter. The execution role may read exactly these.",
            variableMap("secret ARNs", secretValue),
            { default: {} },
        ),
    },
    {
        rules: [
            (v, at) => {
                const both = Object.keys(v.secrets ?? {}).find((name) => name in (v.environment ?? {}));
                return both === undefined
                    ? undefined
                    : `${at("secrets")}.${both} is also set in ${at("environment")}: a variable comes from ` +
                          `one or the other`;
            },
            (v, at) =>
                v.cpu === undefined || v.memory === undefined || FARGATE_MEMORY_MIB[v.cpu]?.(v.memory)
                    ? undefined
                    : `${at("memory")} = ${v.memory} is not a valid Fargate memory size for ` +
                      `${at("cpu")} (${v.cpu}); see the Fargate task size table in the AWS ECS docs`,
        ],
    },
);

export const SCALING_SETTINGS = group(
    {
        minTasks: setting(
            "integer",
            "Minimum running tasks; also the service's initial desired count.",
            wholeNumber(1, MAX_TASKS),
            { default: SCALING.tasks.min },
        ),
        maxTasks: setting("integer", "Maximum running tasks.", wholeNumber(1, MAX_TASKS), {
            default: SCALING.tasks.max,
        }),
        cpuTargetPercent: setting("integer", "Target-tracking target for average service CPU, percent.", percent, {
            default: SCALING.cpuTargetPercent.default,
        }),
        memoryTargetPercent: setting(
            "integer",
            "Target-tracking target for average service memory, percent.",
            percent,
            { default: SCALING.memoryTargetPercent.default },
        ),
        requestsPerTarget: setting(
            "integer",
            "Target-tracking target for ALBRequestCountPerTarget: requests per task per MINUTE.",
            wholeNumber(1, 1_000_000),
            {
                default: SCALING.requestsPerTargetPerMinute.default,
            },
        ),
        scaleOutCooldownSeconds: setting(
            "integer",
            "Scale-out cooldown of the CPU and memory policies, seconds.",
            cooldown,
            { default: SCALING.defaultScaleOutCooldownSeconds },
        ),
        requestScaleOutCooldownSeconds: setting(
            "integer",
            "Scale-out cooldown of the request-count policy, seconds.",
            cooldown,
            { default: SCALING.defaultRequestScaleOutCooldownSeconds },
        ),
        scaleInCooldownSeconds: setting("integer", "Scale-in cooldown of all three policies, seconds.", cooldown, {
            default: SCALING.defaultScaleInCooldownSeconds,
        }),
        predictive: setting(
            "string",
            "Predictive scaling on the ALB request count, next to target tracking: off, forecastOnly (forecasts " +
                "only, to compare with the load) or forecastAndScale (launches tasks ahead of the forecast, never " +
                "above maxTasks; target tracking still scales out on live load). Needs 24 h of metrics.",
            oneOf(PREDICTIVE_MODES),
            { default: "off" },
        ),
        predictiveBufferSeconds: setting(
            "integer",
            "How many seconds before each forecast hour predictive scaling launches the tasks (covers Fargate " +
                "start-up and the first ALB health checks).",
            wholeNumber(0, MAX_SCHEDULING_BUFFER_SECONDS, " s"),
            { default: 300 },
        ),
    },
    {
        rules: [
            (v, at) =>
                v.minTasks === undefined || v.maxTasks === undefined || v.minTasks <= v.maxTasks
                    ? undefined
                    : `${at("minTasks")} = ${v.minTasks} must be <= ${at("maxTasks")} (${v.maxTasks})`,
        ],
    },
);

export const ALARM_SETTINGS = group({
    latencyP95ThresholdMs: setting(
        "integer",
        "Alarm when ALB p95 TargetResponseTime exceeds this, milliseconds (the alarm converts to seconds).",
        wholeNumber(1, 60_000, " ms"),
        { default: SLO.latencyP95Ms },
    ),
    errorRatePercent: setting(
        "integer",
        "Alarm when the 5xx share of requests (target + load balancer) exceeds this, percent.",
        percent,
        {
            // toFixed drops float noise such as 0.07 * 100 = 7.000000000000001.
            default: Number((SLO.errorRate * 100).toFixed(6)),
        },
    ),
    requestRatePer5Min: setting(
        "integer",
        "Alarm when ALB requests in one 5-minute window exceed this.",
        wholeNumber(1, 1_000_000_000),
        { default: SLO.requestRateAlarm.requests },
    ),
    cpuHighPercent: setting(
        "integer",
        "Alarm when service average CPU stays above this, percent: scaling is not keeping up (sits " +
            "above the scaling target).",
        percent,
        { default: 85 },
    ),
    memoryHighPercent: setting("integer", "Alarm when service average memory stays above this, percent.", percent, {
        default: 85,
    }),
    latencyAnomalyStdDevs: setting(
        "integer",
        "Width of the latency anomaly-detection band, standard deviations.",
        wholeNumber(1, 10),
        { default: 2 },
    ),
});

export type ServiceSettings = ValuesOfGroup<typeof SERVICE_SETTINGS>;
export type ScalingSettings = ValuesOfGroup<typeof SCALING_SETTINGS>;
export type AlarmSettings = ValuesOfGroup<typeof ALARM_SETTINGS>;
