/**
 * What the live account should look like, derived from the stack's config and
 * the SLO module only: no number here is typed twice.
 */
import type { CachedBehaviourSettings } from "../../components/cdn/settings";
import type { StackConfig } from "../../lib/config";
import { VIEWER_TLS_AT_LEAST_MINIMUM } from "../../policies/aws/cloudfront";
import { ECS_TARGET_TRACKING_METRIC, type EcsTargetTrackingMetric } from "../../policies/aws/autoscaling";
import { SLO } from "../../policies/slo";

export interface ExpectedPolicy {
    readonly metric: EcsTargetTrackingMetric;
    readonly target: number;
    readonly scaleOutCooldown: number;
    readonly scaleInCooldown: number;
}

export interface Expected {
    readonly region: string;
    readonly cdn: {
        readonly static: CachedBehaviourSettings;
        readonly proofs: CachedBehaviourSettings;
        readonly priceClass: string;
        readonly loggingEnabled: boolean;
        readonly wafEnabled: boolean;
        /** Viewer certificate: the distribution serves its own name over TLS >= MINIMUM_VIEWER_TLS. */
        readonly certificate: boolean;
        readonly certificateArn?: string;
        readonly alias?: string;
    };
    readonly scaling: {
        readonly minTasks: number;
        readonly maxTasks: number;
        readonly policies: readonly ExpectedPolicy[];
    };
    readonly database: {
        readonly monitoringIntervalSeconds: number;
        readonly performanceInsightsEnabled: boolean;
        readonly performanceInsightsRetentionDays: number;
        readonly multiAz: boolean;
        readonly deletionProtection: boolean;
        readonly instanceClass: string;
        readonly backupRetentionDays: number;
    };
    readonly alerts: {
        readonly emails: readonly string[];
        readonly httpsEndpoint: boolean;
    };
    /** One /health sample slower than this is worth a look (it is not a p95, so it warns, never fails). */
    readonly healthLatencyBudgetMs: number;
    /**
     * Host name CloudFront uses for the API origin (domain.originName) when the ALB has
     * a certificate; otherwise the origin is the ALB's own DNS name.
     */
    readonly apiOriginHost?: string;
    /** With an ALB certificate, the direct ALB probe speaks HTTPS under apiOriginHost (the name it covers). */
    readonly albHttps: boolean;
}

export function expectedFrom(config: StackConfig): Expected {
    const s = config.scaling;
    const certificate =
        config.domain.cdnCertificateArn !== undefined ||
        (config.domain.name !== undefined && config.domain.hostedZoneId !== undefined);
    return {
        region: config.region,
        cdn: {
            static: config.cdn.static,
            proofs: config.cdn.proofs,
            priceClass: config.cdn.priceClass,
            loggingEnabled: config.cdn.loggingEnabled,
            wafEnabled: config.cdn.wafEnabled,
            certificate,
            certificateArn: config.domain.cdnCertificateArn,
            alias: certificate ? config.domain.name : undefined,
        },
        scaling: {
            minTasks: s.minTasks,
            maxTasks: s.maxTasks,
            policies: [
                {
                    metric: ECS_TARGET_TRACKING_METRIC.cpu,
                    target: s.cpuTargetPercent,
                    scaleOutCooldown: s.scaleOutCooldownSeconds,
                    scaleInCooldown: s.scaleInCooldownSeconds,
                },
                {
                    metric: ECS_TARGET_TRACKING_METRIC.memory,
                    target: s.memoryTargetPercent,
                    scaleOutCooldown: s.scaleOutCooldownSeconds,
                    scaleInCooldown: s.scaleInCooldownSeconds,
                },
                {
                    metric: ECS_TARGET_TRACKING_METRIC.requests,
                    target: s.requestsPerTarget,
                    scaleOutCooldown: s.requestScaleOutCooldownSeconds,
                    scaleInCooldown: s.scaleInCooldownSeconds,
                },
            ],
        },
        database: {
            monitoringIntervalSeconds: config.database.monitoringIntervalSeconds,
            performanceInsightsEnabled: config.database.performanceInsightsEnabled,
            performanceInsightsRetentionDays: config.database.performanceInsightsRetentionDays,
            multiAz: config.database.multiAz,
            deletionProtection: config.database.deletionProtection,
            instanceClass: config.database.instanceClass,
            backupRetentionDays: config.database.backupRetentionDays,
        },
        alerts: {
            emails: config.alerts.emails,
            httpsEndpoint: config.alerts.httpsEndpoint !== undefined,
        },
        healthLatencyBudgetMs: SLO.latencyP95Ms,
        apiOriginHost: config.domain.originName,
        albHttps: config.domain.albCertificateArn !== undefined,
    };
}

export function viewerTlsAcceptable(version: string | undefined): boolean {
    return version !== undefined && VIEWER_TLS_AT_LEAST_MINIMUM.includes(version);
}

/** The default static object the cache probe fetches: `verify.txt` under the static path pattern. */
export function defaultStaticPath(staticPathPattern: string): string {
    const star = staticPathPattern.indexOf("*");
    const prefix =
        star === -1 ? staticPathPattern.replace(/[^/]*$/, "") : staticPathPattern.slice(0, star).replace(/[^/]*$/, "");
    return `${prefix}verify.txt`;
}
