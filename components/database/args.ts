import type * as pulumi from "@pulumi/pulumi";
import { argName, type GroupInput, resolve } from "../../lib/settings";
import { describeInstanceClass, type InstanceClassInfo } from "./instance-classes";
import { DATABASE_SETTINGS, type DatabaseSettingValues } from "./settings";

/**
 * The database settings (engineVersion, instanceClass, storage, multiAz, monitoring, Performance
 * Insights, backups, replicas, proxy, names, slow-query logging, windows) are described, with their
 * defaults and limits, in DATABASE_SETTINGS (./settings.ts).
 */
export interface MonitoredDatabaseArgs extends GroupInput<typeof DATABASE_SETTINGS> {
    /** VPC the database and its security groups live in. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs) for the DB subnet group and the RDS Proxy. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed to connect on 5432 (the ECS tasks'); nothing else is. At least one. */
    readonly clientSecurityGroupIds: pulumi.Input<string>[];
    /** SNS topic every alarm notifies (alarm and OK). */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Pulumi `protect` + `retainOnDelete` on the instance and its storage key. Default: true. */
    readonly protect?: boolean;
}

/** Every setting with its default applied, validated, plus what the component derives from them. */
export interface DatabaseSettings extends Omit<DatabaseSettingValues, "instanceClass" | "identifier"> {
    readonly engineMajor: number;
    readonly parameterGroupFamily: string;
    readonly instanceClass: InstanceClassInfo;
    readonly identifier: string;
    readonly protect: boolean;
    /** A final snapshot is taken on delete unless the database is explicitly disposable. */
    readonly skipFinalSnapshot: boolean;
}

export function resolveSettings(name: string, args: MonitoredDatabaseArgs, stack: string): DatabaseSettings {
    const fail = (line: string): never => {
        throw new Error(`MonitoredDatabase ${name}: ${line}`);
    };
    if (args.clientSecurityGroupIds.length === 0)
        fail(
            "clientSecurityGroupIds is empty: list the security group of every client (the " +
                "service's tasks), or nothing can connect",
        );
    const identifier = args.identifier ?? `${name}-${stack}`.toLowerCase();
    const { values: v, problems } = resolve(DATABASE_SETTINGS, { ...args, identifier }, { at: argName() });
    if (problems.length > 0) fail(problems[0]);
    const protect = args.protect ?? true;
    const engineMajor = Number(v.engineVersion.split(".")[0]);
    return {
        ...v,
        engineMajor,
        parameterGroupFamily: `postgres${engineMajor}`,
        instanceClass: describeInstanceClass(v.instanceClass) as InstanceClassInfo,
        identifier: v.identifier as string,
        protect,
        // Only a database nobody protects (dev) may vanish without a last snapshot.
        skipFinalSnapshot: !v.deletionProtection && !protect,
    };
}
