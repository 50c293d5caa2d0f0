/**
 * Starts the reference server:
 *
 *   npx tsx loadtests/reference-server/main.ts            # http://127.0.0.1:3000
 *   PORT=0 READY_FILE=/tmp/url npx tsx loadtests/reference-server/main.ts
 *
 * Configured like the API (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, SIGN_RATE_LIMIT_MAX,
 * MAX_FILE_SIZE_MB, PROOF_URI_DOMAIN, ENABLE_API_KEY_AUTH + API_KEYS), plus the CPU cost it
 * models (REFERENCE_SIGN_CPU_MS, REFERENCE_VERIFY_CPU_MS, REFERENCE_CPUS). HOST, PORT and
 * READY_FILE (written with the base URL once listening) are for scripts.
 */
import { writeFileSync } from "node:fs";
import { parseServerConfig, ServerConfigError } from "./config.ts";
import { describeCpuModel } from "./cpu.ts";
import { createReferenceServer } from "./server.ts";

async function main(): Promise<void> {
    const config = parseServerConfig(process.env);
    const portText = process.env.PORT ?? "3000";
    const port = /^\d+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : NaN;
    if (Number.isNaN(port))
        throw new ServerConfigError(`PORT=${portText} is invalid: expected 0..65535 (0 picks a free port)`);
    const reference = createReferenceServer(config);
    const url = await reference.listen(port, process.env.HOST ?? "127.0.0.1");
    if (process.env.READY_FILE) writeFileSync(process.env.READY_FILE, `${url}\n`);
    console.log(`CredLink reference API listening on ${url}`);
    console.log(describeCpuModel(config));
    const stop = () => void reference.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
    const message = error instanceof ServerConfigError ? error.message : `cannot start: ${(error as Error).message}`;
    console.error(`reference-server: ${message}`);
    process.exit(2);
});
