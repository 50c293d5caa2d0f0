/**
 * The internet-facing ALB, its target group and listeners. Every listener answers 403
 * by default; one rule forwards only requests that carry CloudFront's origin-verify header.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORIGIN_VERIFY_HEADER } from "../../lib/origin";
import { originSecretProblem } from "./args";

/** The API's health endpoint: the target group and the container health check both probe it. */
export const HEALTH_CHECK_PATH = "/health";
const FORBIDDEN = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" },
};

export interface LoadBalancerInput {
    readonly vpcId: pulumi.Input<string>;
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly albSecurityGroupId: pulumi.Input<string>;
    readonly containerPort: number;
    readonly deregistrationDelaySeconds: number;
    /** With a certificate the ALB serves HTTPS on 443 and redirects 80; without one it serves HTTP on 80. */
    readonly certificateArn?: pulumi.Input<string>;
    readonly sslPolicy: string;
    readonly originVerifySecret: pulumi.Input<string>;
}

export interface LoadBalancer {
    readonly alb: aws.lb.LoadBalancer;
    readonly targetGroup: aws.lb.TargetGroup;
    /** Forwards CloudFront's requests to the target group; until it exists the group is behind no listener. */
    readonly forwardRule: aws.lb.ListenerRule;
}

export function createLoadBalancer(name: string, input: LoadBalancerInput, parent: pulumi.Resource): LoadBalancer {
    const alb = new aws.lb.LoadBalancer(
        name,
        {
            loadBalancerType: "application",
            internal: false,
            subnets: input.publicSubnetIds,
            securityGroups: [input.albSecurityGroupId],
            dropInvalidHeaderFields: true,
            enableHttp2: true,
            idleTimeout: 60,
        },
        { parent },
    );
    const targetGroup = new aws.lb.TargetGroup(
        name,
        {
            vpcId: input.vpcId,
            targetType: "ip",
            protocol: "HTTP",
            port: input.containerPort,
            deregistrationDelay: input.deregistrationDelaySeconds,
            healthCheck: {
                enabled: true,
                path: HEALTH_CHECK_PATH,
                protocol: "HTTP",
                port: "traffic-port",
                matcher: "200",
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
        },
        { parent },
    );
    const servingListener = createListeners(name, alb, input, parent);
    const originSecret = pulumi.secret(
        pulumi.output(input.originVerifySecret).apply((v) => {
            const problem = originSecretProblem(v);
            if (problem) throw new Error(`ScalingService ${name}: originVerifySecret ${problem}`);
            return v;
        }),
    );
    const forwardRule = new aws.lb.ListenerRule(
        `${name}-from-cloudfront`,
        {
            listenerArn: servingListener.arn,
            priority: 1,
            conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [originSecret] } }],
            actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        },
        { parent },
    );
    return { alb, targetGroup, forwardRule };
}

/** The listener that serves requests (HTTPS, or HTTP without a certificate), plus the HTTP redirect with one. */
function createListeners(
    name: string,
    alb: aws.lb.LoadBalancer,
    input: LoadBalancerInput,
    parent: pulumi.Resource,
): aws.lb.Listener {
    if (input.certificateArn === undefined) {
        return new aws.lb.Listener(
            `${name}-http`,
            { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [FORBIDDEN] },
            { parent },
        );
    }
    const https = new aws.lb.Listener(
        `${name}-https`,
        {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            certificateArn: input.certificateArn,
            sslPolicy: input.sslPolicy,
            defaultActions: [FORBIDDEN],
        },
        { parent },
    );
    new aws.lb.Listener(
        `${name}-http-redirect`,
        {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [
                { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ],
        },
        { parent },
    );
    return https;
}
