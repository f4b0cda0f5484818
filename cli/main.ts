/** `prescient`: runs the command line (parser.ts) on the process's arguments. */
import { hideBin } from "yargs/helpers";
import { runCli } from "./parser.js";

// `prescient run … | head`: a reader that stops early closes the pipe. What it did not read is not
// an error of prescient: stop quietly, with the status the command had so far.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
});

process.exitCode = await runCli(hideBin(process.argv));
