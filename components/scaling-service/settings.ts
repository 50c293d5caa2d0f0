/**
 * The ScalingService's settings, declared once: the stack config reads them as
 * `credlink:service.*`, `credlink:scaling.*` and `credlink:alarms.*`, and the
 * component validates its args with the same schemas and defaults. Defaults that
 * are SLO numbers come from policies/slo.ts.
 *
 * Limits are what AWS accepts; the SLO bands (CPU 50..70 %, ...) are the policy
 * pack's job, so a stack outside them still constructs and the pack reports it.
 * The exception is capacity: the task ceiling and the request-count target are a
 * plan derived from what one task sustains (policies/capacity-plan.ts), and a value
 * set explicitly that cannot carry the planned peak is a configuration error.
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
import { type CapacitySettings, planCapacity } from "../../policies/capacity-plan";
import { CAPACITY, SCALING, SLO } from "../../policies/slo";
import { secretRefProblem } from "./secret-refs";

/** Tasks per ECS service: AWS's service quota. */
export const MAX_TASKS = 5000;
/** A request rate one task could plausibly sustain, requests per second. */
const MAX_TASK_RPS = 100_000;
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

const taskRate: z.ZodType<number> = z
    .number({ error: "must be a number of requests per second" })
    .refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_TASK_RPS, {
        error: `must be a number of requests per second greater than 0 and at most ${MAX_TASK_RPS}`,
    });

const utilization: z.ZodType<number> = z
    .number({ error: "must be a number between 0.1 and 1" })
    .min(0.1, { error: "must be between 0.1 and 1" })
    .max(1, { error: "must be between 0.1 and 1" });

/** The settings a capacity plan reads, or undefined when one is known only at deployment (an Output). */
function planInputs(v: Readonly<Partial<Record<keyof CapacitySettings, unknown>>>): CapacitySettings | undefined {
    const keys: readonly (keyof CapacitySettings)[] = [
        "minTasks",
        "maxTasks",
        "requestsPerTarget",
        "taskCapacityRps",
        "targetUtilization",
        "peakRequestsPerSecond",
        "peakHeadroomPercent",
    ];
    return keys.every((k) => v[k] === undefined || typeof v[k] === "number") ? (v as CapacitySettings) : undefined;
}

export const SCALING_SETTINGS = group(
    {
        minTasks: setting(
            "integer",
            "Minimum running tasks; also the service's initial desired count.",
            wholeNumber(1, MAX_TASKS),
            { default: SCALING.tasks.min },
        ),
        maxTasks: setting(
            "integer",
            "Maximum running tasks. When set, it must carry peakRequestsPerSecond plus headroom at " +
                "requestsPerTarget.",
            wholeNumber(1, MAX_TASKS),
            {
                derived:
                    "max(minTasks, ceil(peakRequestsPerSecond × (1 + peakHeadroomPercent / 100) × 60 / " +
                    "requestsPerTarget))",
            },
        ),
        taskCapacityRps: setting(
            "number",
            "Requests per second ONE task sustains within the SLO (p95 < 500 ms, errors < 5 %): measured with " +
                "the k6 capacity test, or a planning assumption. maxTasks and requestsPerTarget derive from it.",
            taskRate,
        ),
        taskCapacitySource: setting(
            "string",
            "Where scaling.taskCapacityRps came from: a measurement's date and report path, or a text " +
                "starting with 'planning assumption:'. Required with taskCapacityRps.",
            nonEmptyString,
        ),
        targetUtilization: setting(
            "number",
            "Share of taskCapacityRps the request-count target aims at, 0.1..1: the rest absorbs bursts while " +
                "new tasks start.",
            utilization,
            { default: CAPACITY.targetUtilization },
        ),
        peakRequestsPerSecond: setting(
            "integer",
            "Peak request rate the service must carry at its scaling target, requests per second.",
            wholeNumber(1, 1_000_000),
            { default: SLO.peakRequestsPerSecond },
        ),
        peakHeadroomPercent: setting(
            "integer",
            "Headroom above peakRequestsPerSecond that maxTasks is planned for, percent.",
            wholeNumber(0, 1000, " %"),
            { default: CAPACITY.peakHeadroomPercent },
        ),
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
            "Target-tracking target for ALBRequestCountPerTarget: requests per task per MINUTE. When set, at " +
                "most what one task sustains at targetUtilization.",
            wholeNumber(1, 1_000_000),
            { derived: "round(taskCapacityRps × targetUtilization × 60)" },
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
        derive(v, at) {
            const inputs = planInputs(v);
            // Values known only at deployment cannot be planned; given explicitly, they pass unchecked.
            if (inputs === undefined)
                return v.maxTasks !== undefined && v.requestsPerTarget !== undefined
                    ? {}
                    : { problems: [`${at("maxTasks")} and ${at("requestsPerTarget")} need plain numbers to derive`] };
            const r = planCapacity(inputs, (key) => at(key), MAX_TASKS);
            if (r.problems) return { problems: r.problems };
            return { values: { maxTasks: r.plan.maxTasks, requestsPerTarget: r.plan.requestsPerTarget } };
        },
        rules: [
            (v, at) =>
                v.minTasks === undefined || v.maxTasks === undefined || v.minTasks <= v.maxTasks
                    ? undefined
                    : `${at("minTasks")} = ${v.minTasks} must be <= ${at("maxTasks")} (${v.maxTasks})`,
            (v, at) =>
                v.taskCapacityRps === undefined || v.taskCapacitySource !== undefined
                    ? undefined
                    : `${at("taskCapacitySource")} is required with ${at("taskCapacityRps")} ` +
                      `(${String(v.taskCapacityRps)}): say where that figure came from, a measurement's date and ` +
                      `report path or "planning assumption: ..."`,
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
