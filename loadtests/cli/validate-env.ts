/**
 * scripts/load-test.sh runs this before k6, so the wrapper refuses exactly what the
 * k6 scripts would refuse: same modules, same messages. Prints `key=value` lines
 * (test, health_url, profile) for the wrapper, or `error=<one line>` and exits 2.
 */
import { EnvError, parseEnv, parseTestType } from "../lib/env.ts";
import { buildOptions, describeRun } from "../lib/options.ts";

try {
    const test = parseTestType(process.env);
    const env = parseEnv(process.env, test);
    buildOptions(test, env); // also refuses splits that leave a scenario empty
    process.stdout.write(`test=${test}\nhealth_url=${env.targetUrl}/health\nprofile=${describeRun(test, env)}\n`);
} catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stdout.write(`error=${error.message}\n`);
    process.exitCode = 2;
}
