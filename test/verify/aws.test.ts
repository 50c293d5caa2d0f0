/**
 * The real SDK clients from createClients against a loopback endpoint that
 * never answers: each attempt times out, the SDK retries, and verify reports
 * one line well within the deadline. (No aws-sdk-client-mock in this file.)
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callerIdentity, createClients, describeError, isNotFound, MAX_ATTEMPTS } from "../../tools/verify/aws";

let server: http.Server;
let requests = 0;
const saved = { ...process.env };

beforeAll(async () => {
    server = http.createServer(() => {
        requests++; // and never answer
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // AWS's documented example keys; the endpoint override keeps every request on loopback.
    Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_ENDPOINT_URL_STS: endpoint,
    });
});

afterAll(() => {
    process.env = saved;
    server.closeAllConnections();
    server.close();
});

it("a silent endpoint: the SDK times out each attempt and stops after MAX_ATTEMPTS", async () => {
    const clients = createClients("us-east-1", 500);
    const started = Date.now();
    // Straight to the SDK, without verify's overall deadline: the handler's own timeouts must end it.
    const error = await clients.sts.send(new GetCallerIdentityCommand({})).then(
        () => undefined,
        (e: Error) => e,
    );
    expect(error?.name).toBe("TimeoutError");
    expect(requests).toBe(MAX_ATTEMPTS);
    expect(Date.now() - started).toBeLessThan(5_000);
    clients.sts.destroy();
});

it("callerIdentity turns it into one line", async () => {
    const clients = createClients("us-east-1", 500);
    const error = await callerIdentity(clients).then(
        () => undefined,
        (e: Error) => e,
    );
    expect(error?.message).toMatch(
        /^Cannot reach AWS STS in us-east-1 \(.+\): check the network, proxy \(HTTPS_PROXY\) and the region$/,
    );
    clients.sts.destroy();
});

it("error descriptions", () => {
    const err = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(isNotFound(err("DBInstanceNotFoundFault", "x"))).toBe(true);
    expect(isNotFound(err("NoSuchDistribution", "x"))).toBe(true);
    expect(isNotFound(err("ThrottlingException", "x"))).toBe(false);
    expect(describeError(err("ThrottlingException", "Rate exceeded"))).toBe("ThrottlingException: Rate exceeded");
    expect(describeError(err("AccessDeniedException", "not authorized\nmore"))).toBe(
        "access denied (not authorized); grant the read-only permissions listed in docs/verify.md",
    );
});
