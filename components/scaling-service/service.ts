/**
 * The ECS side: cluster, the two roles, the container and task definitions and the
 * Fargate service registered with the ALB's target group.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedArgs } from "./args";
import { createExecutionRole, createTaskRole } from "./iam";
import { HEALTH_CHECK_PATH } from "./load-balancer";

const CONTAINER_NAME = "api";

/** The settings the container and service take from the component's arguments. */
export type ServiceSettings = Pick<
    ResolvedArgs,
    | "image"
    | "cpu"
    | "memory"
    | "cpuArchitecture"
    | "containerPort"
    | "readonlyRootFilesystem"
    | "environment"
    | "secrets"
    | "proofUriDomain"
    | "database"
    | "privateSubnetIds"
    | "proofsBucketName"
    | "proofsBucketArn"
    | "proofsKmsKeyArn"
>;

export interface ServiceInput {
    readonly settings: ServiceSettings;
    /** Task family; unique per account and region. */
    readonly family: string;
    /** The service's first desired count; autoscaling owns it afterwards. */
    readonly initialTaskCount: number;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly accountId: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly taskSecurityGroupId: pulumi.Input<string>;
    readonly targetGroupArn: pulumi.Input<string>;
    /** Attaches the target group to the ALB; the service waits for it. */
    readonly forwardRule: aws.lb.ListenerRule;
}

export interface Service {
    readonly cluster: aws.ecs.Cluster;
    readonly service: aws.ecs.Service;
    readonly taskRole: aws.iam.Role;
}

export function createService(name: string, input: ServiceInput, parent: pulumi.Resource): Service {
    const s = input.settings;
    const cluster = new aws.ecs.Cluster(
        name,
        { settings: [{ name: "containerInsights", value: "enabled" }] },
        { parent },
    );
    // The database credentials come from RDS's managed secret, by JSON key.
    const databaseSecrets: Record<string, pulumi.Input<string>> = s.database === undefined
        ? {}
        : {
              PGUSER: pulumi.interpolate`${s.database.credentialsSecretArn}:username::`,
              PGPASSWORD: pulumi.interpolate`${s.database.credentialsSecretArn}:password::`,
          };
    const secrets = Object.entries({ ...s.secrets, ...databaseSecrets }).sort(([a], [b]) => a.localeCompare(b));
    const execution = createExecutionRole(
        name,
        {
            image: s.image,
            logGroupArn: input.logGroup.arn,
            secrets,
            accountId: input.accountId,
            partition: input.partition,
        },
        parent,
    );
    const task = createTaskRole(
        name,
        {
            proofsBucketArn: s.proofsBucketArn,
            proofsKmsKeyArn: s.proofsKmsKeyArn,
            accountId: input.accountId,
            region: input.region,
        },
        parent,
    );

    // The operator's variables first: the settings refuse the names set here (MANAGED_ENV).
    const environment: Record<string, pulumi.Input<string>> = {
        ...s.environment,
        PORT: String(s.containerPort),
        NODE_ENV: "production",
        STORAGE_PROVIDER: "s3",
        STORAGE_BUCKET: s.proofsBucketName,
        STORAGE_REGION: input.region,
        // The legacy local proof store writes under PROOF_STORAGE_PATH; keep it on the writable volume.
        PROOF_STORAGE_PATH: "/tmp/proofs",
        TMPDIR: "/tmp",
        // The API builds each proof's URI as `${PROOF_URI_DOMAIN}/<uuid>`: the CDN's proofs path serves it.
        PROOF_URI_DOMAIN: s.proofUriDomain,
        ...(s.database === undefined
            ? {}
            : {
                  PGHOST: s.database.host,
                  PGPORT: pulumi.interpolate`${s.database.port}`,
                  PGDATABASE: s.database.name,
                  PGSSLMODE: "require",
              }),
    };
    const containerDefinitions = pulumi.jsonStringify([
        {
            name: CONTAINER_NAME,
            image: s.image,
            essential: true,
            portMappings: [
                {
                    name: "http",
                    containerPort: s.containerPort,
                    hostPort: s.containerPort,
                    protocol: "tcp",
                    appProtocol: "http",
                },
            ],
            environment: Object.keys(environment)
                .sort()
                .map((key) => ({ name: key, value: environment[key] })),
            secrets: secrets.map(([key, valueFrom]) => ({ name: key, valueFrom })),
            readonlyRootFilesystem: s.readonlyRootFilesystem,
            mountPoints: s.readonlyRootFilesystem
                ? [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]
                : [],
            healthCheck: {
                command: ["CMD-SHELL", `curl -f http://localhost:${s.containerPort}${HEALTH_CHECK_PATH} || exit 1`],
                interval: 30,
                timeout: 5,
                retries: 3,
                startPeriod: 60,
            },
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": input.logGroup.name,
                    "awslogs-region": input.region,
                    "awslogs-stream-prefix": CONTAINER_NAME,
                    // A slow CloudWatch Logs must never stall requests; a bounded buffer drops lines instead.
                    mode: "non-blocking",
                    "max-buffer-size": "25m",
                },
            },
        },
    ]);
    const taskDefinition = new aws.ecs.TaskDefinition(
        name,
        {
            family: input.family,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(s.cpu),
            memory: String(s.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: s.cpuArchitecture },
            executionRoleArn: execution.role.arn,
            taskRoleArn: task.role.arn,
            containerDefinitions,
            volumes: s.readonlyRootFilesystem ? [{ name: "tmp" }] : [],
        },
        { parent },
    );
    const service = new aws.ecs.Service(
        name,
        {
            cluster: cluster.arn,
            taskDefinition: taskDefinition.arn,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            desiredCount: input.initialTaskCount,
            networkConfiguration: {
                subnets: s.privateSubnetIds,
                securityGroups: [input.taskSecurityGroupId],
                assignPublicIp: false,
            },
            loadBalancers: [
                { targetGroupArn: input.targetGroupArn, containerName: CONTAINER_NAME, containerPort: s.containerPort },
            ],
            healthCheckGracePeriodSeconds: 60,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            enableEcsManagedTags: true,
            propagateTags: "SERVICE",
            enableExecuteCommand: false,
            // A deploy that the circuit breaker rolls back fails `pulumi up` instead of passing silently.
            waitForSteadyState: true,
        },
        {
            parent,
            // Autoscaling owns the running count; a deploy must not reset it to minTasks.
            ignoreChanges: ["desiredCount"],
            // The target group must be attached to the ALB, and the roles usable, before tasks start.
            dependsOn: [input.forwardRule, execution.policy, task.policy],
        },
    );
    return { cluster, service, taskRole: task.role };
}
