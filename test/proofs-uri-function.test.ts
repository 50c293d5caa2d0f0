/**
 * The proofs behaviour's CloudFront Function (components/cdn/proofs-uri.js), run as CloudFront runs
 * it: the file's source as a classic script in an empty sandbox (no require, module, process or
 * timers), `handler(event)` called with viewer-request events shaped like CloudFront's.
 */
import * as fs from "node:fs";
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CLOUDFRONT_FUNCTION_MAX_BYTES, PROOFS_URI_FUNCTION_FILE } from "../components/cdn";

const CODE = fs.readFileSync(PROOFS_URI_FUNCTION_FILE, "utf8");
const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

interface CfRequest {
    method: string;
    uri: string;
    querystring: Record<string, { value: string }>;
    headers: Record<string, { value: string }>;
    cookies: Record<string, { value: string }>;
}

type Handler = (event: unknown) => unknown;

function load(): Handler {
    const sandbox = vm.createContext({});
    new vm.Script(CODE, { filename: "proofs-uri.js" }).runInContext(sandbox, { timeout: 1000 });
    const handler = (sandbox as { handler?: unknown }).handler;
    if (typeof handler !== "function") throw new Error("proofs-uri.js defines no top-level function handler(event)");
    return handler as Handler;
}

function viewerRequest(uri: string, querystring: CfRequest["querystring"] = {}) {
    const request: CfRequest = {
        method: "GET",
        uri,
        querystring,
        headers: { host: { value: "d111111abcdef8.cloudfront.net" }, accept: { value: "application/json" } },
        cookies: {},
    };
    return {
        version: "1.0",
        context: {
            distributionDomainName: "d111111abcdef8.cloudfront.net",
            distributionId: "EDFDVBD6EXAMPLE",
            eventType: "viewer-request",
            requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
        },
        viewer: { ip: "198.51.100.11" },
        request,
    };
}

const handler = load();
const uriAfter = (uri: string) => (handler(viewerRequest(uri)) as CfRequest).uri;
const NOT_FOUND = { statusCode: 404, statusDescription: "Not Found" };

describe("proofs-uri.js (cloudfront-js-2.0, viewer request)", () => {
    it("is a plain script that defines handler and fits CloudFront's 10 KB function quota", () => {
        expect(Buffer.byteLength(CODE, "utf8")).toBeLessThanOrEqual(CLOUDFRONT_FUNCTION_MAX_BYTES);
        expect(CODE).toMatch(/^function handler\(event\) \{$/m);
        expect(CODE).not.toMatch(/\b(require|module\.exports|exports\.|import|export)\b/);
    });

    it("maps a proof URI /proofs/<uuid> onto its object and returns the same request otherwise untouched", () => {
        const event = viewerRequest(`/proofs/${ID}`, { download: { value: "1" } });
        const before = structuredClone(event.request);
        const result = handler(event) as CfRequest;
        expect(result).toBe(event.request);
        expect(result).toEqual({ ...before, uri: `/proofs/${ID}.json` });
        // The query string is neither part of the proofs cache key nor forwarded to S3: left as it came.
        expect(result.querystring).toEqual({ download: { value: "1" } });
    });

    it("normalises the forms of one proof URI to one object (and one cache entry)", () => {
        expect(uriAfter(`/proofs/${ID.toUpperCase()}`)).toBe(`/proofs/${ID}.json`);
        expect(uriAfter(`/proofs/${ID}/`)).toBe(`/proofs/${ID}.json`);
    });

    it("leaves object paths that already end in .json alone", () => {
        for (const uri of [`/proofs/${ID}.json`, "/proofs/legacy-export.json", `/proofs/${ID.toUpperCase()}.json`]) {
            const event = viewerRequest(uri);
            expect(handler(event)).toBe(event.request);
            expect(event.request.uri).toBe(uri);
        }
    });

    it("keeps the path before the last segment, whatever behaviour path it serves", () => {
        expect(uriAfter(`/p/${ID}`)).toBe(`/p/${ID}.json`);
        expect(uriAfter(`/proofs/v2/${ID}`)).toBe(`/proofs/v2/${ID}.json`);
    });

    it.each([
        ["the proofs directory", "/proofs/"],
        ["a name that is not a UUID", "/proofs/latest"],
        ["a UUID without hyphens", `/proofs/${ID.replace(/-/g, "")}`],
        ["a UUID in braces", `/proofs/{${ID}}`],
        ["a UUID with a trailing character", `/proofs/${ID}x`],
        ["a path below a proof", `/proofs/${ID}/signature`],
        ["two trailing slashes", `/proofs/${ID}//`],
        ["an upper-case .JSON", `/proofs/${ID}.JSON`],
        ["another extension", `/proofs/${ID}.pdf`],
        ["a percent-encoded UUID", `/proofs/${encodeURIComponent(ID).replace("0", "%30")}`],
        ["a UUID at the root", `/${ID}`],
    ])("answers 404 at the edge for %s (%s)", (_what, uri) => {
        expect(handler(viewerRequest(uri))).toEqual(NOT_FOUND);
    });
});
