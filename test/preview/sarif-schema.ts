/**
 * Validates a SARIF log against the OASIS SARIF 2.1.0 JSON schema (rtm.5, the
 * version GitHub code scanning documents), as shipped in the pinned
 * @microsoft/jest-sarif package: no download at test time. The schema is
 * draft-04, hence ajv-draft-04.
 */
import * as fs from "node:fs";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const SCHEMA_FILE = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

let validate: ReturnType<AjvDraft04["compile"]> | undefined;

/** Schema errors as `<instancePath> <message>` lines; empty when the log is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
    if (!validate) {
        // The schema's `language` pattern has a stray `]` that only non-unicode regexps accept.
        const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
        addFormats(ajv);
        validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
    }
    if (validate(log)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim());
}
