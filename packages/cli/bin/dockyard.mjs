#!/usr/bin/env node
// The `dockyard` command: TypeScript source run through tsx, like the gateway.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
