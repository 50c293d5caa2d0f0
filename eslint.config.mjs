// Lint config for the program, tests, policy pack and load tests: typescript-eslint's
// type-aware recommended rules, with Prettier owning the layout.
import eslint from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "bin/**", "reports/**", ".tmp/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
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
);
