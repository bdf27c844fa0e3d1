// Flat config: typescript-eslint's recommended rules; `any` is gonogo's job (typescript.no_any).
const tseslint = require("typescript-eslint");

module.exports = [
  { ignores: ["dist/**", "eslint.config.js"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "no-console": "warn",
    },
  },
];
