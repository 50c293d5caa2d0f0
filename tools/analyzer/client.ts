/**
 * Runs a Node.js CrossGuard policy pack the way the Pulumi CLI does, without
 * the CLI:
 *
 * - the pack runs in its own process: `node <pack>/node_modules/@pulumi/pulumi/cmd/run-policy-pack
 *   <engine address> .` with the pack directory as working directory (what the CLI's
 *   `pulumi-analyzer-policy` plugin script does), with the CLI's PULUMI_* environment;
 * - a minimal Engine gRPC service is hosted for the engine address, collecting `log` calls;
 * - the port the pack prints on stdout is dialled with the Analyzer protocol's generated stubs
 *   from @pulumi/pulumi: `handshake`, `configureStack`, `getAnalyzerInfo`, `getPluginInfo`,
 *   then `configure`, `remediate`/`analyze` per resource and `analyzeStack`.
 *
 * Every call has a deadline and `close()` always ends the child process; a
 * process exit handler ends any pack left running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type EnforcementLevel, type PolicyConfig, type PolicySchemaInfo, reconcilePolicyConfig } from "./config";

export type Severity = "low" | "medium" | "high" | "critical";

export interface PolicyInfo extends PolicySchemaInfo {
    readonly displayName: string;
    readonly description: string;
    readonly type: "resource" | "stack" | "unknown";
    readonly severity?: Severity;
    readonly remediationSteps: string;
}

export interface PolicyPackInfo {
    readonly name: string;
    readonly displayName: string;
    readonly version: string;
    readonly description: string;
    readonly supportsConfig: boolean;
    readonly policies: readonly PolicyInfo[];
}

/** A resource as the engine describes it to an analyzer. */
export interface AnalyzerResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs for `analyze`, outputs for `analyzeStack`; unknowns as the engine's sentinel, secrets in wire form. */
    readonly properties: Record<string, unknown>;
    readonly parent?: string;
    readonly protect?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs?: readonly string[];
    readonly aliases?: readonly string[];
    readonly provider?: {
        readonly urn: string;
        readonly type: string;
        readonly name: string;
        readonly properties: Record<string, unknown>;
    };
}

export interface AnalyzerStackResource extends AnalyzerResource {
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Diagnostic {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    /** The resource the finding is about ("" for a stack-wide finding). */
    readonly urn: string;
    readonly phase: "analyze" | "analyzeStack";
}

export interface Remediation {
    readonly policyName: string;
    readonly description: string;
    readonly properties?: Record<string, unknown>;
    readonly diagnostic: string;
}

export interface EngineLog {
    readonly severity: "debug" | "info" | "warning" | "error";
    readonly message: string;
    readonly urn: string;
}

export interface StartOptions {
    readonly project?: string;
    readonly stack?: string;
    readonly organization?: string;
    /** `pulumi preview` (true) or `pulumi up` (false). */
    readonly dryRun?: boolean;
    /** Stack config as the CLI passes it (`<project>:<key>` -> string). */
    readonly stackConfig?: Readonly<Record<string, string>>;
    readonly stackTags?: Readonly<Record<string, string>>;
    /** Until the pack prints its port (cold starts type-check the pack). Default 120 s. */
    readonly startTimeoutMs?: number;
    /** Per RPC. Default 60 s. */
    readonly callTimeoutMs?: number;
    /** The `node` to run the pack with. */
    readonly nodePath?: string;
    /**
     * Called once the pack's process is spawned. Binding the engine's port needs the event
     * loop, so a caller about to keep it busy (running a program) waits for this first and
     * the pack boots on the other core meanwhile.
     */
    readonly onSpawn?: () => void;
}

export interface PolicyPackProcess {
    readonly dir: string;
    readonly info: PolicyPackInfo;
    readonly pluginVersion: string;
    /** What the pack logged through the engine. */
    readonly logs: readonly EngineLog[];
    /** The pack process's stderr so far. */
    stderr(): string;
    /** Whether the pack's process is still running (false once it exited or was closed). */
    running(): boolean;
    /** Reconcile `config` with the pack's schema defaults like the CLI, validate and send it; returns what was sent. */
    configure(config?: PolicyConfig, source?: string): Promise<PolicyConfig>;
    remediate(resource: AnalyzerResource): Promise<Remediation[]>;
    analyze(resource: AnalyzerResource): Promise<Diagnostic[]>;
    analyzeStack(resources: readonly AnalyzerStackResource[]): Promise<Diagnostic[]>;
    close(): Promise<void>;
}

export class PolicyPackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackError";
    }
}

const MAX_MESSAGE_BYTES = 400 * 1024 * 1024; // what the SDK's server accepts
const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_CODES: Record<EnforcementLevel, analyzerProto.EnforcementLevel> = {
    advisory: analyzerProto.EnforcementLevel.ADVISORY,
    mandatory: analyzerProto.EnforcementLevel.MANDATORY,
    disabled: analyzerProto.EnforcementLevel.DISABLED,
    remediate: analyzerProto.EnforcementLevel.REMEDIATE,
};
const SEVERITIES: Record<number, Severity | undefined> = {
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};
const POLICY_TYPES: Record<number, PolicyInfo["type"]> = {
    [analyzerProto.PolicyType.POLICY_TYPE_RESOURCE]: "resource",
    [analyzerProto.PolicyType.POLICY_TYPE_STACK]: "stack",
};

/** Packs still running; ended if this process exits without closing them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
    live.add(child);
    child.once("exit", () => live.delete(child));
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once("exit", () => {
            for (const c of live) c.kill("SIGKILL");
        });
    }
}

/** How many pack processes this process has started and not yet seen end. */
export function runningPolicyPacks(): number {
    return live.size;
}

/** Resolve `@pulumi/pulumi/cmd/run-policy-pack` from the pack's own node_modules, as the CLI's plugin does. */
function runPolicyPackScript(dir: string): string {
    try {
        return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    } catch {
        throw new PolicyPackError(
            `the policy pack's dependencies are not installed: run \`npm ci --prefix ` +
                `${path.relative(process.cwd(), dir) || "."}\``,
        );
    }
}

/** Drop what the engine's MarshalProperties drops (internal `__` keys, undefined values). */
function toStruct(props: Record<string, unknown>): Struct {
    const clean = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map((e) => (e === undefined ? null : clean(e)));
        if (v && typeof v === "object") {
            const out: Record<string, unknown> = {};
            for (const [k, e] of Object.entries(v)) if (e !== undefined) out[k] = clean(e);
            return out;
        }
        return v;
    };
    const top: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) if (!k.startsWith("__") && v !== undefined) top[k] = clean(v);
    return Struct.fromJavaScript(top as Parameters<typeof Struct.fromJavaScript>[0]);
}

function resourceOptions(r: AnalyzerResource, withParent: boolean): analyzerProto.AnalyzerResourceOptions {
    const o = new analyzerProto.AnalyzerResourceOptions();
    o.setProtect(r.protect ?? false);
    o.setIgnorechangesList([...(r.ignoreChanges ?? [])]);
    if (r.deleteBeforeReplace !== undefined) {
        o.setDeletebeforereplace(r.deleteBeforeReplace);
        o.setDeletebeforereplacedefined(true);
    }
    o.setAdditionalsecretoutputsList([...(r.additionalSecretOutputs ?? [])]);
    o.setAliasesList([...(r.aliases ?? [])]);
    o.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    if (withParent && r.parent) o.setParent(r.parent);
    return o;
}

function providerOf(r: AnalyzerResource): analyzerProto.AnalyzerProviderResource | undefined {
    if (!r.provider) return undefined;
    const p = new analyzerProto.AnalyzerProviderResource();
    p.setUrn(r.provider.urn);
    p.setType(r.provider.type);
    p.setName(r.provider.name);
    p.setProperties(toStruct(r.provider.properties));
    return p;
}

/** One request per resource object: remediate and analyze send the same one. */
const analyzeRequests = new WeakMap<AnalyzerResource, analyzerProto.AnalyzeRequest>();

function analyzeRequest(r: AnalyzerResource): analyzerProto.AnalyzeRequest {
    const cached = analyzeRequests.get(r);
    if (cached) return cached;
    const req = new analyzerProto.AnalyzeRequest();
    analyzeRequests.set(r, req);
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(toStruct(r.properties));
    req.setOptions(resourceOptions(r, true));
    const provider = providerOf(r);
    if (provider) req.setProvider(provider);
    return req;
}

function stackResource(r: AnalyzerStackResource): analyzerProto.AnalyzerResource {
    const res = new analyzerProto.AnalyzerResource();
    res.setUrn(r.urn);
    res.setType(r.type);
    res.setName(r.name);
    res.setProperties(toStruct(r.properties));
    res.setOptions(resourceOptions(r, false));
    const provider = providerOf(r);
    if (provider) res.setProvider(provider);
    res.setParent(r.parent ?? "");
    res.setDependenciesList([...(r.dependencies ?? [])]);
    const deps = res.getPropertydependenciesMap();
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        if (urns.length === 0) continue; // the engine skips properties without dependencies
        const d = new analyzerProto.AnalyzerPropertyDependencies();
        d.setUrnsList([...urns]);
        deps.set(k, d);
    }
    return res;
}

function diagnostics(resp: analyzerProto.AnalyzeResponse, phase: Diagnostic["phase"], urn?: string): Diagnostic[] {
    return resp.getDiagnosticsList().map((d) => {
        let level = LEVELS[d.getEnforcementlevel()] ?? "advisory";
        if (level === "remediate") level = "mandatory"; // a violation left after remediation blocks, as in the engine
        return {
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: level,
            severity: SEVERITIES[d.getSeverity()],
            // For `analyze` the engine attributes findings to the resource it sent.
            urn: urn ?? d.getUrn(),
            phase,
        };
    });
}

function packInfo(resp: analyzerProto.AnalyzerInfo): PolicyPackInfo {
    return {
        name: resp.getName(),
        displayName: resp.getDisplayname(),
        version: resp.getVersion(),
        description: resp.getDescription(),
        supportsConfig: resp.getSupportsconfig(),
        policies: resp.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                displayName: p.getDisplayname(),
                description: p.getDescription(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
                type: POLICY_TYPES[p.getPolicyType()] ?? "unknown",
                severity: SEVERITIES[p.getSeverity()],
                remediationSteps: p.getRemediationSteps(),
                configSchema: schema
                    ? {
                          properties: schema.getProperties()?.toJavaScript() ?? {},
                          required: schema.getRequiredList(),
                      }
                    : undefined,
            };
        }),
    };
}

/**
 * The port the way the Pulumi CLI reads it (sdk/go/common/resource/plugin/plugin.go, parsePort):
 * the first line of stdout, without .NET's progress escapes, trimmed, a whole number 1..65535.
 * Anything else printed before it (a console.log at load) fails the start, as it does in the CLI.
 */
export function parsePort(firstLine: string): number | { problem: string } {
    const text = firstLine.replaceAll("\x1b]9;4;3;\x1b\\", "").replaceAll("\x1b]9;4;0;\x1b\\", "").trim();
    if (!/^[+-]?\d+$/.test(text)) return { problem: `could not parse port: ${JSON.stringify(text)}` };
    const port = Number(text);
    return port > 0 && port <= 65535 ? port : { problem: `invalid port number: ${port}` };
}

/** Host the minimal Engine service a plugin may log to; returns its address. */
async function startEngine(logs: EngineLog[]): Promise<{ address: string; server: grpc.Server }> {
    const severities = ["debug", "info", "warning", "error"] as const;
    const server = new grpc.Server();
    const impl: engineRpc.IEngineServer = {
        log: (call, cb) => {
            logs.push({
                severity: severities[call.request.getSeverity()] ?? "info",
                message: call.request.getMessage(),
                urn: call.request.getUrn(),
            });
            cb(null, new Empty());
        },
        getRootResource: (_call, cb) => cb(null, new engineProto.GetRootResourceResponse()),
        setRootResource: (_call, cb) => cb(null, new engineProto.SetRootResourceResponse()),
        startDebugging: (_call, cb) => cb(null, new Empty()),
        requirePulumiVersion: (_call, cb) => cb(null, new engineProto.RequirePulumiVersionResponse()),
    };
    server.addService(engineRpc.EngineService, impl);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
            err ? reject(err) : resolve(p),
        ),
    );
    return { address: `127.0.0.1:${port}`, server };
}

/** A generated client method, bound to its client (`c.analyze.bind(c)`): the stubs use `this`. */
type Unary<Req, Res> = (
    req: Req,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    cb: (err: grpc.ServiceError | null, res: Res) => void,
) => unknown;

/**
 * Start the pack in `dir` (the folder holding PulumiPolicy.yaml), connect, and
 * load its metadata. The returned handle must be closed.
 */
export async function startPolicyPack(dir: string, opts: StartOptions = {}): Promise<PolicyPackProcess> {
    const packDir = path.resolve(dir);
    const script = runPolicyPackScript(packDir);
    const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    const logs: EngineLog[] = [];
    const engine = await startEngine(logs);

    const env: NodeJS.ProcessEnv = { ...process.env };
    const setEnv = (k: string, v: string | undefined) => {
        if (v) env[k] = v;
    };
    const dryRun = String(opts.dryRun ?? true);
    setEnv("PULUMI_CONFIG", opts.stackConfig ? JSON.stringify(opts.stackConfig) : undefined);
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        setEnv(`${prefix}ORGANIZATION`, opts.organization);
        setEnv(`${prefix}PROJECT`, opts.project);
        setEnv(`${prefix}STACK`, opts.stack);
        setEnv(`${prefix}DRY_RUN`, dryRun);
    }

    const child = spawn(opts.nodePath ?? process.execPath, [script, engine.address, "."], {
        cwd: packDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    track(child);
    opts.onSpawn?.();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr = (stderr + d).slice(-64 * 1024);
    });
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.once("exit", (code, signal) => {
        exited = { code, signal };
    });

    let client: analyzerRpc.AnalyzerClient | undefined;
    const shutdown = async () => {
        client?.close();
        if (exited === undefined && child.exitCode === null) {
            const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
            await gone;
            clearTimeout(timer);
        }
        engine.server.forceShutdown();
    };

    try {
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(
                () =>
                    reject(
                        new PolicyPackError(
                            `policy pack ${packDir} did not start within ` +
                                `${(opts.startTimeoutMs ?? 120_000) / 1000} ` +
                                `s${stderr ? `: ${stderr.trim()}` : ""}`,
                        ),
                    ),
                opts.startTimeoutMs ?? 120_000,
            );
            child.stdout.setEncoding("utf8").on("data", (d: string) => {
                if (out.includes("\n")) return; // the port has been read; later output is the pack's own
                out += d;
                const newline = out.indexOf("\n");
                if (newline < 0) return;
                clearTimeout(timer);
                const port = parsePort(out.slice(0, newline));
                if (typeof port === "number") resolve(port);
                else
                    reject(
                        new PolicyPackError(`policy pack ${packDir} wrote an invalid port to stdout: ${port.problem}`),
                    );
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                // Give stderr a moment to drain so the reason reaches the message.
                setImmediate(() =>
                    reject(
                        new PolicyPackError(
                            `policy pack ${packDir} exited (${signal ?? `code ${code}`}) before ` +
                                `serving${stderr.trim() ? `:\n${stderr.trim()}` : ""}`,
                        ),
                    ),
                );
            });
            child.once("error", (e) => {
                clearTimeout(timer);
                reject(new PolicyPackError(`cannot start the policy pack: ${e.message}`));
            });
        });

        const c = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
            "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        });
        client = c;
        const call = <Req, Res>(
            name: string,
            method: Unary<Req, Res>,
            req: Req,
            tolerateUnimplemented = false,
        ): Promise<Res | undefined> =>
            new Promise((resolve, reject) => {
                method(req, new grpc.Metadata(), { deadline: Date.now() + callTimeoutMs }, (err, res) => {
                    if (!err) return resolve(res);
                    if (tolerateUnimplemented && err.code === grpc.status.UNIMPLEMENTED) return resolve(undefined);
                    const detail =
                        err.code === grpc.status.DEADLINE_EXCEEDED
                            ? `no answer within ${callTimeoutMs / 1000} s`
                            : err.details || err.message;
                    reject(
                        new PolicyPackError(
                            `policy pack ${name} failed: ${detail}${exited ? ` (pack exited: ${stderr.trim()})` : ""}`,
                        ),
                    );
                });
            });

        // What the CLI does on load: handshake, stack context, metadata.
        const hs = new analyzerProto.AnalyzerHandshakeRequest();
        hs.setEngineAddress(engine.address);
        hs.setRootDirectory(packDir);
        hs.setProgramDirectory(packDir);
        await call("handshake", c.handshake.bind(c), hs, true);
        const sc = new analyzerProto.AnalyzerStackConfigureRequest();
        sc.setStack(opts.stack ?? "");
        sc.setProject(opts.project ?? "");
        sc.setOrganization(opts.organization ?? "");
        sc.setDryRun(opts.dryRun ?? true);
        for (const [k, v] of Object.entries(opts.stackConfig ?? {})) sc.getConfigMap().set(k, v);
        for (const [k, v] of Object.entries(opts.stackTags ?? {})) sc.getTagsMap().set(k, v);
        await call("configureStack", c.configureStack.bind(c), sc, true);
        const info = packInfo((await call("getAnalyzerInfo", c.getAnalyzerInfo.bind(c), new Empty()))!);
        const plugin = (await call<Empty, pluginProto.PluginInfo>(
            "getPluginInfo",
            c.getPluginInfo.bind(c),
            new Empty(),
        ))!;

        return {
            dir: packDir,
            info,
            pluginVersion: plugin.getVersion(),
            logs,
            stderr: () => stderr,
            running: () => exited === undefined && child.exitCode === null && child.signalCode === null,
            async configure(config: PolicyConfig = {}, source?: string) {
                const reconciled = reconcilePolicyConfig(info.policies, config, source);
                const req = new analyzerProto.ConfigureAnalyzerRequest();
                for (const [name, entry] of Object.entries(reconciled)) {
                    const pc = new analyzerProto.PolicyConfig();
                    pc.setEnforcementlevel(LEVEL_CODES[entry.enforcementLevel ?? "advisory"]);
                    pc.setProperties(
                        Struct.fromJavaScript(entry.properties as Parameters<typeof Struct.fromJavaScript>[0]),
                    );
                    req.getPolicyconfigMap().set(name, pc);
                }
                await call("configure", c.configure.bind(c), req);
                return reconciled;
            },
            async remediate(resource) {
                const resp = await call("remediate", c.remediate.bind(c), analyzeRequest(resource), true);
                return (resp?.getRemediationsList() ?? []).map((r) => ({
                    policyName: r.getPolicyname(),
                    description: r.getDescription(),
                    properties: r.getProperties()?.toJavaScript(),
                    diagnostic: r.getDiagnostic(),
                }));
            },
            async analyze(resource) {
                return diagnostics(
                    (await call("analyze", c.analyze.bind(c), analyzeRequest(resource)))!,
                    "analyze",
                    resource.urn,
                );
            },
            async analyzeStack(resources) {
                const req = new analyzerProto.AnalyzeStackRequest();
                req.setResourcesList(resources.map(stackResource));
                const resp = await call("analyzeStack", c.analyzeStack.bind(c), req, true);
                return resp ? diagnostics(resp, "analyzeStack") : [];
            },
            close: shutdown,
        };
    } catch (e) {
        await shutdown();
        throw e;
    }
}
