#!/usr/bin/env node
// `npx doorbuster-verify <origin> <saleId>`: checks a published draw. The
// logic is TypeScript in src/draw, which Node 22 runs directly (type
// stripping); `npx` inside this project runs the project's own Node 22.
import { runVerifyCommand } from "../src/draw/verify-command.ts";

process.exitCode = await runVerifyCommand(process.argv.slice(2), {
	out: (line) => console.log(line),
	err: (line) => console.error(line),
});
