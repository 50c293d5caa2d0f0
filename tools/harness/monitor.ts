/**
 * A resource monitor over Pulumi's MockMonitor that records every registration
 * as the engine would describe it to a policy pack:
 *
 * - URNs in the engine's form: the parent's type chain without the root stack
 *   (`credlink:cdn:CdnDistribution$aws:s3/bucket:Bucket::name`); Pulumi's mock
 *   monitor keeps the stack and only the last parent type;
 * - inputs as the provider's Check returns them (auto-names filled in);
 * - the default provider of each custom resource, as the engine adds it, and the
 *   default provider resources themselves, which the engine registers and analyzes;
 * - component outputs as registered with `registerOutputs`.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type * as pulumi from "@pulumi/pulumi";
import { checkedInputs, UNKNOWN } from "./mocks";

/** The provider the engine names on an analyze request: a default provider, here. */
export interface ProviderRef {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly properties: Record<string, unknown>;
}

/** A resource as the engine saw it: what `pulumi preview` would send to a policy pack. */
export interface RegisteredResource {
    readonly urn: string;
    /** Physical ID; "" in preview mode (unknown until created). */
    readonly id: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Checked input properties; in preview mode unknown values are the engine's unknown sentinel. */
    readonly inputs: Record<string, unknown>;
    /** Inputs and provider-computed outputs (unknown in preview); a component's registered outputs. */
    readonly outputs: Record<string, unknown>;
    readonly parent?: string;
    /** The provider the engine resolves for a custom resource (the package's default provider). */
    readonly provider?: ProviderRef;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly additionalSecretOutputs: readonly string[];
}

/** Plugin versions of the packages whose default providers the engine would load. */
function packageVersion(pkg: string): string | undefined {
    try {
        const file = nodeRequire.resolve(`@pulumi/${pkg}/package.json`);
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
        return undefined;
    }
}

const nodeRequire = createRequire(__filename);

type Callback<T> = (err: Error | null, res: T) => void;

export class RecordingMonitor extends MockMonitor {
    readonly records: RegisteredResource[] = [];
    stackOutputs: Record<string, unknown> = {};
    private readonly realUrns = new Map<string, string>();
    private readonly providers = new Map<string, ProviderRef>();

    constructor(
        mocks: pulumi.runtime.Mocks,
        private readonly project: string,
        private readonly stack: string,
        /** Stack config by full key, as strings: default providers read their package's keys. */
        private readonly config: Readonly<Record<string, string>>,
    ) {
        super(mocks);
    }

    private real(urn: string): string {
        return this.realUrns.get(urn) ?? urn;
    }

    /** The engine's URN: the parent's type chain (the root stack left out), then the type. */
    private engineUrn(parent: string, type: string, name: string): string {
        const parentUrn = parent === "" ? undefined : this.real(parent);
        const parentType = parentUrn?.split("::")[2];
        const chain = parentType === undefined || parentType === "pulumi:pulumi:Stack" ? type : `${parentType}$${type}`;
        return `urn:pulumi:${this.stack}::${this.project}::${chain}::${name}`;
    }

    /** The default provider for a resource type's package, recorded as a resource on first use. */
    private defaultProvider(type: string): ProviderRef | undefined {
        const pkg = type.split(":")[0];
        if (pkg === "pulumi") return undefined;
        const known = this.providers.get(pkg);
        if (known) return known;
        const version = packageVersion(pkg);
        const name = `default${version ? `_${version.replace(/[.-]/g, "_")}` : ""}`;
        const properties: Record<string, unknown> = { ...(version ? { version } : {}) };
        for (const [k, v] of Object.entries(this.config))
            if (k.startsWith(`${pkg}:`)) properties[k.slice(pkg.length + 1)] = v;
        const ref: ProviderRef = {
            urn: `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::${name}`,
            type: `pulumi:providers:${pkg}`,
            name,
            properties,
        };
        this.providers.set(pkg, ref);
        this.records.push({
            urn: ref.urn,
            id: "",
            type: ref.type,
            name,
            custom: true,
            inputs: properties,
            outputs: properties,
            dependencies: [],
            propertyDependencies: {},
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            deleteBeforeReplace: false,
            additionalSecretOutputs: [],
        });
        return ref;
    }

    async registerResource(
        req: resproto.RegisterResourceRequest,
        callback: Callback<resproto.RegisterResourceResponse>,
    ): Promise<void> {
        await super.registerResource(req, (err: Error | null, res: resproto.RegisterResourceResponse) => {
            if (!err) {
                const mockUrn = res.getUrn();
                const urn = this.engineUrn(req.getParent(), req.getType(), req.getName());
                this.realUrns.set(mockUrn, urn);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v, k) => {
                    propertyDependencies[k] = v.getUrnsList().map((u) => this.real(u));
                });
                const custom = req.getCustom();
                const given = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                // A bridged provider's state carries the resource's `id`, as analyzeStack sees it.
                const outputs = (res.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                // An explicit provider resource would be named here; this program uses the default ones.
                const provider = custom && req.getProvider() === "" ? this.defaultProvider(req.getType()) : undefined;
                this.records.push({
                    urn,
                    id: res.getId(),
                    type: req.getType(),
                    name: req.getName(),
                    custom,
                    inputs: custom ? checkedInputs(req.getType(), req.getName(), given) : given,
                    outputs: custom ? { ...outputs, id: res.getId() === "" ? UNKNOWN : res.getId() } : outputs,
                    parent: req.getParent() === "" ? undefined : this.real(req.getParent()),
                    provider,
                    dependencies: req.getDependenciesList().map((u) => this.real(u)),
                    propertyDependencies,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                });
            }
            callback(err, res);
        });
    }

    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback<unknown>): void {
        const urn = this.real(req.getUrn());
        const i = this.records.findIndex((r) => r.urn === urn);
        const outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        if (i >= 0) {
            if (this.records[i].type === "pulumi:pulumi:Stack") this.stackOutputs = outputs;
            // The engine sends a component's registered outputs to analyzeStack.
            this.records[i] = { ...this.records[i], outputs };
        }
        super.registerResourceOutputs(req, callback);
    }
}
