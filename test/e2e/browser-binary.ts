import { access, constants } from "node:fs/promises";
import chromium from "@sparticuz/chromium";
import type { TestProject } from "vitest/node";

/** Where Debian and most distributions install Chromium. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** The Chromium the browser tests launch, and the flags it needs. */
export interface BrowserBinary {
	executablePath: string;
	args: string[];
}

declare module "vitest" {
	export interface ProvidedContext {
		browserBinary: BrowserBinary;
	}
}

/**
 * Flags for any Chromium: headless, and nothing that phones home. Playwright
 * gives every launch a fresh, empty profile of its own.
 */
const COMMON_ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-quic",
	"--no-first-run",
	"--disable-component-update",
	"--disable-sync",
];

/**
 * Flags of @sparticuz/chromium that a test browser must not take:
 * `--single-process` is a serverless setting under which closing one browser
 * context kills the whole browser; the other two switch off the very
 * protections (same-origin policy, mixed content) the pages are tested under.
 */
const REFUSED_PACKAGE_ARGS = new Set([
	"--single-process",
	"--disable-web-security",
	"--allow-running-insecure-content",
]);

/**
 * A system Chromium when there is one (`CHROMIUM_PATH`, or Debian's), and
 * otherwise the one the @sparticuz/chromium package ships inside itself, so
 * `npm install && npm test` needs nothing else on the machine.
 */
export async function findBrowserBinary(): Promise<BrowserBinary> {
	const systemPath = process.env.CHROMIUM_PATH ?? SYSTEM_CHROMIUM;
	if (await isExecutable(systemPath)) return { executablePath: systemPath, args: COMMON_ARGS };
	const packageArgs = chromium.args.filter((arg) => !REFUSED_PACKAGE_ARGS.has(arg));
	return {
		executablePath: await chromium.executablePath(),
		args: [...new Set([...packageArgs, ...COMMON_ARGS])],
	};
}

async function isExecutable(file: string): Promise<boolean> {
	try {
		await access(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/**
 * Vitest global setup of the e2e project: runs once, before any test file.
 * The package's Chromium is unpacked here, once: it unpacks into /tmp and
 * only checks that the file exists, so test files unpacking it side by side
 * could launch a half-written binary.
 */
export default async function setup(project: TestProject): Promise<void> {
	project.provide("browserBinary", await findBrowserBinary());
}
