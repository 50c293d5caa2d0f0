/**
 * Stand-ins for the k6 modules k6/workload.ts imports, so vitest can run the adapter
 * against the reference server. k6's HTTP client is synchronous; curl (run synchronously)
 * plays it here, including the multipart upload k6 builds from an object with http.file().
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Params } from "k6/http";

export interface Recorded {
    requests: { method: string; url: string; params: Params }[];
    checks: { names: string[]; passed: Record<string, boolean>; tags: unknown }[];
    metrics: { name: string; value: boolean | number; tags: unknown }[];
    sleeps: number[];
}

export const recorded: Recorded = { requests: [], checks: [], metrics: [], sleeps: [] };

export function resetRecorded(): void {
    recorded.requests.length = 0;
    recorded.checks.length = 0;
    recorded.metrics.length = 0;
    recorded.sleeps.length = 0;
}

/** Thrown by exec.test.abort(), as k6 stops the run there. */
export class AbortedRun extends Error {}

interface FakeFile {
    readonly data: ArrayBuffer | string;
    readonly filename: string;
    readonly content_type: string;
}

/** Go's CanonicalMIMEHeaderKey, which k6 applies to response header names. */
const canonical = (name: string) =>
    name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

function request(method: string, url: string, body: Record<string, string | FakeFile> | null, params: Params = {}) {
    recorded.requests.push({ method, url, params });
    const dir = mkdtempSync(join(tmpdir(), "k6-fake-"));
    try {
        const args = ["-s", "-X", method, "-D", join(dir, "headers"), "-o", join(dir, "body"), "--max-time", "10"];
        for (const [name, value] of Object.entries(params.headers ?? {})) args.push("-H", `${name}: ${value}`);
        for (const [field, value] of Object.entries(body ?? {})) {
            if (typeof value === "string") {
                args.push("--form-string", `${field}=${value}`);
            } else {
                const path = join(dir, `upload-${field}`);
                writeFileSync(path, typeof value.data === "string" ? value.data : Buffer.from(value.data));
                args.push("-F", `${field}=@${path};type=${value.content_type};filename=${value.filename}`);
            }
        }
        args.push(url);
        try {
            execFileSync("curl", args);
        } catch {
            return { status: 0, error: "connection refused", headers: {}, body: null, url };
        }
        const lines = readFileSync(join(dir, "headers"), "latin1").split("\r\n");
        const status = Number(lines[0].split(" ")[1]);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
            const colon = line.indexOf(":");
            if (colon > 0) headers[canonical(line.slice(0, colon))] = line.slice(colon + 1).trim();
        }
        const raw = readFileSync(join(dir, "body"));
        const responseBody =
            params.responseType === "binary"
                ? raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)
                : raw.toString("utf8");
        return { status, error: "", headers, body: responseBody, url };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export const httpModule = {
    default: {
        get: (url: string, params?: Params) => request("GET", url, null, params),
        post: (url: string, body: Record<string, string | FakeFile>, params?: Params) =>
            request("POST", url, body, params),
        file: (data: ArrayBuffer | string, filename: string, contentType: string): FakeFile => ({
            data,
            filename,
            content_type: contentType,
        }),
        expectedStatuses: (...statuses: unknown[]) => ({ expectedStatuses: statuses }),
    },
};

export const k6Module = {
    check(value: unknown, sets: Record<string, (v: unknown) => boolean>, tags?: unknown): boolean {
        const passed = Object.fromEntries(Object.entries(sets).map(([name, fn]) => [name, fn(value)]));
        recorded.checks.push({ names: Object.keys(sets), passed, tags });
        return Object.values(passed).every(Boolean);
    },
    sleep(seconds: number): void {
        recorded.sleeps.push(seconds);
    },
};

export const metricsModule = {
    Rate: class {
        constructor(readonly name: string) {}
        add(value: boolean | number, tags?: unknown): void {
            recorded.metrics.push({ name: this.name, value, tags });
        }
    },
};

export const encodingModule = {
    default: {
        b64encode: (input: ArrayBuffer | string) =>
            Buffer.from(typeof input === "string" ? input : new Uint8Array(input)).toString("base64"),
        b64decode: (input: string) => {
            const bytes = Buffer.from(input, "base64");
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
        },
    },
};

export const executionModule = {
    default: {
        /** Tests set iterationInTest to drive an arrival-rate scenario's iterations. */
        scenario: { iterationInTest: 0 },
        test: {
            abort(message?: string): never {
                throw new AbortedRun(message);
            },
        },
    },
};
