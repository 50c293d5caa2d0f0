/**
 * Red-team cases: resources the program declares outside the components (module scope, new
 * types). Each is a realistic edit a hurried colleague might make to the program or a stack
 * file; `mustFail` names the policies that must report a mandatory violation for it, and an
 * empty list marks a compliant variant that must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

export const CASES: readonly RedTeamCase[] = [
    {
        name: "an unmonitored database declared at module scope of index.ts",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.rds.Instance("reporting-db", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "reporting",
    manageMasterUserPassword: true,
    skipFinalSnapshot: true,
});

type Outputs =`,
            },
        ],
        mustFail: ["database-enhanced-monitoring", "database-performance-insights", "database-storage-encrypted"],
    },
    {
        name: "a 2 s latency alarm declared at module scope",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.cloudwatch.MetricAlarm("lenient-latency", {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    extendedStatistic: "p95",
    period: 60,
    evaluationPeriods: 3,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 2,
    alarmActions: ["arn:aws:sns:us-east-1:123456789012:elsewhere"],
});

type Outputs =`,
            },
        ],
        mustFail: ["alarm-latency"],
    },

    {
        name: "an ECS service declared through a raw CloudFormation stack",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.cloudformation.Stack("batch-worker", {
    templateBody: JSON.stringify({
        Resources: {
            Worker: {
                Type: "AWS::ECS::Service",
                Properties: {
                    Cluster: "credlink",
                    DesiredCount: 40,
                    LaunchType: "FARGATE",
                    TaskDefinition: "worker:1",
                },
            },
        },
    }),
});

type Outputs =`,
            },
        ],
        mustFail: ["unchecked-resource-types"],
    },
    {
        name: "a CloudFront distribution created through Cloud Control",
        program: [
            {
                file: "index.ts",
                find: "type Outputs =",
                replace: `new aws.cloudcontrol.Resource("docs-cdn", {
    typeName: "AWS::CloudFront::Distribution",
    desiredState: JSON.stringify({
        DistributionConfig: {
            Enabled: true,
            DefaultCacheBehavior: { TargetOriginId: "docs", ViewerProtocolPolicy: "allow-all", MinTTL: 31536000 },
            Origins: [
                {
                    Id: "docs",
                    DomainName: "docs.example.com",
                    CustomOriginConfig: { OriginProtocolPolicy: "https-only" },
                },
            ],
        },
    }),
});

type Outputs =`,
            },
        ],
        mustFail: ["unchecked-resource-types"],
    },
    {
        name: "an external ECS task set that runs tasks outside the service's scalable target",
        program: [
            {
                file: "index.ts",
                find: "setTaskSecurityGroupId(api.taskSecurityGroupId);",
                replace: `setTaskSecurityGroupId(api.taskSecurityGroupId);
    new aws.ecs.TaskSet("canary", {
        cluster: api.clusterName,
        service: api.serviceName,
        taskDefinition: "credlink-api:1",
        launchType: "FARGATE",
        scale: { unit: "PERCENT", value: 200 },
    });`,
            },
        ],
        mustFail: ["unchecked-resource-types"],
    },
];
