/**
 * The k6 side: wires the pure modules in ../lib to k6's HTTP client, checks and
 * metrics. Each entry script (loadtests/<test>.ts) calls defineLoadTest() once in
 * its init context and re-exports what k6 looks for: options, setup, one function
 * per scenario (`exec` = endpoint name) and handleSummary.
 */
import { check, sleep } from "k6";
import encoding from "k6/encoding";
import exec from "k6/execution";
import http, { type RefinedParams, type RefinedResponse, type ResponseType } from "k6/http";
import { Rate } from "k6/metrics";
import type { Options } from "k6/options";
import {
    cdnCacheResult,
    CHECKS,
    FIXTURE,
    FORM_FIELDS,
    header,
    HEADERS,
    HTTP_TOO_MANY_REQUESTS,
    PATHS,
    PROOF_PUBLICATION,
    proofIdFromUri,
    proofUriOnOrigins,
    REQUEST_NAMES,
    requestHeaders,
    verifiedValid,
} from "../lib/api.ts";
import { capacitySchedule } from "../lib/capacity.ts";
import { parseEnv, type RawEnv } from "../lib/env.ts";
import { CUSTOM_METRICS } from "../lib/metric-names.ts";
import { buildOptions } from "../lib/options.ts";
import { summaryOutputs } from "../lib/report.ts";
import type { Endpoint, TestType } from "../lib/types.ts";
import { endpointsOf } from "../lib/workload.ts";

/** What setup() hands to every VU: one freshly signed image and its proof. */
export interface SetupData {
    readonly signedImageB64?: string;
    readonly signedImageType?: string;
    readonly proofId?: string;
    /** X-Proof-Uri of the signed image, as the API returned it: what the proofs scenario fetches. */
    readonly proofUri?: string;
}

/** Functions, not methods: the entry scripts re-export them and k6 calls them unbound. */
export interface LoadTest {
    readonly options: Options;
    readonly setup: () => SetupData;
    readonly health: () => void;
    readonly sign: () => void;
    readonly verify: (data: SetupData) => void;
    readonly proofs: (data: SetupData) => void;
    /** TEST=capacity: one request per iteration, the endpoint taken from the interleaved task mix. */
    readonly capacity: (data: SetupData) => void;
    readonly handleSummary: (data: unknown) => Record<string, string>;
}

/** setup() retries POST /sign this often when rate limited before giving up. */
const SETUP_SIGN_ATTEMPTS = 3;
const SETUP_MAX_WAIT_SECONDS = 10;

function abortRun(message: string): never {
    exec.test.abort(message);
    throw new Error(message); // not reached: abort() stops the run
}

/**
 * @param test  the entry script's test type
 * @param rawEnv `__ENV`
 * @param image the upload fixture, `open(FIXTURE.path, "b")` in the entry script: k6 resolves
 *              open() against the script it is written in, so it has to be called there
 */
export function defineLoadTest(test: TestType, rawEnv: RawEnv, image: ArrayBuffer): LoadTest {
    const env = parseEnv(rawEnv, test);
    const options = buildOptions(test, env);
    const openModel = test === "throughput" || test === "capacity";
    const thinkTimeSeconds = openModel ? 0 : env.thinkTimeSeconds;
    const schedule = test === "capacity" ? capacitySchedule(env.workload) : undefined;
    const endpoints: readonly Endpoint[] = schedule === undefined ? endpointsOf(env.workload) : [...new Set(schedule)];

    const rateLimited = new Rate(CUSTOM_METRICS.rateLimited);
    const cdnCacheHit = new Rate(CUSTOM_METRICS.cdnCacheHit);
    const verifyValid = new Rate(CUSTOM_METRICS.verifyValid);

    function params<RT extends ResponseType | undefined>(endpoint: Endpoint, responseType: RT): RefinedParams<RT> {
        return {
            headers: requestHeaders(env.apiKey),
            tags: { name: REQUEST_NAMES[endpoint], endpoint },
            responseType,
            // With ACCEPT_429 a limiter answer is expected: out of http_req_failed, still counted in rate_limited.
            ...(env.accept429
                ? { responseCallback: http.expectedStatuses({ min: 200, max: 399 }, HTTP_TOO_MANY_REQUESTS) }
                : {}),
        };
    }

    /** Counts 429s on their own and runs the endpoint's checks (skipped for accepted 429s). */
    function record(endpoint: Endpoint, res: RefinedResponse<ResponseType | undefined>): boolean {
        const limited = res.status === HTTP_TOO_MANY_REQUESTS;
        rateLimited.add(limited, { endpoint });
        if (limited && env.accept429) return false;
        return check(res, CHECKS[endpoint], { endpoint });
    }

    function signRequest(name: Endpoint | "setup") {
        const body = {
            [FORM_FIELDS.image]: http.file(image, FIXTURE.filename, FIXTURE.contentType),
            [FORM_FIELDS.creator]: env.creator,
        };
        const p = params("sign", "binary");
        if (name === "setup") p.tags = { name: `setup ${REQUEST_NAMES.sign}`, endpoint: "setup" };
        return http.post(`${env.targetUrl}${PATHS.sign}`, body, p);
    }

    let signedImage: ArrayBuffer | undefined;
    function signedImageOf(data: SetupData): ArrayBuffer {
        if (data.signedImageB64 === undefined) throw new Error("setup() did not sign an image; verify needs one");
        // Decoded once per VU, not per iteration.
        if (signedImage === undefined) signedImage = encoding.b64decode(data.signedImageB64, "std");
        return signedImage;
    }

    const pause = () => {
        if (thinkTimeSeconds > 0) sleep(thinkTimeSeconds);
    };

    /** Setup: the proof the API announced must resolve on the stack under test (see PROOF_PUBLICATION). */
    function awaitProof(proofUri: string): void {
        if (!proofUriOnOrigins(proofUri, [env.targetUrl, env.proofsUrl])) {
            abortRun(
                `setup: X-Proof-Uri ${proofUri} is not served by TARGET_URL or PROOFS_URL: set the API's ` +
                    `PROOF_URI_DOMAIN to ${env.proofsUrl}${PATHS.proofsPrefix.slice(0, -1)}, or PROOFS_URL to ` +
                    "the origin that serves it",
            );
        }
        const get = () => http.get(proofUri, { tags: { name: `setup ${REQUEST_NAMES.proofs}`, endpoint: "setup" } });
        let res = get();
        for (const delay of PROOF_PUBLICATION.retryDelaysSeconds) {
            if (!PROOF_PUBLICATION.notFoundStatuses.includes(res.status)) break;
            sleep(delay);
            res = get();
        }
        if (res.status !== 200) {
            const waited = PROOF_PUBLICATION.retryDelaysSeconds.reduce((a, b) => a + b, 0);
            abortRun(
                `setup: GET ${proofUri} returned ${res.status || res.error}` +
                    (PROOF_PUBLICATION.notFoundStatuses.includes(res.status)
                        ? ` for ${waited}s after signing: the proof URI does not resolve (check the API's ` +
                          "PROOF_URI_DOMAIN, that it stores proofs in the proofs bucket, and the /proofs function)"
                        : ""),
            );
        }
    }

    /** One request of each endpoint: the scenario functions add think time, capacity does not. */
    const requestOf = {
        health(): void {
            record("health", http.get(`${env.targetUrl}${PATHS.health}`, params("health", "text")));
        },
        sign(): void {
            record("sign", signRequest("sign"));
        },
        verify(data: SetupData): void {
            const body = {
                [FORM_FIELDS.image]: http.file(
                    signedImageOf(data),
                    `signed-${FIXTURE.filename}`,
                    data.signedImageType ?? FIXTURE.contentType,
                ),
            };
            const res = http.post(`${env.targetUrl}${PATHS.verify}`, body, params("verify", "text"));
            if (record("verify", res)) verifyValid.add(verifiedValid(res), { endpoint: "verify" });
        },
        proofs(data: SetupData): void {
            if (data.proofUri === undefined)
                throw new Error("setup() did not sign an image; proofs needs its proof URI");
            const res = http.get(data.proofUri, params("proofs", "text"));
            record("proofs", res);
            const cache = cdnCacheResult(res);
            if (cache !== undefined) cdnCacheHit.add(cache === "hit", { endpoint: "proofs" });
        },
    } satisfies Record<Endpoint, (data: SetupData) => void>;

    return {
        options,

        setup(): SetupData {
            const health = http.get(`${env.targetUrl}${PATHS.health}`, {
                tags: { name: `setup ${REQUEST_NAMES.health}`, endpoint: "setup" },
            });
            if (health.status !== 200) {
                abortRun(
                    `setup: GET ${env.targetUrl}${PATHS.health} returned ` +
                        `${health.status || health.error}: is TARGET_URL the CredLink API, and is it up?`,
                );
            }
            if (!endpoints.some((e) => e === "verify" || e === "proofs")) return {};

            let res = signRequest("setup");
            for (let attempt = 1; res.status === HTTP_TOO_MANY_REQUESTS && attempt < SETUP_SIGN_ATTEMPTS; attempt++) {
                sleep(Math.min(Number(header(res, HEADERS.retryAfter)) || 1, SETUP_MAX_WAIT_SECONDS));
                res = signRequest("setup");
            }
            if (res.status !== 200) {
                const hint =
                    res.status === HTTP_TOO_MANY_REQUESTS
                        ? "rate limited: raise SIGN_RATE_LIMIT_MAX and RATE_LIMIT_MAX on the API " +
                          "for load runs (loadtests/README.md)"
                        : res.status === 401
                          ? "unauthorized: set API_KEY to a key the API accepts"
                          : "the API rejected the sample image";
                abortRun(`setup: POST ${env.targetUrl}${PATHS.sign} returned ${res.status || res.error}: ${hint}`);
            }
            const proofId = proofIdFromUri(header(res, HEADERS.proofUri));
            if (proofId === undefined || res.body === null) {
                abortRun(
                    `setup: POST ${env.targetUrl}${PATHS.sign} returned 200 without an image body ` +
                        `and an X-Proof-Uri ending in a UUID`,
                );
            }
            const proofUri = (header(res, HEADERS.proofUri) as string).trim();
            if (endpoints.includes("proofs")) awaitProof(proofUri);
            return {
                signedImageB64: encoding.b64encode(res.body, "std"),
                signedImageType: header(res, HEADERS.contentType) ?? FIXTURE.contentType,
                proofId,
                proofUri,
            };
        },

        health(): void {
            requestOf.health();
            pause();
        },

        sign(): void {
            requestOf.sign();
            pause();
        },

        verify(data: SetupData): void {
            requestOf.verify(data);
            pause();
        },

        proofs(data: SetupData): void {
            requestOf.proofs(data);
            pause();
        },

        capacity(data: SetupData): void {
            if (schedule === undefined)
                throw new Error(`the capacity function runs in TEST=capacity only, not ${test}`);
            requestOf[schedule[exec.scenario.iterationInTest % schedule.length]](data);
        },

        handleSummary(data: unknown): Record<string, string> {
            const context = {
                testType: test,
                workload: env.workload,
                targetUrl: env.targetUrl,
                holdSeconds: env.holdSeconds,
                rate: env.rate,
                generatedAt: new Date().toISOString(),
                capacity: env.capacity,
            };
            return summaryOutputs(data, context, env.reportDir);
        },
    };
}
