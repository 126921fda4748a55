// axe-core on a page the browser suite cannot reach (the server's own 503 page, which needs the
// database stopped): the HTML from a file, at the suite's two viewports. Used by
// end2end/two_processes.py. Prints the violations; exits 1 when there are any.
import { chromium } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import fs from "fs";

const html = fs.readFileSync(process.argv[2], "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
let violations = 0;
for (const [width, height] of [[1280, 800], [375, 740]]) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.setContent(html);
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) console.log(`${width} px: ${v.id} (${v.nodes.length})`);
  violations += result.violations.length;
  await context.close();
}
await browser.close();
process.exit(violations ? 1 : 0);
