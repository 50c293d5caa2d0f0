// Lint config for the program, tests, policy pack and load tests.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "bin/**", "reports/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-explicit-any": "off",
            eqeqeq: ["error", "always"],
            "no-console": "off",
        },
    },
    {
        // Pulumi resources are created for their side effects.
        files: ["components/**/*.ts", "index.ts", "lib/**/*.ts"],
        rules: { "no-new": "off" },
    },
);
