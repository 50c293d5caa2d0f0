/**
 * `npm run cdn:invalidate`: invalidate a stack's CloudFront entry documents and wait until the
 * invalidation has completed. Static assets are deployed under content-hashed names and cached
 * for a year, so only the few unhashed entry documents that name them need invalidating
 * (docs/cdn.md). Exit codes: 0 completed, 1 not completed (failed, or still in progress at the
 * wait limit), 2 bad input or environment (flags, outputs, stack file, credentials, permissions).
 */
import { randomUUID } from "node:crypto";
import {
    CloudFrontClient,
    CreateInvalidationCommand,
    waitUntilInvalidationCompleted,
} from "@aws-sdk/client-cloudfront";
import { STSClient } from "@aws-sdk/client-sts";
import { CLOUDFRONT_REGION } from "../../policies/aws/cloudfront";
import { call, callerIdentity, clientOptions } from "../verify/aws";
import { loadOutputs, type PulumiRunner } from "../verify/outputs";
import { readStackConfig, shortStackName } from "../verify/stack-config";
import { VerifyError } from "../verify/types";

/** The unhashed documents that name the hashed assets: invalidated on every deploy. */
export const ENTRY_DOCUMENTS = ["index.html"] as const;
const TOOL = "cdn:invalidate";

export interface InvalidateOptions {
    readonly stack: string;
    readonly outputsFile?: string;
    /** The distribution, instead of the stack outputs (which then are not read). */
    readonly distributionId?: string;
    /** Paths to invalidate; default: ENTRY_DOCUMENTS under the stack's static path. */
    readonly paths?: readonly string[];
    readonly maxWaitSeconds: number;
    /** Per AWS request attempt. */
    readonly timeoutMs: number;
}

export interface InvalidateClients {
    readonly sts: STSClient;
    readonly cloudfront: CloudFrontClient;
}

export interface InvalidateDeps {
    readonly projectDir: string;
    readonly print: (line: string) => void;
    readonly runPulumi?: PulumiRunner;
    readonly createClients?: (region: string, timeoutMs: number) => InvalidateClients;
    /** The waiter's polling delays, seconds (CloudFront's own defaults: 20 and 600). */
    readonly pollSeconds?: { readonly min: number; readonly max: number };
    readonly now?: () => number;
}

export interface InvalidateRun {
    readonly exitCode: 0 | 1 | 2;
    /** One line per problem, for stderr, when the exit code is not 0. */
    readonly error?: string;
    readonly invalidationId?: string;
}

export const createInvalidateClients = (region: string, timeoutMs: number): InvalidateClients => ({
    sts: new STSClient({ ...clientOptions(timeoutMs), region }),
    cloudfront: new CloudFrontClient({ ...clientOptions(timeoutMs), region: CLOUDFRONT_REGION }),
});

/** The entry documents under the static behaviour's path (`/static/*` -> `/static/index.html`). */
export function defaultPaths(staticPathPattern: string): string[] {
    if (!staticPathPattern.endsWith("/*")) {
        throw new VerifyError(
            `cdn.staticPathPattern = ${JSON.stringify(staticPathPattern)} names no directory to find the entry ` +
                `documents in: pass them with --paths`,
        );
    }
    return ENTRY_DOCUMENTS.map((doc) => `${staticPathPattern.slice(0, -1)}${doc}`);
}

const errorName = (e: unknown) => (e instanceof Error ? e.name : "Error");
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();

export async function runInvalidation(opts: InvalidateOptions, deps: InvalidateDeps): Promise<InvalidateRun> {
    const now = deps.now ?? Date.now;
    let clients: InvalidateClients | undefined;
    try {
        const paths =
            opts.paths ?? defaultPaths(readStackConfig(opts.stack, deps.projectDir).config.cdn.static.pathPattern);
        const target =
            opts.distributionId !== undefined
                ? { distributionId: opts.distributionId, region: CLOUDFRONT_REGION, source: "--distribution-id" }
                : await loadOutputs({
                      stack: opts.stack,
                      outputsFile: opts.outputsFile,
                      projectDir: deps.projectDir,
                      timeoutMs: Math.max(30_000, 3 * opts.timeoutMs),
                      runPulumi: deps.runPulumi,
                  }).then(({ outputs, source }) => ({
                      distributionId: outputs.distributionId,
                      region: outputs.region,
                      source,
                  }));
        const { distributionId, source } = target;
        clients = (deps.createClients ?? createInvalidateClients)(target.region, opts.timeoutMs);
        const identity = await callerIdentity(
            { sts: clients.sts, region: target.region, timeoutMs: opts.timeoutMs },
            TOOL,
        );
        deps.print(`Distribution ${distributionId} (from ${source}), account ${identity.account}`);

        // Unique per run: CloudFront treats a repeated CallerReference as the same request and
        // would hand back the earlier (already completed) invalidation instead of a new one.
        const callerReference = `${TOOL}-${shortStackName(opts.stack)}-${now()}-${randomUUID().slice(0, 8)}`;
        const cloudfront = clients.cloudfront;
        let id: string;
        try {
            const created = await call(opts.timeoutMs, (o) =>
                cloudfront.send(
                    new CreateInvalidationCommand({
                        DistributionId: distributionId,
                        InvalidationBatch: {
                            CallerReference: callerReference,
                            Paths: { Quantity: paths.length, Items: [...paths] },
                        },
                    }),
                    o,
                ),
            );
            id = created.Invalidation?.Id ?? "";
            if (id === "") return { exitCode: 1, error: "CloudFront created no invalidation (the answer had no Id)" };
        } catch (e) {
            return createFailure(e, distributionId, identity.account);
        }
        deps.print(
            `Invalidation ${id} created for ${paths.length} path(s): ${paths.join(" ")}; waiting up to ` +
                `${opts.maxWaitSeconds} s for it to complete`,
        );

        const started = now();
        const poll = deps.pollSeconds ?? { min: 10, max: 60 };
        // The waiter's own limit only applies between polls; a hung GetInvalidation is cut off here.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), opts.maxWaitSeconds * 1000 + opts.timeoutMs);
        try {
            await waitUntilInvalidationCompleted(
                {
                    client: cloudfront,
                    maxWaitTime: opts.maxWaitSeconds,
                    minDelay: Math.min(poll.min, opts.maxWaitSeconds / 2),
                    maxDelay: Math.min(poll.max, opts.maxWaitSeconds / 2),
                    abortSignal: abort.signal,
                },
                { DistributionId: distributionId, Id: id },
            );
        } catch (e) {
            const name = errorName(e);
            const inProgress = name === "TimeoutError" || name === "AbortError";
            return {
                exitCode: 1,
                invalidationId: id,
                error: inProgress
                    ? `Invalidation ${id} of ${distributionId} had not completed after ${opts.maxWaitSeconds} s; ` +
                      `CloudFront keeps working on it: check it with \`aws cloudfront get-invalidation ` +
                      `--distribution-id ${distributionId} --id ${id}\``
                    : `Waiting for invalidation ${id} of ${distributionId} failed: ${name}: ${firstLine(e)}`,
            };
        } finally {
            clearTimeout(timer);
        }
        deps.print(`Invalidation ${id} completed in ${Math.round((now() - started) / 1000)} s`);
        return { exitCode: 0, invalidationId: id };
    } catch (e) {
        if (e instanceof VerifyError) return { exitCode: 2, error: e.message };
        throw e;
    } finally {
        if (clients !== undefined) {
            clients.sts.destroy();
            clients.cloudfront.destroy();
        }
    }
}

/** CreateInvalidation's errors as one line: the caller's problem (2) or CloudFront's state (1). */
function createFailure(e: unknown, distributionId: string, account: string): InvalidateRun {
    const name = errorName(e);
    const msg = firstLine(e);
    if (/AccessDenied|Unauthorized/.test(name)) {
        return {
            exitCode: 2,
            error:
                `CloudFront refused CreateInvalidation on ${distributionId} (${name}: ${msg}): the caller needs ` +
                `cloudfront:CreateInvalidation and cloudfront:GetInvalidation on ` +
                `arn:aws:cloudfront::${account}:distribution/${distributionId} (docs/cdn.md)`,
        };
    }
    if (name === "NoSuchDistribution") {
        return {
            exitCode: 2,
            error:
                `Distribution ${distributionId} does not exist in account ${account}: the outputs are stale or ` +
                `belong to another account`,
        };
    }
    if (name === "TooManyInvalidationsInProgress") {
        return {
            exitCode: 1,
            error: `${distributionId} has too many invalidations in progress (${msg}): wait for them and run again`,
        };
    }
    if (name === "TimeoutError" || name === "AbortError")
        return { exitCode: 1, error: `CreateInvalidation on ${distributionId} timed out (${msg})` };
    return { exitCode: 1, error: `CreateInvalidation on ${distributionId} failed: ${name}: ${msg}` };
}
