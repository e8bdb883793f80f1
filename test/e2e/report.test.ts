import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { testChromium } from "../helpers/chromium.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * `ppgov report` on the sample tenant, the HTML rendered in headless Chromium from the npm package
 * @sparticuz/chromium (test/helpers/chromium.ts): no system browser, so it runs wherever `npm ci` did.
 */
describe("ppgov report on the sample tenant", () => {
  let emulator: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let scratch: string;
  let browser: Browser;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
    scratch = await mkdtemp(join(tmpdir(), "ppgov-report-e2e-"));
    const { executablePath, env: browserEnv } = testChromium();
    browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox"],
      env: { ...process.env, ...browserEnv },
    });
  });
  afterAll(async () => {
    await browser.close();
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("markdown: summary, both matrices, the tenant-wide-only environments, allocations and seats", async () => {
    const result = await runCli(["report", "--format", "markdown"], { cwd: repoRoot, env });
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/^# ppgov coverage report/);
    expect(text).toContain("| Environments covered only by tenant-wide policies | 0 | 1 |");
    expect(text).toContain("### Declared");
    expect(text).toContain("### Live");
    expect(text).toContain("| Contoso Production | all | – | listed |");
    expect(text).toContain("- live: IT Service Desk");
    expect(text).toMatch(/\| AppPass \| \d+ \| \d+ \| 50 \| \d+ \|/);
    expect(text).toContain("| ENTERPRISEPACK | 500 | 488 | 12 |");
  });

  it("html: self-contained, renders the matrix rows and one bar per currency and side", async () => {
    const file = join(scratch, "report.html");
    const result = await runCli(["report", "--format", "html", "-o", file], { cwd: repoRoot, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Wrote the html coverage report");
    const html = await readFile(file, "utf8");
    expect(html).not.toMatch(/<script|<link|src="http/);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`file://${file}`);
      expect(await page.title()).toBe("ppgov coverage report");
      const liveRows = await page.locator("#matrix-live tbody tr").count();
      const declaredRows = await page.locator("#matrix-declared tbody tr").count();
      expect(liveRows).toBe(13);
      expect(declaredRows).toBeGreaterThanOrEqual(liveRows);
      const production = page.locator("#matrix-live tbody tr", { hasText: "Contoso Production" });
      await expect(production.locator("td.only").innerText()).resolves.toBe("listed");

      const bars = page.locator("#allocation-chart rect.bar");
      const currencies = await page.locator("#allocation-chart rect.bar.live").count();
      expect(currencies).toBeGreaterThan(0);
      expect(await bars.count()).toBe(2 * currencies);
      // Bars are drawn to scale: the AI live bar (2000 of 5000) is wider than the declared one (100).
      const box = async (selector: string): Promise<number> =>
        (await page.locator(selector).boundingBox())?.width ?? -1;
      const aiLive = await box('#allocation-chart rect.bar.live[data-currency="AI"]');
      const aiDeclared = await box('#allocation-chart rect.bar.declared[data-currency="AI"]');
      expect(aiLive).toBeGreaterThan(aiDeclared);
      expect(aiDeclared).toBeGreaterThan(0);
      await expect(page.locator("#seats tbody tr").count()).resolves.toBe(6);

      const shot = join(scratch, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
