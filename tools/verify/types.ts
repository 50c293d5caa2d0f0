/**
 * Shared shapes of `npm run verify`: one result per check, and the error type
 * for problems that stop verification before any check can run.
 */

/** pass ✓ | fail ✗ (drift, or the check could not run) | warn ! (worth a look, not drift). */
export type Status = "pass" | "fail" | "warn";

export interface CheckResult {
    /** Area of the stack: CloudFront, Autoscaling, ECS, RDS, Alarms, Alerts, Probe. */
    readonly area: string;
    readonly name: string;
    readonly status: Status;
    /** What the stack's config says, in words a reviewer can compare. */
    readonly expected?: string;
    /** What the account (or the probe) returned. */
    readonly found?: string;
    readonly note?: string;
}

export const SYMBOL: Readonly<Record<Status, string>> = { pass: "✓", fail: "✗", warn: "!" };

/**
 * Bad input or a bad environment (flags, outputs, credentials, region): the
 * message is printed as is, one line per problem, and verify exits with 2.
 */
export class VerifyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "VerifyError";
    }
}

/** Collects results and prints a progress line for each as it arrives. */
export class Recorder {
    readonly results: CheckResult[] = [];

    constructor(private readonly print: (line: string) => void) {}

    add(result: CheckResult): void {
        this.results.push(result);
        this.print(progressLine(result));
    }

    pass(area: string, name: string, found?: string, expected?: string): void {
        this.add({ area, name, status: "pass", found, expected });
    }

    /** pass when `ok`, otherwise fail; found and expected go in the report either way. */
    expect(area: string, name: string, ok: boolean, found: string, expected: string, note?: string): void {
        this.add({ area, name, status: ok ? "pass" : "fail", found, expected, note });
    }
}

export function progressLine(r: CheckResult): string {
    const head = `${SYMBOL[r.status]} ${r.area}: ${r.name}`;
    if (r.status === "pass") return r.found ? `${head} (${r.found})` : head;
    const parts = [
        r.found !== undefined ? `found ${r.found}` : undefined,
        r.expected !== undefined ? `expected ${r.expected}` : undefined,
        r.note,
    ].filter(Boolean);
    return parts.length > 0 ? `${head}: ${parts.join("; ")}` : head;
}
