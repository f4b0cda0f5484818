/**
 * Headless Chromium for the report's browser test, from the npm registry alone: the
 * `@sparticuz/chromium` package ships a Chromium build, brotli-compressed, with the shared
 * libraries it needs beyond glibc (NSS, NSPR, expat: built on Amazon Linux 2023, whose glibc is
 * older than any current distribution's) and a font. It is unpacked once per version into
 * prescient's cache directory and driven by playwright-core. `PRESCIENT_CHROMIUM` names another
 * Chromium binary instead (for a machine this build does not run on: it is Linux x86-64 only).
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";
import { chromium, type BrowserContext } from "playwright-core";
import { extract } from "tar-fs";
import { cacheRoot } from "../../core/cacheDir.js";

/** The flags this machine's headless Chromium runs with (as root, no network beyond loopback). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface Unpacked {
  readonly executable: string;
  readonly env: Record<string, string>;
}

const require = createRequire(import.meta.url);

/** The folder holding the package's compressed files, and its version. */
function packaged(): { bin: string; version: string } {
  // The package exports only its entry point: walk up from it to its package.json.
  for (let dir = dirname(require.resolve("@sparticuz/chromium")); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version: string };
    if (name === "@sparticuz/chromium") return { bin: join(dir, "bin"), version };
  }
  throw new Error("cannot find @sparticuz/chromium's package.json");
}

async function unpackTar(archive: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  await pipeline(createReadStream(archive), createBrotliDecompress(), extract(into));
}

/**
 * Unpack the package's Chromium into `<cache>/chromium/<version>/` unless it is there: into a
 * private folder first, renamed into place whole, so that a concurrent run never sees half of it.
 */
async function unpack(): Promise<Unpacked> {
  const { bin, version } = packaged();
  const dir = join(cacheRoot(), "chromium", version);
  const executable = join(dir, "chromium");
  if (!existsSync(executable)) {
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await pipeline(createReadStream(join(bin, "chromium.br")), createBrotliDecompress(), createWriteStream(join(staging, "chromium"), { mode: 0o755 }));
    await unpackTar(join(bin, "al2023.tar.br"), join(staging, "al2023"));
    await unpackTar(join(bin, "fonts.tar.br"), join(staging, "fonts"));
    // The system's fonts when it has any, and the font the package ships in any case.
    writeFileSync(
      join(staging, "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(dir, "fonts", "fonts")}</dir>\n` +
        `  <cachedir>${join(dir, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run unpacked the same version first: use its copy.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(executable)) throw error;
    }
  }
  const libraries = join(dir, "al2023", "lib");
  const ld = process.env.LD_LIBRARY_PATH;
  return {
    executable,
    env: { LD_LIBRARY_PATH: ld === undefined || ld === "" ? libraries : `${libraries}:${ld}`, FONTCONFIG_FILE: join(dir, "fonts.conf") },
  };
}

/** A headless Chromium with a fresh profile in `profile`. */
export async function launchChromium(profile: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const own = process.env.PRESCIENT_CHROMIUM;
  const { executable, env } = own !== undefined && own !== "" ? { executable: own, env: {} } : await unpack();
  try {
    return await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, ...env } as Record<string, string>,
      viewport,
    });
  } catch (error) {
    throw new Error(
      `the report's browser test could not start Chromium at ${executable} (${process.platform}-${process.arch}; ` +
        `@sparticuz/chromium ships Linux x86-64 only; PRESCIENT_CHROMIUM may name another binary): ${(error as Error).message}`,
    );
  }
}
