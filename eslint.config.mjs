// Lint config for the program, tests, policy pack and load tests: typescript-eslint's
// type-aware recommended rules, with Prettier owning the layout.
import eslint from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "bin/**", "reports/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
    },
    prettier,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "off",
            // Prettier wraps code; strings and comments it leaves alone are held to the same width.
            "max-len": ["error", { code: 120, ignoreUrls: false }],
        },
    },
    {
        // Pulumi resources are created for their side effects.
        files: ["components/**/*.ts", "index.ts", "lib/**/*.ts"],
        rules: { "no-new": "off" },
    },
    // TEMPORARY: being rewritten for the merge-gate issue; lint fixed there.
    {
        files: ["tools/harness/run.ts", "tools/harness/mocks.ts", "index.ts"],
        rules: {
            // tools/harness/run.ts: the untyped gRPC requests of its recording monitor.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/only-throw-error": "off",
            // tools/harness/mocks.ts
            "@typescript-eslint/no-base-to-string": "off",
            "@typescript-eslint/no-unnecessary-type-assertion": "off",
            // index.ts
            "@typescript-eslint/require-await": "off",
        },
    },
);
