/**
 * Runs the whole Pulumi program for one stack file under Pulumi's own mocks and
 * returns every registered resource and the stack outputs.
 *
 *   const stack = await runStack("production", { preview: true });
 *
 * The program is the real index.ts, loaded as the Node.js language host loads it
 * (./program.ts), with the real stack config from Pulumi.<stack>.yaml: nothing
 * about it is stubbed except the cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackFile, REPO_ROOT, type StackFile } from "../stack-file";
import { awsMocks, UNKNOWN } from "./mocks";
import { type ProviderRef, RecordingMonitor, type RegisteredResource } from "./monitor";
import { runLikeLanguageHost } from "./program";

export { type ProviderRef, type RegisteredResource, UNKNOWN };
/** How the engine marks a secret value on the wire. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface StackRun {
    readonly stack: string;
    readonly preview: boolean;
    readonly resources: readonly RegisteredResource[];
    readonly outputs: Record<string, unknown>;
    /** Keys of outputs that are secrets. */
    readonly secretOutputs: readonly string[];
    /** Messages the program logged through pulumi.log (warnings and above). */
    readonly warnings: readonly string[];
    /** Resources of one type, in registration order. */
    ofType(type: string): RegisteredResource[];
    /** The one resource with this type and logical name; throws if absent. */
    get(type: string, name: string): RegisteredResource;
}

export type StackConfigValues = Record<string, unknown>;

/** Pulumi hands config to programs as strings; objects and lists as JSON. */
const asConfigString = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export interface RunOptions {
    /** Run as `pulumi preview` of a brand-new stack: computed outputs are unknown. */
    readonly preview?: boolean;
    /** Replace or add config values (full keys, e.g. "credlink:scaling.maxTasks"); `undefined` removes a key. */
    readonly config?: StackConfigValues;
    /** Use this stack file's contents instead of reading Pulumi.<stack>.yaml. */
    readonly configFile?: Pick<StackFile, "values" | "secretKeys">;
    /** Directory holding the stack files (defaults to the repo root). */
    readonly stackDir?: string;
    /** Directory of the program (index.ts and what it imports); defaults to the repo root. */
    readonly programDir?: string;
}

let running = false;

/** Run index.ts for `stack` under mocks, with the config of Pulumi.<stack>.yaml. */
export async function runStack(stack: string, opts: RunOptions = {}): Promise<StackRun> {
    const file = opts.configFile ?? readStackFile(stack, opts.stackDir);
    const values: StackConfigValues = { ...file.values };
    for (const [k, v] of Object.entries(opts.config ?? {})) {
        if (v === undefined) delete values[k];
        else values[k] = v;
    }
    const dir = opts.programDir ?? REPO_ROOT;
    return runProgram(() => runLikeLanguageHost(dir), {
        stack,
        preview: opts.preview ?? false,
        config: values,
        secretKeys: file.secretKeys,
    });
}

export interface MockRunOptions {
    readonly stack?: string;
    readonly preview?: boolean;
    /** Config values by full key; without `aws:region` the mocks answer as us-east-1 (the config stays without it). */
    readonly config?: StackConfigValues;
    readonly secretKeys?: readonly string[];
}

/** The project name the engine puts in URNs (Pulumi.yaml's `name`). */
const PROJECT = "credlink";
/** The region the mocks answer for when the config names none (a component test). */
const MOCK_DEFAULT_REGION = "us-east-1";

/**
 * Run any program function (e.g. one that builds a single component) under the
 * same mocks as the whole stack. Use it for component tests.
 */
export async function runProgram(program: () => unknown, opts: MockRunOptions = {}): Promise<StackRun> {
    // Runs are serialised: the Pulumi runtime is process-global.
    if (running)
        throw new Error("runProgram: one program at a time (the Pulumi runtime is global); await the previous run");
    running = true;
    // Pulumi formats a stack trace for every promise and resource it creates (debugging aids and
    // source positions); formatting them, source-mapped because tsx turns source maps on, took
    // most of a run's time in the profile. Nothing here reads them, so while the program runs
    // traces are unmapped and, where Pulumi does not ask for more, empty. Errors keep their messages.
    const sourceMaps = process.sourceMapsEnabled;
    const traceLimit = Error.stackTraceLimit;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    try {
        return await runUnderMocks(program, opts);
    } finally {
        Error.stackTraceLimit = traceLimit;
        process.setSourceMapsEnabled(sourceMaps);
        running = false;
    }
}

async function runUnderMocks(program: () => unknown, opts: MockRunOptions): Promise<StackRun> {
    const stack = opts.stack ?? "test";
    const preview = opts.preview ?? false;
    const values: StackConfigValues = { ...(opts.config ?? {}) };
    const region = typeof values["aws:region"] === "string" ? values["aws:region"] : MOCK_DEFAULT_REGION;

    const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asConfigString(v)]));
    const monitor = new RecordingMonitor(awsMocks(region, preview), PROJECT, stack, config);
    await pulumi.runtime.setMocks(monitor.mocks, PROJECT, stack, preview);
    pulumi.runtime.setMockOptions(monitor, PROJECT, stack, preview);
    pulumi.runtime.setAllConfig(config, [...(opts.secretKeys ?? [])]);

    const warnings: string[] = [];
    const originalWarn = pulumi.log.warn;
    pulumi.log.warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    // A program error is caught inside the stack's init (as the CLI reports it) and rethrown
    // after the runtime settles, so no registration is left rejecting unhandled.
    let programError: unknown;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            try {
                return await program();
            } catch (e) {
                programError = e;
                return {};
            }
        });
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    } finally {
        pulumi.log.warn = originalWarn;
    }
    if (programError !== undefined)
        throw programError instanceof Error ? programError : new Error(JSON.stringify(programError));

    const resources: readonly RegisteredResource[] = monitor.records;
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [k, v] of Object.entries(monitor.stackOutputs)) {
        if (v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG) {
            secretOutputs.push(k);
            outputs[k] = (v as Record<string, unknown>).value;
        } else outputs[k] = v;
    }
    return {
        stack,
        preview,
        resources,
        outputs,
        secretOutputs,
        warnings,
        ofType: (type) => resources.filter((r) => r.type === type),
        get(type, name) {
            const found = resources.find((r) => r.type === type && r.name === name);
            if (!found)
                throw new Error(
                    `no ${type} named ${name} in stack ${stack}; have: ${
                        resources
                            .filter((r) => r.type === type)
                            .map((r) => r.name)
                            .join(", ") || "none of that type"
                    }`,
                );
            return found;
        },
    };
}

/** True when a value (or anything inside it) is unknown, as in a preview. */
export function isUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(isUnknown);
    if (v && typeof v === "object") return Object.values(v).some(isUnknown);
    return false;
}
