/**
 * ScalingService arguments: the wiring the stack hands in (VPC, subnets, topics,
 * the proofs bucket) plus the settings of ./settings.ts, validated with the same
 * schemas and defaults the stack config uses.
 */
import * as pulumi from "@pulumi/pulumi";
import { argName, type GroupInput, resolve } from "../../lib/settings";
import {
    ALARM_SETTINGS,
    type AlarmSettings,
    MANAGED_ENV,
    SCALING_SETTINGS,
    SERVICE_SETTINGS,
    type ScalingSettings,
    type ServiceSettings,
} from "./settings";

export type { AlarmSettings, ScalingSettings, ServiceSettings };
export { MANAGED_ENV };

/** The database the API connects to: the component sets PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGUSER, PGPASSWORD. */
export interface ServiceDatabaseArgs {
    /** Host name (the RDS Proxy endpoint, or the instance's address). */
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    readonly name: pulumi.Input<string>;
    /**
     * ARN of the Secrets Manager secret holding `username` and `password` (RDS's managed master user
     * secret); the execution role may read it and nothing else of the kind.
     */
    readonly credentialsSecretArn: pulumi.Input<string>;
}

/**
 * The service settings (image, cpu, memory, containerPort, logRetentionDays, cpuArchitecture,
 * readonlyRootFilesystem, sslPolicy, deregistrationDelaySeconds, environment, secrets) are described,
 * with their defaults and limits, in SERVICE_SETTINGS (./settings.ts); `image` is required.
 */
export interface ScalingServiceArgs extends Omit<GroupInput<typeof SERVICE_SETTINGS>, "environment" | "secrets"> {
    /** VPC of the service. */
    readonly vpcId: pulumi.Input<string>;
    /** VPC CIDR block: tasks may reach PostgreSQL (5432) only inside it. */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Public subnets for the internet-facing ALB (at least two AZs). */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Private subnets for the tasks; they get no public IPs and reach AWS APIs through NAT. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;

    /**
     * Extra container environment variables (`service.environment`). They may not use the names the
     * component sets (MANAGED_ENV). Default: none.
     */
    readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Container secrets (`service.secrets`): variable name -> full ARN of a Secrets Manager secret
     * (optionally with a `:<json-key>:<version-stage>:<version-id>` suffix) or of an SSM parameter. The
     * execution role may read exactly these. Default: none.
     */
    readonly secrets?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Base URL of the proof URIs the API hands out (its PROOF_URI_DOMAIN; the API appends `/<uuid>`):
     * `https://<public host><proofs path>`, e.g. the CDN's `proofsBaseUrl`. https, no trailing slash.
     */
    readonly proofUriDomain: pulumi.Input<string>;
    /** The database connection. Default: none (no PG* variables). */
    readonly database?: ServiceDatabaseArgs;

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
    extends
        Omit<ScalingServiceArgs, "scaling" | "alarms" | keyof ServiceSettings>,
        Omit<ServiceSettings, "environment" | "secrets"> {
    readonly scaling: ScalingSettings;
    readonly alarms: AlarmSettings;
    readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
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
    // Known now: checked now. An Output (the CDN's URL of a new distribution): checked once known.
    const proofUriDomain =
        typeof args.proofUriDomain === "string"
            ? checkProofUriDomain(name, args.proofUriDomain)
            : pulumi.output(args.proofUriDomain).apply((url) => checkProofUriDomain(name, url));
    return { ...args, ...service, scaling, alarms, proofUriDomain };
}

const PROOF_URI_DOMAIN = /^https:\/\/[a-z0-9.-]+\.[a-z]{2,63}(\/[A-Za-z0-9._~-]+)*$/;

/** The URL when it can serve as PROOF_URI_DOMAIN; throws one line otherwise. */
export function checkProofUriDomain(name: string, url: string): string {
    if (!PROOF_URI_DOMAIN.test(url)) {
        throw new Error(
            `ScalingService ${name}: proofUriDomain = ${JSON.stringify(url)} must be an https:// URL of a ` +
                `lower-case host and an optional path, without a trailing slash, e.g. https://api.example.com/proofs ` +
                `(the API appends /<uuid>)`,
        );
    }
    return url;
}

/** Why a header value cannot serve as the origin secret, or undefined when it can. */
export function originSecretProblem(secret: string): string | undefined {
    // The value itself never goes into the message: it is a secret.
    if (secret.length < 16 || secret.length > 128)
        return `has ${secret.length} characters; it must have between 16 and 128`;
    if (/[*?]/.test(secret)) return "contains * or ?, which the ALB header condition treats as wildcards";
    return undefined;
}
