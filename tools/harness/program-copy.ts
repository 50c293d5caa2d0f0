/**
 * A copy of the program (index.ts and the modules it imports) with small source
 * edits, for tests that try what a change would do: the red-team corpus edits a
 * copy the way a hurried colleague would edit the real files, then previews it.
 * Copies live under <repo>/.tmp/ so they resolve the repository's node_modules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../stack-file";

/** What the program is made of: everything its entry point can import. */
const PROGRAM_PARTS = ["index.ts", "components", "lib", "policies"];
/** Parts of policies/ the program does not import (the pack's own install and configs). */
const SKIPPED = new Set(["node_modules", "config", "package-lock.json"]);

/** Replace `find` (which must occur exactly once) with `replace` in `file`. */
export interface SourceEdit {
    readonly file: string;
    readonly find: string;
    readonly replace: string;
}

export const COPIES_DIR = path.join(REPO_ROOT, ".tmp", "programs");

/** Copy the program to a fresh folder named after `label` and apply the edits; returns the folder. */
export function copyProgram(label: string, edits: readonly SourceEdit[] = []): string {
    const dir = path.join(COPIES_DIR, label.replace(/[^a-z0-9-]+/gi, "-").toLowerCase());
    fs.rmSync(dir, { recursive: true, force: true });
    for (const part of PROGRAM_PARTS) {
        fs.cpSync(path.join(REPO_ROOT, part), path.join(dir, part), {
            recursive: true,
            filter: (src) => !SKIPPED.has(path.basename(src)),
        });
    }
    for (const edit of edits) {
        const file = path.join(dir, edit.file);
        const text = fs.readFileSync(file, "utf8");
        const at = text.indexOf(edit.find);
        if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) {
            throw new Error(
                `edit of ${edit.file}: the text to replace must occur exactly once: ${JSON.stringify(edit.find)}`,
            );
        }
        fs.writeFileSync(file, text.slice(0, at) + edit.replace + text.slice(at + edit.find.length));
    }
    return dir;
}
