/**
 * A synthetic, compliant CredLink stack as `pulumi preview` of a new stack
 * would describe it to the policy pack: the inputs @pulumi/aws registers,
 * IDs/ARNs/names computed by AWS unknown, and the property dependencies that
 * link alarms, scaling and cache policies to their resources. Tests mutate one
 * resource at a time and run the whole stack through the pack over gRPC.
 */
import { expect } from "vitest";
import {
    analyzeResources,
    DEFAULT_PACK_DIR,
    type Diagnostic,
    type PolicyConfig,
    type PolicyPackProcess,
    type RegisteredResourceLike,
    startPolicyPack,
} from "../../tools/analyzer";
import { DATABASE, SCALING, SLO, TTL } from "../../policies/slo";

/** The engine's sentinel for a value computed later. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/** Inputs as the engine sends them: at preview any value may be the unknown sentinel. */
type Inputs = Record<string, unknown>;

export interface FixtureResource extends RegisteredResourceLike {
    readonly inputs: Inputs;
}

export const urnOf = (type: string, name: string) => `urn:pulumi:test::credlink::${type}::${name}`;

/** Outputs at preview: the inputs plus what the provider computes (unknown). */
function previewOutputs(inputs: Inputs): Inputs {
    return { ...structuredClone(inputs), id: UNKNOWN, arn: UNKNOWN };
}

/** The default AWS provider the engine names on every custom resource (its region is the stack's). */
export const TEST_PROVIDER = {
    urn: "urn:pulumi:test::credlink::pulumi:providers:aws::default_7_48_0",
    type: "pulumi:providers:aws",
    name: "default_7_48_0",
    properties: { region: "us-east-1", version: "7.48.0" },
};

export function resource(
    type: string,
    name: string,
    inputs: Inputs,
    links: {
        propertyDependencies?: Readonly<Record<string, readonly string[]>>;
        dependencies?: readonly string[];
    } = {},
): FixtureResource {
    const propertyDependencies = links.propertyDependencies ?? {};
    const dependencies = [...new Set([...(links.dependencies ?? []), ...Object.values(propertyDependencies).flat()])];
    return {
        urn: urnOf(type, name),
        type,
        name,
        inputs,
        outputs: previewOutputs(inputs),
        provider: TEST_PROVIDER,
        dependencies,
        propertyDependencies,
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
    };
}

export const T = {
    topic: "aws:sns/topic:Topic",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    cluster: "aws:ecs/cluster:Cluster",
    service: "aws:ecs/service:Service",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    composite: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    db: "aws:rds/instance:Instance",
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    distribution: "aws:cloudfront/distribution:Distribution",
} as const;

const U = {
    topic: urnOf(T.topic, "alerts"),
    alb: urnOf(T.alb, "api"),
    tg: urnOf(T.targetGroup, "api"),
    cluster: urnOf(T.cluster, "api"),
    service: urnOf(T.service, "api"),
    target: urnOf(T.target, "api"),
    db: urnOf(T.db, "database"),
    staticCache: urnOf(T.cachePolicy, "cdn-static-cache"),
    proofsCache: urnOf(T.cachePolicy, "cdn-proofs-cache"),
    dist: urnOf(T.distribution, "cdn"),
};

const actions = { alarmActions: [UNKNOWN], okActions: [UNKNOWN] };
const actionDeps = { alarmActions: [U.topic], okActions: [U.topic] };

function alarm(
    name: string,
    inputs: Inputs,
    dimensionDeps: string[],
    via: "dimensions" | "metricQueries" = "dimensions",
): FixtureResource {
    return resource(
        T.alarm,
        name,
        {
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 3,
            treatMissingData: "notBreaching",
            ...actions,
            ...inputs,
        },
        { propertyDependencies: { ...actionDeps, [via]: dimensionDeps } },
    );
}

function scalingPolicy(
    name: string,
    metric: string,
    targetValue: number,
    scaleOutCooldown: number,
    extra: Inputs = {},
): FixtureResource {
    return resource(
        T.policy,
        name,
        {
            name: `api-test-${name}`,
            policyType: "TargetTrackingScaling",
            resourceId: UNKNOWN,
            scalableDimension: "ecs:service:DesiredCount",
            serviceNamespace: "ecs",
            targetTrackingScalingPolicyConfiguration: {
                disableScaleIn: false,
                predefinedMetricSpecification: { predefinedMetricType: metric, ...extra },
                scaleInCooldown: SCALING.defaultScaleInCooldownSeconds,
                scaleOutCooldown,
                targetValue,
            },
        },
        { propertyDependencies: { resourceId: [U.target] } },
    );
}

const rdsAlarm = (metric: string, stat: string, threshold: number, comparisonOperator = "GreaterThanThreshold") =>
    alarm(
        `database-${metric}`,
        {
            metricName: metric,
            namespace: "AWS/RDS",
            statistic: stat,
            threshold,
            comparisonOperator,
            period: 60,
            dimensions: { DBInstanceIdentifier: "database-test" },
        },
        [U.db],
    );

const behaviour = (pathPattern: string, target: string) => ({
    allowedMethods: ["GET", "HEAD", "OPTIONS"],
    cachedMethods: ["GET", "HEAD"],
    cachePolicyId: UNKNOWN,
    compress: true,
    pathPattern,
    targetOriginId: target,
    viewerProtocolPolicy: "redirect-to-https",
});

/** Every resource the rules look at, compliant with the pack's defaults. */
export function compliantStack(): FixtureResource[] {
    const albDims = { LoadBalancer: UNKNOWN };
    return [
        resource(T.topic, "alerts", { kmsMasterKeyId: UNKNOWN }),
        resource(
            "aws:sns/topicSubscription:TopicSubscription",
            "alerts-email-0",
            { topic: UNKNOWN, protocol: "email", endpoint: "oncall@test.example.com" },
            { propertyDependencies: { topic: [U.topic] } },
        ),
        resource(T.alb, "api", {
            loadBalancerType: "application",
            internal: false,
            dropInvalidHeaderFields: true,
            securityGroups: [UNKNOWN],
            subnets: UNKNOWN,
        }),
        resource(T.targetGroup, "api", { port: 3000, protocol: "HTTP", targetType: "ip", vpcId: UNKNOWN }),
        resource(T.cluster, "api", { settings: [{ name: "containerInsights", value: "enabled" }] }),
        resource(
            T.service,
            "api",
            { cluster: UNKNOWN, desiredCount: 2, launchType: "FARGATE", taskDefinition: UNKNOWN },
            { propertyDependencies: { cluster: [U.cluster] } },
        ),
        resource(
            T.target,
            "api",
            {
                minCapacity: SCALING.tasks.min,
                maxCapacity: SCALING.tasks.max,
                resourceId: UNKNOWN,
                scalableDimension: "ecs:service:DesiredCount",
                serviceNamespace: "ecs",
            },
            { propertyDependencies: { resourceId: [U.cluster, U.service] } },
        ),
        scalingPolicy(
            "api-cpu",
            "ECSServiceAverageCPUUtilization",
            SCALING.cpuTargetPercent.default,
            SCALING.defaultScaleOutCooldownSeconds,
        ),
        scalingPolicy(
            "api-memory",
            "ECSServiceAverageMemoryUtilization",
            SCALING.memoryTargetPercent.default,
            SCALING.defaultScaleOutCooldownSeconds,
        ),
        scalingPolicy(
            "api-requests",
            "ALBRequestCountPerTarget",
            SCALING.requestsPerTargetPerMinute.default,
            SCALING.defaultRequestScaleOutCooldownSeconds,
            { resourceLabel: UNKNOWN },
        ),
        alarm(
            "api-latency-p95",
            {
                metricName: "TargetResponseTime",
                namespace: "AWS/ApplicationELB",
                extendedStatistic: "p95",
                threshold: SLO.latencyP95Ms / 1000,
                period: 60,
                dimensions: albDims,
            },
            [U.alb],
        ),
        alarm(
            "api-latency-anomaly",
            {
                thresholdMetricId: "band",
                comparisonOperator: "GreaterThanUpperThreshold",
                metricQueries: [
                    {
                        id: "p95",
                        returnData: true,
                        metric: {
                            metricName: "TargetResponseTime",
                            namespace: "AWS/ApplicationELB",
                            period: 60,
                            stat: "p95",
                            dimensions: albDims,
                        },
                    },
                    { id: "band", returnData: true, expression: "ANOMALY_DETECTION_BAND(p95, 2)" },
                ],
            },
            [U.alb],
            "metricQueries",
        ),
        alarm(
            "api-error-rate",
            {
                threshold: SLO.errorRate * 100,
                metricQueries: [
                    {
                        id: "target5xx",
                        metric: {
                            metricName: "HTTPCode_Target_5XX_Count",
                            namespace: "AWS/ApplicationELB",
                            period: 60,
                            stat: "Sum",
                            dimensions: albDims,
                        },
                    },
                    {
                        id: "requests",
                        metric: {
                            metricName: "RequestCount",
                            namespace: "AWS/ApplicationELB",
                            period: 60,
                            stat: "Sum",
                            dimensions: albDims,
                        },
                    },
                    { id: "errorRate", returnData: true, expression: "100 * FILL(target5xx, 0) / FILL(requests, 1)" },
                ],
            },
            [U.alb],
            "metricQueries",
        ),
        alarm(
            "api-request-rate",
            {
                metricName: "RequestCount",
                namespace: "AWS/ApplicationELB",
                statistic: "Sum",
                threshold: SLO.requestRateAlarm.requests,
                period: SLO.requestRateAlarm.periodSeconds,
                dimensions: albDims,
            },
            [U.alb],
        ),
        alarm(
            "api-unhealthy-hosts",
            {
                metricName: "UnHealthyHostCount",
                namespace: "AWS/ApplicationELB",
                statistic: "Maximum",
                threshold: 0,
                period: 60,
                dimensions: { LoadBalancer: UNKNOWN, TargetGroup: UNKNOWN },
            },
            [U.alb, U.tg],
        ),
        alarm(
            "api-cpu-high",
            {
                metricName: "CPUUtilization",
                namespace: "AWS/ECS",
                statistic: "Average",
                threshold: 85,
                period: 60,
                dimensions: { ClusterName: UNKNOWN, ServiceName: UNKNOWN },
            },
            [U.cluster, U.service],
        ),
        alarm(
            "api-memory-high",
            {
                metricName: "MemoryUtilization",
                namespace: "AWS/ECS",
                statistic: "Average",
                threshold: 85,
                period: 60,
                dimensions: { ClusterName: UNKNOWN, ServiceName: UNKNOWN },
            },
            [U.cluster, U.service],
        ),
        rdsAlarm("CPUUtilization", "Average", 80),
        rdsAlarm("FreeableMemory", "Minimum", 1_717_986_918, "LessThanThreshold"),
        rdsAlarm("FreeStorageSpace", "Minimum", 10_737_418_240, "LessThanThreshold"),
        rdsAlarm("DatabaseConnections", "Maximum", 1355),
        rdsAlarm("ReadLatency", "Average", 0.02),
        rdsAlarm("WriteLatency", "Average", 0.02),
        alarm(
            "cdn-5xx-error-rate",
            {
                metricName: "5xxErrorRate",
                namespace: "AWS/CloudFront",
                statistic: "Average",
                threshold: SLO.errorRate * 100,
                period: 60,
                dimensions: { DistributionId: UNKNOWN, Region: "Global" },
            },
            [U.dist],
        ),
        alarm(
            "cdn-cache-hit-rate",
            {
                metricName: "CacheHitRate",
                namespace: "AWS/CloudFront",
                statistic: "Average",
                threshold: SLO.cdnCacheHitRatePercent,
                comparisonOperator: "LessThanThreshold",
                period: 300,
                dimensions: { DistributionId: UNKNOWN, Region: "Global" },
            },
            [U.dist],
        ),
        resource(
            T.composite,
            "service-degraded",
            { alarmRule: UNKNOWN, ...actions },
            { propertyDependencies: { ...actionDeps } },
        ),
        resource(
            T.db,
            "database",
            {
                engine: "postgres",
                engineVersion: "17",
                identifier: "database-test",
                instanceClass: "db.r6g.large",
                allocatedStorage: 100,
                storageEncrypted: true,
                kmsKeyId: UNKNOWN,
                publiclyAccessible: false,
                monitoringInterval: DATABASE.enhancedMonitoringIntervalSeconds,
                monitoringRoleArn: UNKNOWN,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: UNKNOWN,
                performanceInsightsRetentionPeriod: DATABASE.performanceInsightsRetentionDays,
                multiAz: true,
            },
            { propertyDependencies: { monitoringRoleArn: [urnOf("aws:iam/role:Role", "database-monitoring")] } },
        ),
        resource(T.cachePolicy, "cdn-static-cache", {
            ...TTL.static,
            parametersInCacheKeyAndForwardedToOrigin: {
                cookiesConfig: { cookieBehavior: "none" },
                headersConfig: { headerBehavior: "none" },
                queryStringsConfig: { queryStringBehavior: "none" },
                enableAcceptEncodingGzip: true,
                enableAcceptEncodingBrotli: true,
            },
        }),
        resource(T.cachePolicy, "cdn-proofs-cache", {
            ...TTL.proofs,
            parametersInCacheKeyAndForwardedToOrigin: {
                cookiesConfig: { cookieBehavior: "none" },
                headersConfig: { headerBehavior: "none" },
                queryStringsConfig: { queryStringBehavior: "none" },
                enableAcceptEncodingGzip: true,
                enableAcceptEncodingBrotli: true,
            },
        }),
        resource(
            T.distribution,
            "cdn",
            {
                enabled: true,
                aliases: ["api.test.example.com"],
                httpVersion: "http2and3",
                isIpv6Enabled: true,
                origins: [
                    {
                        originId: "api",
                        domainName: "origin.api.test.example.com",
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: "https-only",
                            originSslProtocols: ["TLSv1.2"],
                        },
                    },
                    { originId: "static", domainName: UNKNOWN, originAccessControlId: UNKNOWN },
                    { originId: "proofs", domainName: UNKNOWN, originAccessControlId: UNKNOWN },
                ],
                defaultCacheBehavior: {
                    allowedMethods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
                    cachedMethods: ["GET", "HEAD"],
                    cachePolicyId: CACHING_DISABLED,
                    compress: true,
                    targetOriginId: "api",
                    viewerProtocolPolicy: "redirect-to-https",
                },
                orderedCacheBehaviors: [behaviour("/proofs/*", "proofs"), behaviour("/static/*", "static")],
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: {
                    acmCertificateArn:
                        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000001",
                    minimumProtocolVersion: "TLSv1.2_2021",
                    sslSupportMethod: "sni-only",
                },
            },
            {
                propertyDependencies: {
                    orderedCacheBehaviors: [U.proofsCache, U.staticCache],
                    origins: [urnOf("aws:s3/bucket:Bucket", "static"), urnOf("aws:s3/bucket:Bucket", "proofs")],
                },
            },
        ),
    ];
}

/**
 * A copy of `stack` where `fn` changed the named resource's inputs (and so its preview outputs).
 * `I` is the shape `fn` works on, e.g. `InputsOf<aws.cloudwatch.MetricAlarmArgs>` (test/resources.ts);
 * a change that breaks that shape (an UNKNOWN list, say) takes the default, plain `Inputs`.
 */
export function changed<I extends object = Inputs>(
    stack: readonly FixtureResource[],
    type: string,
    name: string,
    fn: (inputs: I, r: { propertyDependencies: Record<string, string[]> }) => void,
): FixtureResource[] {
    let found = false;
    const out = stack.map((r) => {
        if (r.type !== type || r.name !== name) return r;
        found = true;
        const inputs = structuredClone(r.inputs);
        const links = { propertyDependencies: structuredClone(r.propertyDependencies) as Record<string, string[]> };
        fn(inputs as I, links);
        return { ...resource(type, name, inputs, { propertyDependencies: links.propertyDependencies }) };
    });
    if (!found) throw new Error(`fixture has no ${type} ${name}`);
    return out;
}

export function without(stack: readonly FixtureResource[], type: string, name: string): FixtureResource[] {
    const out = stack.filter((r) => !(r.type === type && r.name === name));
    if (out.length === stack.length) throw new Error(`fixture has no ${type} ${name}`);
    return out;
}

/**
 * The pack's defaults, except the peak throughput: the compliant fixture keeps the seed's
 * 2..20 tasks at 1000 requests per target per minute (333 req/s at target), so it is held
 * to a 250 req/s peak (300 req/s with the default 20 % headroom).
 */
export const TEST_CONFIG: PolicyConfig = {
    "scaling-capacity-at-target": { properties: { peakRequestsPerSecond: 250 } },
};

/**
 * The stack config the pack gets (PULUMI_CONFIG), as the CLI hands it: a peak of 40 req/s,
 * which the compliant fixture's 2 tasks carry from the start (2 x 1000 / 60 / 0.7 = 47.6
 * req/s at the planning per-task rate), so the simulated k6 profiles do not overload it.
 */
export const TEST_STACK_CONFIG: Readonly<Record<string, string>> = {
    "credlink:scaling.peakRequestsPerSecond": "40",
};

/**
 * Running packs by stack config. The stack config is fixed when a pack starts (PULUMI_CONFIG);
 * the policy config is not, so several handles (see `openPack`) can share one process. The
 * `shared` vitest project runs several of these files in one worker, one test at a time, so a
 * pack started for one file serves the next: each start costs about a second of CPU. A pack no
 * handle holds stays running only while it is among the MAX_IDLE most recently released.
 */
interface SharedPack {
    readonly started: Promise<PolicyPackProcess>;
    /** Open handles. */
    handles: number;
    /** When the last handle was released (a counter). */
    released: number;
    /** The handle whose policy config the process holds, and when it is in place. */
    holder?: { readonly handle: PolicyPackProcess; readonly sent: Promise<PolicyConfig> };
    /** Calls in flight, all of one handle: another handle must not reconfigure the process meanwhile. */
    inFlight: number;
    busyWith?: PolicyPackProcess;
}
const shared = new Map<string, SharedPack>();
const MAX_IDLE = 2;
let releases = 0;
let exitsOnSigterm = false;

async function release(key: string, entry: SharedPack): Promise<void> {
    entry.handles--;
    if (entry.handles > 0 || shared.get(key) !== entry) return;
    entry.released = ++releases;
    const idle = [...shared].filter(([, e]) => e.handles === 0).sort(([, x], [, y]) => y.released - x.released);
    const evicted = idle.slice(MAX_IDLE);
    for (const [k] of evicted) shared.delete(k); // before any await: an evicted pack is never handed out again
    await Promise.all(evicted.map(([, e]) => e.started.then((p) => p.close()).catch(() => undefined)));
}

/**
 * The pack in its own process, configured like `--policy-pack-config`, with the stack config the
 * CLI would hand it (`credlink:<key>` -> string). The handle behaves as a pack of its own: before
 * each call it re-sends its policy config if another handle configured the process since, and a
 * rejected config leaves it with the last one accepted. Handles of one process must not be used at
 * the same time (that throws). Close it in afterAll; packs still running end with the worker.
 */
export async function openPack(
    config: PolicyConfig = TEST_CONFIG,
    stackConfig: Readonly<Record<string, string>> = TEST_STACK_CONFIG,
): Promise<PolicyPackProcess> {
    if (!exitsOnSigterm) {
        // vitest stops a worker with SIGTERM, which skips exit handlers: exit instead, so that
        // tools/analyzer's exit hook ends the packs this worker kept running.
        process.once("SIGTERM", () => process.exit(143));
        exitsOnSigterm = true;
    }
    const key = JSON.stringify(Object.entries(stackConfig).sort(([a], [b]) => a.localeCompare(b)));
    const found = shared.get(key);
    if (found && (await found.started.then((p) => !p.running()).catch(() => true))) {
        // A pack that crashed or failed to start is not handed out again.
        if (shared.get(key) === found) shared.delete(key);
    }
    let entry = shared.get(key); // again: a release may have evicted it meanwhile
    if (!entry) {
        const started = startPolicyPack(DEFAULT_PACK_DIR, { project: "credlink", stack: "test", stackConfig });
        entry = { started, handles: 0, released: 0, inFlight: 0 };
        shared.set(key, entry);
    }
    const mine = entry;
    mine.handles++;
    let pack: PolicyPackProcess;
    try {
        pack = await mine.started;
    } catch (e) {
        await release(key, mine);
        throw e;
    }
    let own = config;
    let ownSource: string | undefined;
    let accepted: readonly [PolicyConfig, string | undefined] | undefined;
    let closed = false;

    /** Run `call` with this handle's config in place, alongside other calls of this handle only. */
    const withConfig = async <T>(call: (sent: PolicyConfig) => Promise<T>): Promise<T> => {
        if (mine.inFlight > 0 && mine.busyWith !== handle)
            throw new Error("openPack: another handle of this pack has calls in flight; await them first");
        let held = mine.holder;
        if (held?.handle !== handle) {
            const sent = pack.configure(own, ownSource);
            held = mine.holder = { handle, sent };
            // A rejected config is never held: the next call sends the handle's config again.
            sent.catch(() => (mine.holder?.sent === sent ? (mine.holder = undefined) : undefined));
        }
        mine.inFlight++;
        mine.busyWith = handle;
        try {
            return await call(await held.sent);
        } finally {
            if (--mine.inFlight === 0) mine.busyWith = undefined;
        }
    };
    const handle: PolicyPackProcess = {
        dir: pack.dir,
        info: pack.info,
        pluginVersion: pack.pluginVersion,
        logs: pack.logs,
        stderr: () => pack.stderr(),
        running: () => pack.running(),
        configure: async (next = {}, source) => {
            [own, ownSource] = [next, source];
            if (mine.holder?.handle === handle) mine.holder = undefined;
            try {
                const sent = await withConfig((reconciled) => Promise.resolve(reconciled));
                accepted = [next, source];
                return sent;
            } catch (e) {
                // A pack keeps the config it had when one is rejected.
                if (own === next) [own, ownSource] = accepted ?? [config, undefined];
                throw e;
            }
        },
        remediate: (r) => withConfig(() => pack.remediate(r)),
        analyze: (r) => withConfig(() => pack.analyze(r)),
        analyzeStack: (rs) => withConfig(() => pack.analyzeStack(rs)),
        close: async () => {
            if (closed) return;
            closed = true;
            if (mine.holder?.handle === handle) mine.holder = undefined;
            await release(key, mine);
        },
    };
    try {
        await handle.configure(config);
    } catch (e) {
        await handle.close();
        throw e;
    }
    return handle;
}

export async function analyze(pack: PolicyPackProcess, stack: readonly FixtureResource[]): Promise<Diagnostic[]> {
    return analyzeResources(pack, stack);
}

export const levelOf = (level: string) => (ds: readonly Diagnostic[]) => ds.filter((d) => d.enforcementLevel === level);
export const mandatory = levelOf("mandatory");
export const advisory = levelOf("advisory");

/**
 * Asserts the only mandatory findings are `policy`'s, one per expected message,
 * each naming the resource, the property, the value found, the allowed range
 * and the fix (in that order, as every rule writes them).
 */
export function expectViolations(
    ds: readonly Diagnostic[],
    policy: string,
    expected: Array<{ resource: string; property: string; found: string; allowed: string; fix?: string }>,
): void {
    const got = mandatory(ds);
    expect(got.map((d) => d.policyName)).toEqual(expected.map(() => policy));
    got.forEach((d, i) => {
        const e = expected[i];
        const line = d.message.split("\n")[1];
        expect(d.message.split("\n")[0]).toBe(d.description);
        expect(line).toContain(`${e.resource}: ${e.property}`);
        expect(line).toContain(`= ${e.found}`);
        expect(line).toContain(`; allowed: ${e.allowed}`);
        expect(line).toMatch(/\. Fix: \S/);
        if (e.fix) expect(line).toContain(e.fix);
    });
}

/**
 * A copy of `stack` where the named resource's outputs hold `outputs` as known values: what
 * the engine sends for a resource that already exists (an update preview), e.g. an ALB's arnSuffix.
 */
export function withOutputs(
    stack: readonly FixtureResource[],
    type: string,
    name: string,
    outputs: Inputs,
): FixtureResource[] {
    let found = false;
    const out = stack.map((r) => {
        if (r.type !== type || r.name !== name) return r;
        found = true;
        return { ...r, outputs: { ...r.outputs, ...outputs } };
    });
    if (!found) throw new Error(`fixture has no ${type} ${name}`);
    return out;
}

/** The policies with a mandatory finding, each once, sorted. */
export const failedPolicies = (ds: readonly Diagnostic[]) =>
    [...new Set(mandatory(ds).map((d) => d.policyName))].sort();

/**
 * The one advisory a new-stack preview of the compliant fixture carries: its two S3 behaviours
 * reference two new cache policies whose IDs are unknown, so which gets which is decided with the
 * IDs known (`pulumi up`, the offline update preview).
 */
export const isPairingNote = (d: Diagnostic): boolean =>
    d.policyName === "cdn-ttl-bands" &&
    d.enforcementLevel === "advisory" &&
    d.message.includes("orderedCacheBehaviors cache policies (IDs unknown at preview)");

/** Asserts the pack found nothing but the fixture's cache-policy pairing note. */
export function expectCompliant(ds: readonly Diagnostic[], label?: string): void {
    expect(
        ds.filter((d) => !isPairingNote(d)),
        label,
    ).toEqual([]);
    expect(ds.filter(isPairingNote), label).toHaveLength(1);
}

/** The ECS names and resourceIds an update (or auto-naming at preview) makes known. */
export const ECS_IDS = {
    cluster: "api-cluster",
    service: "api-service",
    resourceId: "service/api-cluster/api-service",
};

/**
 * The scaling part of the fixture as an update of the existing stack sends it: the cluster and
 * service names and every resourceId known (dependencies unchanged).
 */
export function scalingIdsKnown(stack: readonly FixtureResource[]): FixtureResource[] {
    const known: Record<string, (i: Inputs) => void> = {
        [T.cluster]: (i) => (i.name = ECS_IDS.cluster),
        [T.service]: (i) => (i.name = ECS_IDS.service),
        [T.target]: (i) => (i.resourceId = ECS_IDS.resourceId),
        [T.policy]: (i) => (i.resourceId = ECS_IDS.resourceId),
    };
    return stack.map((r) => {
        const set = known[r.type];
        if (!set) return r;
        const inputs = structuredClone(r.inputs);
        set(inputs);
        return resource(r.type, r.name, inputs, {
            propertyDependencies: r.propertyDependencies,
            dependencies: r.dependencies,
        });
    });
}
