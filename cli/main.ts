/** `prescient`: runs the command line (parser.ts) on the process's arguments. */
import { hideBin } from "yargs/helpers";
import { runCli } from "./parser.js";

process.exitCode = await runCli(hideBin(process.argv));
