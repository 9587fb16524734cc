import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "coverage/", "dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message:
                "Import provider classes from @cdktf/provider-aws/lib/<resource>: the root import costs seconds per synth.",
            },
            {
              name: "cdktn",
              message:
                "Import `cdktf`: CDK_RUNTIME=cdktn maps it to cdktn at build time (scripts/runtime.cjs).",
            },
          ],
          patterns: [
            {
              regex: "^(cdktf/lib/(?!testing/adapters/jest$)|cdktn/|@cdktn/)",
              message:
                "Private framework modules break on the other runtime and on upgrades: use the public API of `cdktf` (the Jest adapter is the one documented exception); provider classes come from @cdktf/provider-aws/lib/<resource>.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  { files: ["**/*.js", "**/*.cjs"], rules: { "@typescript-eslint/no-require-imports": "off" } },
);
