/**
 * Every repository path the Markdown docs name exists, so a move or rename that forgets the
 * docs fails here. A path counts when it is a `code span` or a relative link whose first
 * segment is a directory of the repository (or of the document's own directory, as in
 * policies/README.md's `config/`); the part before a placeholder (`<stack>`, `*`) must exist.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../tools/stack-file";

// Fixture READMEs are left out: they cite paths in the repositories the fixtures come from.
const docs = execFileSync("git", ["ls-files", "*.md"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => f !== "" && !f.includes("/fixtures/"));

/** Candidate paths in one document: code spans and relative link targets. */
function mentionedPaths(markdown: string): string[] {
    const spans = [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    // A link's #fragment names a heading inside the file: the file is what must exist.
    const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1])
        .filter((l) => !/^(#|[a-z]+:)/.test(l))
        .map((l) => l.replace(/#.*$/, ""));
    return [...new Set([...spans, ...links])].filter((p) => /^[\w.][\w.-]*\/[^\s]*$/.test(p));
}

// Directories of the repository: ones git tracks files in (not reports/ or .tmp/ left by a run).
const tracked = execFileSync("git", ["ls-files"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n");
const trackedDirs = new Set(
    tracked.flatMap((f) =>
        f
            .split("/")
            .slice(0, -1)
            .map((_, i, a) => a.slice(0, i + 1).join("/")),
    ),
);
const isDir = (p: string) => trackedDirs.has(path.relative(REPO_ROOT, p).split(path.sep).join("/"));

/** The paths a document in `docDir` names that look like repository paths but do not exist. */
function missingPaths(markdown: string, docDir: string): string[] {
    const base = path.join(REPO_ROOT, docDir);
    return mentionedPaths(markdown).filter((mention) => {
        const known = mention.replace(/[<*].*$/, "");
        const roots = [base, REPO_ROOT].filter((root) => isDir(path.join(root, mention.split("/")[0])));
        return roots.length > 0 && !roots.some((root) => fs.existsSync(path.join(root, known)));
    });
}

describe("Markdown docs", () => {
    it("are found", () => {
        const expected = ["README.md", "docs/cdn.md", "policies/README.md", "loadtests/README.md"];
        expect(docs).toEqual(expect.arrayContaining(expected));
    });

    it.each(docs)("%s names only repository paths that exist", (doc) => {
        const markdown = fs.readFileSync(path.join(REPO_ROOT, doc), "utf8");
        expect(missingPaths(markdown, path.dirname(doc))).toEqual([]);
    });

    it("checks code spans and relative links under repository directories, and nothing else", () => {
        const sample = [
            "See `components/cdn/gone.ts`, [gone too](tools/gone.md), [the pack](policies/README.md),",
            "`policies/config/<stack>.json`, `policies/nope/<stack>.json`, `static/app.js` (an S3 key),",
            "`npm run preview -- --stack all`, [AWS](https://aws.amazon.com/x/y) and [a heading](#alarms).",
        ].join("\n");
        const missing = ["components/cdn/gone.ts", "policies/nope/<stack>.json", "tools/gone.md"];
        expect(missingPaths(sample, "docs")).toEqual(missing);
        expect(missingPaths("[logging](docs/cdn.md#logging), [gone](docs/gone.md#x)", "")).toEqual(["docs/gone.md"]);
        // Relative to the document's own directory first: policies/README.md says `config/<stack>.json`.
        expect(missingPaths("`config/dev.json`, `config/none.json`", "policies")).toEqual(["config/none.json"]);
    });
});
