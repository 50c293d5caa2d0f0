/**
 * AWS SDK v3 clients with bounded timeouts and retries, and one-line error
 * descriptions. Every call verify makes goes through `call`, which adds an
 * overall deadline so a stuck credential provider or endpoint cannot hang it.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";
import { VerifyError } from "./types";

/** Attempts per call (first try + retries), with the SDK's standard backoff. */
export const MAX_ATTEMPTS = 3;

export interface Clients {
    readonly region: string;
    readonly timeoutMs: number;
    readonly sts: STSClient;
    readonly cloudfront: CloudFrontClient;
    readonly autoscaling: ApplicationAutoScalingClient;
    readonly ecs: ECSClient;
    readonly rds: RDSClient;
    /** Alarms and SNS topics can live outside the stack's region (CloudFront alarms in us-east-1). */
    cloudwatch(region: string): CloudWatchClient;
    sns(region: string): SNSClient;
}

/** Constructor options every client shares: bounded attempts, each with its own timeouts. */
export function clientOptions(timeoutMs: number) {
    return {
        maxAttempts: MAX_ATTEMPTS,
        // Constructor options of the SDK's Node HTTP handler; throwOnRequestTimeout turns the
        // request timeout from a logged warning into an error the retry logic sees.
        requestHandler: {
            connectionTimeout: Math.min(timeoutMs, 5_000),
            requestTimeout: timeoutMs,
            throwOnRequestTimeout: true,
        },
    };
}

export function createClients(region: string, timeoutMs: number): Clients {
    const base = clientOptions(timeoutMs);
    const perRegion = <T>(make: (region: string) => T) => {
        const cache = new Map<string, T>();
        return (r: string) => {
            if (!cache.has(r)) cache.set(r, make(r));
            return cache.get(r) as T;
        };
    };
    return {
        region,
        timeoutMs,
        sts: new STSClient({ ...base, region }),
        cloudfront: new CloudFrontClient({ ...base, region: CLOUDFRONT_REGION }),
        autoscaling: new ApplicationAutoScalingClient({ ...base, region }),
        ecs: new ECSClient({ ...base, region }),
        rds: new RDSClient({ ...base, region }),
        cloudwatch: perRegion((r) => new CloudWatchClient({ ...base, region: r })),
        sns: perRegion((r) => new SNSClient({ ...base, region: r })),
    };
}

export function destroyClients(c: Clients, regions: readonly string[]): void {
    for (const client of [c.sts, c.cloudfront, c.autoscaling, c.ecs, c.rds]) client.destroy();
    for (const r of regions) {
        c.cloudwatch(r).destroy();
        c.sns(r).destroy();
    }
}

/**
 * Runs one SDK call with a deadline covering every attempt, the backoff between
 * them and credential resolution: `call(t, (o) => client.send(command, o))`.
 */
export async function call<T>(
    timeoutMs: number,
    run: (options: { abortSignal: AbortSignal }) => Promise<T>,
): Promise<T> {
    // One timeout per attempt plus one more for backoff and credential resolution.
    const deadlineMs = timeoutMs * (MAX_ATTEMPTS + 1);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            abort.abort();
            reject(Object.assign(new Error(`no answer within ${deadlineMs / 1000} s`), { name: "TimeoutError" }));
        }, deadlineMs);
    });
    try {
        return await Promise.race([run({ abortSignal: abort.signal }), deadline]);
    } finally {
        clearTimeout(timer);
    }
}

const errorName = (e: unknown): string => (e && typeof e === "object" && "name" in e ? String(e.name) : "Error");
const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();

export function isNotFound(e: unknown): boolean {
    return /NotFound|NoSuch/.test(errorName(e));
}

/** One line for the report: the AWS error code and its message, plus a hint where one helps. */
export function describeError(e: unknown): string {
    const name = errorName(e);
    const msg = errorMessage(e);
    if (/AccessDenied|UnauthorizedOperation|AuthorizationError/.test(name))
        return `access denied (${msg}); grant the read-only permissions listed in docs/verify.md`;
    if (name === "TimeoutError" || name === "AbortError" || /timed? ?out/i.test(msg)) return `timed out (${msg})`;
    return name === "Error" || msg.startsWith(name) ? msg : `${name}: ${msg}`;
}

export interface Identity {
    readonly account: string;
    readonly arn: string;
}

/**
 * STS GetCallerIdentity: the first call, so missing or expired credentials stop the tool (`verify`,
 * `cdn:invalidate`) with one line.
 */
export async function callerIdentity(
    c: Pick<Clients, "sts" | "region" | "timeoutMs">,
    tool = "verify",
): Promise<Identity> {
    try {
        const id = await call(c.timeoutMs, (o) => c.sts.send(new GetCallerIdentityCommand({}), o));
        return { account: id.Account ?? "unknown", arn: id.Arn ?? "unknown" };
    } catch (e) {
        throw new VerifyError(credentialsProblem(e, c.region, tool));
    }
}

function credentialsProblem(e: unknown, region: string, tool: string): string {
    const name = errorName(e);
    const msg = errorMessage(e);
    if (name === "CredentialsProviderError" || /could not load credentials/i.test(msg)) {
        return (
            "No AWS credentials found: set AWS_PROFILE (then `aws sso login` if it is an SSO " +
            `profile) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and run ${tool} again`
        );
    }
    if (/Expired|TokenRefreshRequired/i.test(name) || /expired/i.test(msg)) {
        return (
            `The AWS credentials have expired (${name}): refresh them (e.g. \`aws sso login\`) ` +
            `and run ${tool} again`
        );
    }
    if (/InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|IncompleteSignature/.test(name)) {
        return (
            `The AWS credentials were rejected (${name}): check AWS_PROFILE / AWS_ACCESS_KEY_ID ` +
            `and that the key is still active`
        );
    }
    if (/RegionDisabled|InvalidRegion/.test(name))
        return `AWS region ${region} is not enabled for this account (${name}): enable it or check the outputs' region`;
    if (
        /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT/.test(msg) ||
        name === "TimeoutError" ||
        name === "AbortError"
    ) {
        return `Cannot reach AWS STS in ${region} (${msg}): check the network, proxy (HTTPS_PROXY) and the region`;
    }
    return `Checking the AWS credentials (sts:GetCallerIdentity in ${region}) failed: ${name}: ${msg}`;
}
