/**
 * Locates the stack's regional resources first (ECS service, RDS instance):
 * when neither exists, the outputs' region or the account is wrong, and one
 * line says so instead of a page of failed checks.
 */
import { DescribeServicesCommand, type Service } from "@aws-sdk/client-ecs";
import { DescribeDBInstancesCommand, type DBInstance } from "@aws-sdk/client-rds";
import { call, describeError, isNotFound, type Clients, type Identity } from "../aws";
import { VerifyError } from "../types";
import type { StackOutputs } from "../../../lib/outputs";
import type { CheckContext } from "./context";

export interface Located {
    readonly service?: Service;
    readonly serviceProblem?: string;
    readonly db?: DBInstance;
    readonly dbProblem?: string;
}

export async function locate(outputs: StackOutputs, clients: Clients, identity: Identity): Promise<Located> {
    const [svc, db] = await Promise.all([
        call(clients.timeoutMs, (o) =>
            clients.ecs.send(
                new DescribeServicesCommand({ cluster: outputs.clusterName, services: [outputs.serviceName] }),
                o,
            ),
        ).then(
            (out) => {
                const service = out.services?.find((s) => s.status !== "INACTIVE");
                return service
                    ? { service }
                    : { missing: true, problem: `not found (${out.failures?.[0]?.reason ?? "INACTIVE"})` };
            },
            (e: unknown) => ({
                missing: isNotFound(e),
                problem: isNotFound(e) ? "not found (cluster missing)" : describeError(e),
            }),
        ),
        call(clients.timeoutMs, (o) =>
            clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: outputs.dbInstanceIdentifier }), o),
        ).then(
            (out) => {
                const db = out.DBInstances?.[0];
                return db ? { db } : { missing: true, problem: "not found" };
            },
            (e: unknown) => ({ missing: isNotFound(e), problem: isNotFound(e) ? "not found" : describeError(e) }),
        ),
    ]);
    if ("missing" in svc && svc.missing && "missing" in db && db.missing) {
        throw new VerifyError(
            `Neither ECS service ${outputs.clusterName}/${outputs.serviceName} nor RDS instance ` +
                `${outputs.dbInstanceIdentifier} exists in ${outputs.region} (account ` +
                `${identity.account}): the outputs' region is wrong or the credentials belong to another ` +
                `account`,
        );
    }
    return {
        service: "service" in svc ? svc.service : undefined,
        serviceProblem: "problem" in svc ? svc.problem : undefined,
        db: "db" in db ? db.db : undefined,
        dbProblem: "problem" in db ? db.problem : undefined,
    };
}

export function checkService(ctx: CheckContext, service: Service | undefined, problem: string | undefined): void {
    const { outputs, expected, rec } = ctx;
    const name = `service ${outputs.clusterName}/${outputs.serviceName}`;
    if (!service) {
        rec.expect("ECS", name, false, problem ?? "not found", "an ACTIVE service");
        return;
    }
    const running = service.runningCount ?? 0;
    const desired = service.desiredCount ?? 0;
    const found = `${service.status}, ${running} of ${desired} tasks running`;
    if (service.status !== "ACTIVE") rec.expect("ECS", name, false, found, "ACTIVE");
    else if (running < Math.max(desired, expected.scaling.minTasks))
        rec.add({
            area: "ECS",
            name,
            status: "warn",
            found,
            expected: `at least ${Math.max(desired, expected.scaling.minTasks)} running`,
            note: "a deployment may be in progress, or tasks are failing health checks",
        });
    else rec.pass("ECS", name, found);
}
