/**
 * MonitoredDatabase: RDS for PostgreSQL in private subnets with Enhanced
 * Monitoring, Performance Insights, slow-query logging and its alarms;
 * optionally read replicas and an RDS Proxy. See docs/database.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDatabaseAlarms } from "./alarms";
import { resolveSettings, type DatabaseSettings, type MonitoredDatabaseArgs } from "./args";

export type { MonitoredDatabaseArgs } from "./args";
export { DATABASE_ALARM_THRESHOLDS, derivedThresholds } from "./alarms";
export { describeInstanceClass, estimateMaxConnections, INSTANCE_FAMILIES } from "./instance-classes";

export const POSTGRES_PORT = 5432;
/** The RSA 2048 CA, valid to 2061; clients verify against the RDS global bundle. */
export const CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";
export const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** The AWS-managed policy that lets RDS publish Enhanced Monitoring metrics. */
const ENHANCED_MONITORING = "AmazonRDSEnhancedMonitoringRole";
export class MonitoredDatabase extends pulumi.ComponentResource {
    /** host:port of the primary. */
    public readonly endpoint: pulumi.Output<string>;
    public readonly address: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    /** ARN of the Secrets Manager secret RDS keeps the master password in (never the value). */
    public readonly masterUserSecretArn: pulumi.Output<string>;
    public readonly instanceIdentifier: pulumi.Output<string>;
    public readonly instanceArn: pulumi.Output<string>;
    /** DbiResourceId (db-...): the identifier Performance Insights' API takes. */
    public readonly resourceId: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The RDS Proxy endpoint when rdsProxy is on. */
    public readonly proxyEndpoint: pulumi.Output<string | undefined>;
    public readonly replicaIdentifiers: pulumi.Output<string[]>;
    public readonly alarmNames: pulumi.Output<string[]>;
    /** The resolved, validated settings (defaults applied). */
    public readonly settings: DatabaseSettings;

    constructor(name: string, args: MonitoredDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("credlink:database:MonitoredDatabase", name, {}, opts);
        const s = resolveSettings(name, args, pulumi.getStack());
        this.settings = s;
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        // Snapshots need this key to be restored, so it lives as long as the data: protected whenever the instance is.
        const storageKey = new aws.kms.Key(
            `${name}-storage-key`,
            {
                description: `Encrypts RDS storage and snapshots of ${s.identifier}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            { parent: this, protect: s.protect, retainOnDelete: s.protect },
        );
        const piKey = s.performanceInsightsEnabled
            ? new aws.kms.Key(
                  `${name}-pi-key`,
                  {
                      description: `Encrypts Performance Insights data of ${s.identifier}`,
                      enableKeyRotation: true,
                      deletionWindowInDays: 30,
                  },
                  parent,
              )
            : undefined;

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { description: `Private subnets of ${s.identifier}`, subnetIds: args.subnetIds },
            parent,
        );

        // No inline rules: the provider then removes AWS's default allow-all egress, which RDS does not need.
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: `PostgreSQL ${s.identifier}: ${POSTGRES_PORT} from its clients only` },
            parent,
        );
        const admit = (ruleName: string, from: pulumi.Input<string>, description: string) =>
            new aws.vpc.SecurityGroupIngressRule(
                ruleName,
                {
                    securityGroupId: sg.id,
                    referencedSecurityGroupId: from,
                    ipProtocol: "tcp",
                    fromPort: POSTGRES_PORT,
                    toPort: POSTGRES_PORT,
                    description,
                },
                parent,
            );
        args.clientSecurityGroupIds.forEach((client, i) =>
            admit(`${name}-from-client-${i}`, client, "PostgreSQL from a client security group"),
        );

        const parameters = [
            // Static: takes effect at creation, or after a reboot on an existing instance.
            {
                name: "shared_preload_libraries",
                value: s.autoExplain ? "pg_stat_statements,auto_explain" : "pg_stat_statements",
                applyMethod: "pending-reboot",
            },
            { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
            // Performance Insights and pg_stat_activity drop statements longer than this (default 1024 bytes).
            { name: "track_activity_query_size", value: "4096", applyMethod: "pending-reboot" },
            { name: "log_min_duration_statement", value: String(s.slowQueryLogMs), applyMethod: "immediate" },
            { name: "log_statement", value: "ddl", applyMethod: "immediate" },
            { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
            { name: "pg_stat_statements.track", value: "top", applyMethod: "immediate" },
            ...(s.autoExplain
                ? [
                      {
                          name: "auto_explain.log_min_duration",
                          value: String(s.slowQueryLogMs),
                          applyMethod: "immediate",
                      },
                      { name: "auto_explain.log_format", value: "json", applyMethod: "immediate" },
                  ]
                : []),
        ];
        // Auto-named so a major-version upgrade can create the new family's group before the old one goes.
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: s.parameterGroupFamily,
                description: `${s.identifier}: pg_stat_statements, slow-query log, TLS only`,
                parameters,
            },
            parent,
        );

        const enhancedMonitoring =
            s.monitoringIntervalSeconds > 0 ? this.monitoringRole(name, partition, accountId) : undefined;
        const monitoringRoleArn = enhancedMonitoring?.role.arn;

        // Pre-create the log groups RDS exports to, so they get a retention (RDS would create them without one).
        const logGroups = (identifier: string, label: string) =>
            LOG_EXPORTS.map(
                (log) =>
                    new aws.cloudwatch.LogGroup(
                        `${label}-log-${log}`,
                        { name: `/aws/rds/instance/${identifier}/${log}`, retentionInDays: s.logRetentionDays },
                        parent,
                    ),
            );
        const primaryLogs = logGroups(s.identifier, name);

        const monitoring = {
            monitoringInterval: s.monitoringIntervalSeconds,
            monitoringRoleArn,
            performanceInsightsEnabled: s.performanceInsightsEnabled,
            performanceInsightsKmsKeyId: piKey?.arn,
            performanceInsightsRetentionPeriod: s.performanceInsightsEnabled
                ? s.performanceInsightsRetentionDays
                : undefined,
        };
        const common = {
            instanceClass: s.instanceClass.instanceClass,
            storageType: "gp3",
            storageEncrypted: true,
            publiclyAccessible: false,
            vpcSecurityGroupIds: [sg.id],
            parameterGroupName: parameterGroup.name,
            caCertIdentifier: CA_CERT_IDENTIFIER,
            enabledCloudwatchLogsExports: [...LOG_EXPORTS],
            deletionProtection: s.deletionProtection,
            ...monitoring,
        };
        const instance = new aws.rds.Instance(
            name,
            {
                ...common,
                identifier: s.identifier,
                engine: "postgres",
                engineVersion: s.engineVersion,
                dbName: s.databaseName,
                username: s.masterUsername,
                // RDS generates and rotates the password in Secrets Manager under the account's aws/secretsmanager
                // key, whose policy only lets this account decrypt through Secrets Manager: the ECS execution role
                // and the proxy then need secretsmanager:GetSecretValue on this one secret and nothing else.
                manageMasterUserPassword: true,
                kmsKeyId: storageKey.arn,
                allocatedStorage: s.allocatedStorageGb,
                // Equal to the allocation means no autoscaling: leave it unset.
                maxAllocatedStorage:
                    s.maxAllocatedStorageGb > s.allocatedStorageGb ? s.maxAllocatedStorageGb : undefined,
                dbSubnetGroupName: subnetGroup.name,
                multiAz: s.multiAz,
                port: POSTGRES_PORT,
                backupRetentionPeriod: s.backupRetentionDays,
                backupWindow: s.backupWindow,
                maintenanceWindow: s.maintenanceWindow,
                copyTagsToSnapshot: true,
                autoMinorVersionUpgrade: true,
                skipFinalSnapshot: s.skipFinalSnapshot,
                finalSnapshotIdentifier: s.skipFinalSnapshot ? undefined : `${s.identifier}-final-snapshot`,
            },
            {
                parent: this,
                protect: s.protect,
                retainOnDelete: s.protect,
                // RDS validates the monitoring role at creation: it must already carry its policy.
                dependsOn: [...(enhancedMonitoring ? [enhancedMonitoring.attachment] : []), ...primaryLogs],
            },
        );

        const replicas = Array.from({ length: s.readReplicas }, (_, i) => {
            const identifier = `${s.identifier}-replica-${i + 1}`;
            const logs = logGroups(identifier, `${name}-replica-${i + 1}`);
            // Same-region replicas inherit the source's storage key, subnet group and engine version.
            return new aws.rds.Instance(
                `${name}-replica-${i + 1}`,
                {
                    ...common,
                    identifier,
                    replicateSourceDb: instance.identifier,
                    multiAz: false,
                    backupRetentionPeriod: 0,
                    skipFinalSnapshot: true,
                },
                { parent: this, dependsOn: [...(enhancedMonitoring ? [enhancedMonitoring.attachment] : []), ...logs] },
            );
        });

        const masterUserSecretArn = instance.masterUserSecrets.apply((secrets) => secrets[0].secretArn);
        const proxy = s.rdsProxy
            ? this.proxy(name, s, args, sg, admit, instance, masterUserSecretArn, accountId)
            : undefined;

        const alarmNames = createDatabaseAlarms({
            namePrefix: `${name}-${pulumi.getStack()}`,
            instanceIdentifier: instance.identifier,
            replicaIdentifiers: replicas.map((r) => r.identifier),
            instanceClass: s.instanceClass,
            allocatedStorageGb: s.allocatedStorageGb,
            alarmTopicArn: args.alarmTopicArn,
            parent: this,
        });

        // Metric alarms cannot see a stopped or failed instance (its metrics just stop): RDS events can.
        new aws.rds.EventSubscription(
            `${name}-events`,
            {
                snsTopic: args.alarmTopicArn,
                sourceType: "db-instance",
                sourceIds: [instance.identifier, ...replicas.map((r) => r.identifier)],
                eventCategories: ["availability", "failover", "failure", "low storage", "maintenance", "recovery"],
            },
            { parent: this },
        );

        this.endpoint = instance.endpoint;
        this.address = instance.address;
        this.port = instance.port;
        this.masterUserSecretArn = masterUserSecretArn;
        this.instanceIdentifier = instance.identifier;
        this.instanceArn = instance.arn;
        this.resourceId = instance.resourceId;
        this.securityGroupId = sg.id;
        this.proxyEndpoint = proxy
            ? proxy.endpoint.apply((e): string | undefined => e)
            : pulumi.output<string | undefined>(undefined);
        this.replicaIdentifiers = pulumi.all(replicas.map((r) => r.identifier));
        this.alarmNames = pulumi.output(alarmNames);
        this.registerOutputs({
            endpoint: this.endpoint,
            address: this.address,
            port: this.port,
            masterUserSecretArn: this.masterUserSecretArn,
            instanceIdentifier: this.instanceIdentifier,
            instanceArn: this.instanceArn,
            resourceId: this.resourceId,
            securityGroupId: this.securityGroupId,
            proxyEndpoint: this.proxyEndpoint,
            replicaIdentifiers: this.replicaIdentifiers,
            alarmNames: this.alarmNames,
        });
    }

    /** The Enhanced Monitoring role: RDS's monitoring service publishes OS metrics with it. */
    private monitoringRole(name: string, partition: pulumi.Output<string>, accountId: pulumi.Output<string>) {
        const role = new aws.iam.Role(
            `${name}-monitoring-role`,
            {
                description: "Lets RDS Enhanced Monitoring publish OS metrics to CloudWatch Logs",
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "monitoring.rds.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            // Confused-deputy guard: only this account's instances may use the role.
                            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-monitoring-policy`,
            {
                role: role.name,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${ENHANCED_MONITORING}`,
            },
            { parent: this },
        );
        return { role, attachment };
    }

    /** RDS Proxy: pools client connections onto the primary, TLS required, authenticating with the managed secret. */
    private proxy(
        name: string,
        s: DatabaseSettings,
        args: MonitoredDatabaseArgs,
        dbSg: aws.ec2.SecurityGroup,
        admit: (ruleName: string, from: pulumi.Input<string>, description: string) => aws.vpc.SecurityGroupIngressRule,
        instance: aws.rds.Instance,
        secretArn: pulumi.Output<string>,
        accountId: pulumi.Output<string>,
    ): aws.rds.Proxy {
        const parent = { parent: this };
        const proxySg = new aws.ec2.SecurityGroup(
            `${name}-proxy-sg`,
            {
                vpcId: args.vpcId,
                description: `RDS Proxy of ${s.identifier}: ${POSTGRES_PORT} from clients, to the database only`,
            },
            parent,
        );
        args.clientSecurityGroupIds.forEach(
            (client, i) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-proxy-from-client-${i}`,
                    {
                        securityGroupId: proxySg.id,
                        referencedSecurityGroupId: client,
                        ipProtocol: "tcp",
                        fromPort: POSTGRES_PORT,
                        toPort: POSTGRES_PORT,
                        description: "PostgreSQL from a client security group",
                    },
                    parent,
                ),
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-proxy-to-db`,
            {
                securityGroupId: proxySg.id,
                referencedSecurityGroupId: dbSg.id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: "PostgreSQL to the database",
            },
            parent,
        );
        admit(`${name}-from-proxy`, proxySg.id, "PostgreSQL from the RDS Proxy");

        const role = new aws.iam.Role(
            `${name}-proxy-role`,
            {
                description: "Lets RDS Proxy read the database's master-user secret",
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "rds.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                        },
                    ],
                }),
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-proxy-secret`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadTheMasterSecret",
                            Effect: "Allow",
                            Action: "secretsmanager:GetSecretValue",
                            Resource: secretArn,
                        },
                    ],
                }),
            },
            parent,
        );

        const proxy = new aws.rds.Proxy(
            `${name}-proxy`,
            {
                engineFamily: "POSTGRESQL",
                requireTls: true,
                roleArn: role.arn,
                vpcSubnetIds: args.subnetIds,
                vpcSecurityGroupIds: [proxySg.id],
                idleClientTimeout: 1800,
                debugLogging: false,
                auths: [
                    {
                        authScheme: "SECRETS",
                        secretArn,
                        iamAuth: "DISABLED",
                        clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                        description: "Master user via the RDS-managed secret",
                    },
                ],
            },
            parent,
        );
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
            `${name}-proxy-targets`,
            // Leave headroom below max_connections for admin sessions and replication.
            {
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: 90,
                    maxIdleConnectionsPercent: 50,
                    connectionBorrowTimeout: 120,
                },
            },
            parent,
        );
        new aws.rds.ProxyTarget(
            `${name}-proxy-target`,
            { dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbInstanceIdentifier: instance.identifier },
            parent,
        );
        return proxy;
    }
}
