/**
 * Application Auto Scaling: the service's scalable target range and its three
 * target-tracking policies (metric, target, cooldowns).
 */
import {
    DescribeScalableTargetsCommand,
    DescribeScalingPoliciesCommand,
    type ScalableTarget,
    type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import {
    ECS_SCALABLE_DIMENSION,
    ECS_SERVICE_NAMESPACE,
    ECS_TARGET_TRACKING_METRIC,
} from "../../../policies/aws/autoscaling";
import { call, describeError } from "../aws";
import type { ExpectedPolicy } from "../expected";
import type { CheckContext } from "./context";

const AREA = "Autoscaling";
const MAX_PAGES = 10;

export async function checkScaling(ctx: CheckContext): Promise<void> {
    const { outputs, expected, clients, rec } = ctx;
    const resourceId = `service/${outputs.clusterName}/${outputs.serviceName}`;
    const want = expected.scaling;

    let target: ScalableTarget | undefined;
    try {
        const out = await call(clients.timeoutMs, (o) =>
            clients.autoscaling.send(
                new DescribeScalableTargetsCommand({
                    ServiceNamespace: ECS_SERVICE_NAMESPACE,
                    ResourceIds: [resourceId],
                    ScalableDimension: ECS_SCALABLE_DIMENSION,
                }),
                o,
            ),
        );
        target = out.ScalableTargets?.[0];
    } catch (e) {
        rec.expect(
            AREA,
            `scalable target ${resourceId}`,
            false,
            describeError(e),
            `tasks ${want.minTasks}..${want.maxTasks}`,
        );
        return;
    }
    if (!target) {
        rec.expect(
            AREA,
            `scalable target ${resourceId}`,
            false,
            "not registered",
            `tasks ${want.minTasks}..${want.maxTasks}`,
        );
        return;
    }
    rec.expect(
        AREA,
        "task range",
        target.MinCapacity === want.minTasks && target.MaxCapacity === want.maxTasks,
        `${target.MinCapacity}..${target.MaxCapacity}`,
        `${want.minTasks}..${want.maxTasks}`,
    );
    const suspended = Object.entries(target.SuspendedState ?? {})
        .filter(([, v]) => v === true)
        .map(([k]) => k);
    rec.expect(
        AREA,
        "scaling not suspended",
        suspended.length === 0,
        suspended.length === 0 ? "active" : `suspended: ${suspended.join(", ")}`,
        "active",
    );

    const policies: ScalingPolicy[] = [];
    try {
        let token: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
            const out = await call(clients.timeoutMs, (o) =>
                clients.autoscaling.send(
                    new DescribeScalingPoliciesCommand({
                        ServiceNamespace: ECS_SERVICE_NAMESPACE,
                        ResourceId: resourceId,
                        ScalableDimension: ECS_SCALABLE_DIMENSION,
                        NextToken: token,
                    }),
                    o,
                ),
            );
            policies.push(...(out.ScalingPolicies ?? []));
            token = out.NextToken;
            if (!token) break;
        }
    } catch (e) {
        rec.expect(
            AREA,
            "target-tracking policies",
            false,
            describeError(e),
            want.policies.map(showExpected).join("; "),
        );
        return;
    }

    const matched = new Set<ScalingPolicy>();
    for (const p of want.policies) {
        const policy = policies.find((x) => x.PolicyType === "TargetTrackingScaling" && metricOf(x) === p.metric);
        if (policy) matched.add(policy);
        checkPolicy(ctx, p, policy);
    }
    const extra = policies.filter((p) => !matched.has(p));
    if (extra.length > 0) {
        rec.add({
            area: AREA,
            name: "no other scaling policies",
            status: "warn",
            found: extra
                .map((p) => `${p.PolicyName} (${p.PolicyType}${metricOf(p) ? `, ${metricOf(p)}` : ""})`)
                .join(", "),
            expected: "only the three target-tracking policies",
            note: "scale-out happens when any policy asks for it",
        });
    }
}

function checkPolicy(ctx: CheckContext, want: ExpectedPolicy, policy: ScalingPolicy | undefined): void {
    const name = `${want.metric} policy`;
    if (!policy) {
        ctx.rec.expect(AREA, name, false, "missing", showExpected(want));
        return;
    }
    const c = policy.TargetTrackingScalingPolicyConfiguration;
    const label = c?.PredefinedMetricSpecification?.ResourceLabel;
    // ALBRequestCountPerTarget cannot work without the ALB/target-group resource label.
    const labelOk = want.metric !== ECS_TARGET_TRACKING_METRIC.requests || (label !== undefined && label !== "");
    const ok =
        c?.TargetValue === want.target &&
        c?.ScaleOutCooldown === want.scaleOutCooldown &&
        c?.ScaleInCooldown === want.scaleInCooldown &&
        c?.DisableScaleIn !== true &&
        labelOk;
    const found =
        `target ${c?.TargetValue ?? "unset"}, scale-out ${c?.ScaleOutCooldown ?? "unset"} ` +
        `s, scale-in ${c?.ScaleInCooldown ?? "unset"} ` +
        `s${c?.DisableScaleIn ? ", scale-in disabled" : ""}${labelOk ? "" : ", no resource label"}`;
    ctx.rec.expect(AREA, name, ok, found, showExpected(want), ok ? undefined : `policy ${policy.PolicyName}`);
}

const metricOf = (p: ScalingPolicy): string | undefined =>
    p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType;

const showExpected = (p: ExpectedPolicy) =>
    `target ${p.target}, scale-out ${p.scaleOutCooldown} s, scale-in ${p.scaleInCooldown} s`;
