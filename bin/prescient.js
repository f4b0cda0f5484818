#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("prescient is not built: run `npm run build` (npm ci and npm install build it too)\n");
  process.exit(2);
}
await import(main.href);
