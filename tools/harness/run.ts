/**
 * Runs the whole Pulumi program for one stack file under Pulumi's own mocks and
 * returns every registered resource and the stack outputs.
 *
 *   const stack = await runStack("production", { preview: true });
 *
 * The program is the real index.ts, with the real stack config from
 * Pulumi.<stack>.yaml: nothing about it is stubbed except the cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { readStackFile, type StackFile } from "../stack-file";
import { awsMocks, UNKNOWN } from "./mocks";

export { UNKNOWN };
/** How the engine marks a secret value on the wire. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A resource as the engine saw it: what `pulumi preview` would send to a policy pack. */
export interface RegisteredResource {
    readonly urn: string;
    /** Physical ID; "" in preview mode (unknown until created). */
    readonly id: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Input properties; in preview mode unknown values are the engine's unknown sentinel. */
    readonly inputs: Record<string, unknown>;
    /** Inputs and provider-computed outputs, as after an update (unknown in preview). */
    readonly outputs: Record<string, unknown>;
    readonly parent?: string;
    readonly provider?: string;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly additionalSecretOutputs: readonly string[];
}

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

class RecordingMonitor extends MockMonitor {
    readonly records: Array<Omit<RegisteredResource, "outputs"> & { outputs?: Record<string, unknown> }> = [];
    stackOutputs: Record<string, unknown> = {};

    async registerResource(req: any, callback: (err: any, res: any) => void): Promise<void> {
        await super.registerResource(req, (err: any, res: any) => {
            if (!err) {
                const urn: string = res.getUrn();
                const propDeps: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v: any, k: string) => {
                    propDeps[k] = v.getUrnsList();
                });
                this.records.push({
                    urn,
                    id: res.getId(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    inputs: req.getObject()?.toJavaScript() ?? {},
                    outputs: res.getObject()?.toJavaScript() ?? {},
                    parent: req.getParent() || undefined,
                    provider: req.getProvider() || undefined,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies: propDeps,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete?.() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                });
            }
            callback(err, res);
        });
    }

    registerResourceOutputs(req: any, callback: (err: any, res: any) => void): void {
        const rec = this.records.find((r) => r.urn === req.getUrn());
        if (rec && rec.type === "pulumi:pulumi:Stack") this.stackOutputs = req.getOutputs()?.toJavaScript() ?? {};
        super.registerResourceOutputs(req, callback);
    }
}

export interface RunOptions {
    /** Run as `pulumi preview` of a brand-new stack: computed outputs are unknown. */
    readonly preview?: boolean;
    /** Replace or add config values (full keys, e.g. "credlink:scaling.maxTasks"); `undefined` removes a key. */
    readonly config?: StackConfigValues;
    /** Use this stack file's contents instead of reading Pulumi.<stack>.yaml. */
    readonly configFile?: Pick<StackFile, "values" | "secretKeys">;
    /** Directory holding the stack files (defaults to the repo root). */
    readonly stackDir?: string;
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
    // index.ts reads its config inside main(), not at import, so one import serves every run.
    const program = (await import("../../index")).default;
    return runProgram(program, { stack, preview: opts.preview ?? false, config: values, secretKeys: file.secretKeys });
}

export interface MockRunOptions {
    readonly stack?: string;
    readonly preview?: boolean;
    /** Config values by full key; without `aws:region` the mocks answer as us-east-1 (the config stays without it). */
    readonly config?: StackConfigValues;
    readonly secretKeys?: readonly string[];
}

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
    try {
        return await runUnderMocks(program, opts);
    } finally {
        running = false;
    }
}

async function runUnderMocks(program: () => unknown, opts: MockRunOptions): Promise<StackRun> {
    const stack = opts.stack ?? "test";
    const preview = opts.preview ?? false;
    const values: StackConfigValues = { ...(opts.config ?? {}) };
    const region = typeof values["aws:region"] === "string" ? values["aws:region"] : MOCK_DEFAULT_REGION;

    const monitor = new RecordingMonitor(awsMocks(region, preview));
    await pulumi.runtime.setMocks(monitor.mocks, "credlink", stack, preview);
    pulumi.runtime.setMockOptions(monitor, "credlink", stack, preview);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asConfigString(v)])), [
        ...(opts.secretKeys ?? []),
    ]);

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
    if (programError !== undefined) throw programError;

    const resources: RegisteredResource[] = monitor.records.map((r) => ({ ...r, outputs: r.outputs ?? {} }));
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
