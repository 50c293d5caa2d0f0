/**
 * Red-team cases: CloudFront cache TTLs.
 * Each is a realistic edit a hurried colleague might make
 * to the program or a stack file; `mustFail` names the policies that must report a
 * mandatory violation for it, and an empty list marks a compliant variant that
 * must pass. Run by the file of the same name in test/redteam/.
 */
import type { RedTeamCase } from "../harness";

export const CASES: readonly RedTeamCase[] = [
    {
        name: "the stack file swaps the static and proofs TTLs (each behaviour lands outside its band)",
        stackFile: {
            "credlink:cdn.staticMinTtl": 3600,
            "credlink:cdn.staticDefaultTtl": 86400,
            "credlink:cdn.staticMaxTtl": 604800,
            "credlink:cdn.proofsMinTtl": 86400,
            "credlink:cdn.proofsDefaultTtl": 604800,
            "credlink:cdn.proofsMaxTtl": 31536000,
        },
        mustFail: ["cdn-ttl-bands"],
    },
    {
        name: "a tighter static band in the stack file (1 day .. 30 days)",
        stackFile: { "credlink:cdn.staticMaxTtl": 2592000 },
        mustFail: [],
    },
];
