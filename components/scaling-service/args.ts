/**
 * ScalingService arguments: the wiring the stack hands in (VPC, subnets, topics,
 * the proofs bucket) plus the settings of ./settings.ts, validated with the same
 * schemas and defaults the stack config uses.
 */
import type * as pulumi from "@pulumi/pulumi";
import { argName, type GroupInput, resolve } from "../../lib/settings";
import {
    ALARM_SETTINGS,
    type AlarmSettings,
    SCALING_SETTINGS,
    SERVICE_SETTINGS,
    type ScalingSettings,
    type ServiceSettings,
} from "./settings";

export type { AlarmSettings, ScalingSettings, ServiceSettings };

/**
 * The service settings (image, cpu, memory, containerPort, logRetentionDays, cpuArchitecture,
 * readonlyRootFilesystem, sslPolicy, deregistrationDelaySeconds) are described, with their
 * defaults and limits, in SERVICE_SETTINGS (./settings.ts); `image` is required.
 */
export interface ScalingServiceArgs extends GroupInput<typeof SERVICE_SETTINGS> {
    /** VPC of the service. */
    readonly vpcId: pulumi.Input<string>;
    /** VPC CIDR block: tasks may reach PostgreSQL (5432) only inside it. */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Public subnets for the internet-facing ALB (at least two AZs). */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Private subnets for the tasks; they get no public IPs and reach AWS APIs through NAT. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;

    /** Extra container environment variables. They may not override the ones the component sets. Default: none. */
    readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Container secrets: env var name -> Secrets Manager secret ARN (optionally with a
     * `:json-key::` suffix). The execution role may read exactly these secrets. Default: none.
     */
    readonly secrets?: Readonly<Record<string, pulumi.Input<string>>>;

    /** Autoscaling: SCALING_SETTINGS in ./settings.ts, each field defaulting from the SLO module. */
    readonly scaling?: GroupInput<typeof SCALING_SETTINGS>;

    /**
     * ACM certificate (in the stack's region) for the ALB's HTTPS listener. With it the ALB
     * serves HTTPS on 443 and port 80 redirects (301); without it (dev) the ALB serves plain
     * HTTP on 80 and CloudFront must use an `http-only` origin. Default: none.
     */
    readonly certificateArn?: pulumi.Input<string>;
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
    /** Alarm thresholds: ALARM_SETTINGS in ./settings.ts; the SLO-backed ones default from the SLO module. */
    readonly alarms?: GroupInput<typeof ALARM_SETTINGS>;
}

/** Arguments with every default applied, after validation. */
export interface ResolvedArgs
    extends Omit<ScalingServiceArgs, "scaling" | "alarms" | keyof ServiceSettings>, ServiceSettings {
    readonly scaling: ScalingSettings;
    readonly alarms: AlarmSettings;
}

/** Apply defaults and validate; throws one line naming the argument, its value and the allowed range. */
export function resolveArgs(name: string, args: ScalingServiceArgs): ResolvedArgs {
    const fail = (line: string): never => {
        throw new Error(`ScalingService ${name}: ${line}`);
    };
    const check = <V>(r: { values: V; problems: readonly string[] }): V =>
        r.problems.length > 0 ? fail(r.problems[0]) : r.values;
    const service = check(resolve(SERVICE_SETTINGS, args, { at: argName() }));
    const scaling = check(resolve(SCALING_SETTINGS, args.scaling, { at: argName("scaling.") }));
    const alarms = check(resolve(ALARM_SETTINGS, args.alarms, { at: argName("alarms.") }));

    if (typeof args.originVerifySecret === "string") {
        const problem = originSecretProblem(args.originVerifySecret);
        if (problem) fail(`originVerifySecret ${problem}`);
    }
    for (const key of Object.keys(args.environment ?? {})) {
        if (MANAGED_ENV.includes(key))
            fail(`environment.${key} is set by the component; remove it (managed: ${MANAGED_ENV.join(", ")})`);
    }
    for (const key of Object.keys(args.secrets ?? {})) {
        if (MANAGED_ENV.includes(key) || key in (args.environment ?? {}))
            fail(`secrets.${key} collides with an environment variable of the same name`);
    }
    return { ...args, ...service, scaling, alarms };
}

/** Environment variables the component owns (see credlink-origin.md §3 for the STORAGE_* names the app reads). */
export const MANAGED_ENV = [
    "PORT",
    "NODE_ENV",
    "STORAGE_PROVIDER",
    "STORAGE_BUCKET",
    "STORAGE_REGION",
    "PROOF_STORAGE_PATH",
    "TMPDIR",
];

/** Why a header value cannot serve as the origin secret, or undefined when it can. */
export function originSecretProblem(secret: string): string | undefined {
    // The value itself never goes into the message: it is a secret.
    if (secret.length < 16 || secret.length > 128)
        return `has ${secret.length} characters; it must have between 16 and 128`;
    if (/[*?]/.test(secret)) return "contains * or ?, which the ALB header condition treats as wildcards";
    return undefined;
}
