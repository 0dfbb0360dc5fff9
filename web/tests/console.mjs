// The console in Debian's headless Chromium (puppeteer-core, never a
// downloaded browser), run by tests/browser_console_test.cc, which starts the
// counties and gateways and passes them in LX_* variables. Exits non-zero on
// the first step that fails; writes a screenshot of each page to LX_SCREENSHOTS.
import puppeteer from "puppeteer-core";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import assert from "node:assert/strict";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const shots = env("LX_SCREENSHOTS");
mkdirSync(shots, { recursive: true });
const profile = env("LX_BROWSER_PROFILE");
rmSync(profile, { recursive: true, force: true });

const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  acceptInsecureCerts: true, // the test's own self-signed gateway certificate
  userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--ignore-certificate-errors", "--lang=zh-CN"],
  defaultViewport: { width: 1400, height: 900 },
});

let step = "";
const pages = []; // [name, page], photographed when a step fails
function log(text) {
  step = text;
  console.log(`· ${text}`);
}

// Waits until fn() (run in the page) is truthy; fails after `ms`.
async function waitInPage(page, fn, arg, ms = 30000) {
  await page.waitForFunction(fn, { timeout: ms, polling: 200 }, arg);
}
const text = (page, selector) => page.$eval(selector, (el) => el.textContent.trim());
async function fill(page, name, value) {
  const selector = `input[name="${name}"], textarea[name="${name}"]`;
  await page.waitForSelector(selector);
  await page.$eval(selector, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}
// Picks `label` in the el-select inside [data-testid=testid] the way a person does, and checks that
// it took: an option clicked while the dropdown is still opening may be another one under the
// pointer, so the click waits for the dropdown to stand still and is tried again if it missed.
async function choose(page, testid, label) {
  const chosen = (a) => document.querySelector(`[data-testid="${a.testid}"]`).innerText.includes(a.label);
  for (let attempt = 1; ; attempt++) {
    await page.click(`[data-testid="${testid}"]`);
    const option = await page.waitForSelector(`li.el-select-dropdown__item ::-p-text(${label})`, { visible: true });
    await waitInPage(page, () => document.getAnimations().every((a) => a.playState !== "running"));
    await option.click();
    try {
      await waitInPage(page, chosen, { testid, label }, 5000);
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`${testid}: ${label} could not be chosen`);
    }
  }
}
async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}
// Loads the console afresh at `route` (the session comes back from its cookie).
async function go(page, base, route) {
  await page.goto(`${base}/?load=${Date.now()}#${route}`, { waitUntil: "networkidle0" });
}

async function signIn(base, user, password, name) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  pages.push([name, page]);
  await page.goto(`${base}/`, { waitUntil: "networkidle0" });
  await page.waitForSelector('input[name="username"]');
  await shot(page, `${name}-sign-in`);
  await page.type('input[name="username"]', user);
  await page.type('input[name="password"]', password);
  await page.click('[data-testid="sign-in"]');
  await page.waitForSelector('[data-testid="outflow-count"]');
  return page;
}

// A valid resident ID number (GB 11643) for a person born on `birth`.
function residentId(region, birth, sequence) {
  const body = `${region}${birth.replaceAll("-", "")}${String(sequence).padStart(3, "0")}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + "10X98765432"[sum % 11];
}

try {
  const fuyunUrl = env("LX_FUYUN_URL");
  const tianshanUrl = env("LX_TIANSHAN_URL");

  // Two phases: "dashboard" reads the scenario's figures before the harness
  // adds a member of its own; "work" does the rest.
  const phase = env("LX_PHASE");
  log("富蕴县: sign in");
  const fuyun = await signIn(fuyunUrl, env("LX_FUYUN_USER"), env("LX_FUYUN_PASSWORD"), "fuyun");
  if (phase === "member") {
    // Issue 19: the member's own phone page.
    const memberId = env("LX_SELF_MEMBER");
    const pin = "246813";
    log("富蕴县: the operator sets the member's 连心卡 PIN on the member page");
    await go(fuyun, fuyunUrl, `/members/${memberId}`);
    await fill(fuyun, "memberPin", pin);
    await fuyun.click('[data-testid="set-pin"]');
    await fuyun.waitForSelector('[data-testid="pin-set"], [data-testid="error"]');
    assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));

    log("手机: the member signs in with the member code and PIN on a phone-sized page");
    const context = await browser.createBrowserContext();
    const phone = await context.newPage();
    pages.push(["member-phone", phone]);
    await phone.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.goto(`${fuyunUrl}/#/m`, { waitUntil: "networkidle0" });
    await fill(phone, "memberCode", memberId);
    await fill(phone, "pin", "000000");
    await phone.click('[data-testid="member-sign-in"]');
    await phone.waitForSelector('[data-testid="error"]');
    const refused = await text(phone, '[data-testid="error"]');
    assert.match(refused, /党员编号或 PIN 码不正确/);
    await fill(phone, "pin", pin);
    await phone.click('[data-testid="member-sign-in"]');
    await phone.waitForSelector('[data-testid="quarterly-due"]');
    await waitInPage(phone, () => document.querySelector('[data-testid="quarterly-due"]').textContent.trim() !== "无");
    const due = await text(phone, '[data-testid="quarterly-due"]');
    assert.match(due, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(due < new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), `the report is overdue (${due})`);
    assert.match(await text(phone, '[data-testid="hours"]'), /学时/);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page fits a phone (${width}px wide)`);
    await shot(phone, "member-phone-home");

    log("手机: the member files the quarterly report");
    const report = `在天山区务工，本季度参加流入地支部学习两次（${Date.now() % 100000}）`;
    await fill(phone, "reportSummary", report);
    await phone.click('[data-testid="file-report"]');
    await phone.waitForSelector(".el-message--success, [data-testid='error']");
    assert.equal(await phone.$('[data-testid="error"]'), null, await phone.$eval("body", (b) => b.innerText));
    await waitInPage(phone, (r) => document.querySelector('[data-testid="my-reports"]').textContent.includes(r), report);
    await shot(phone, "member-phone-report");

    log("富蕴县: the liaison's console shows the report, self-reported");
    await go(fuyun, fuyunUrl, `/members/${memberId}`);
    await waitInPage(fuyun, (r) => document.querySelector('[data-testid="timeline"]').textContent.includes(r), report);
    const timeline = await text(fuyun, '[data-testid="timeline"]');
    assert.ok(timeline.includes(`季度汇报（本人报告，网络）：${report}`), timeline);
    await shot(fuyun, "fuyun-member-self-reported");
    await go(fuyun, fuyunUrl, "/overdue");
    await waitInPage(fuyun, () => document.querySelectorAll('[data-testid="overdue"] tbody tr').length > 0);
    const overdue = await fuyun.$eval('[data-testid="overdue"]', (t) => t.innerText);
    assert.ok(!overdue.includes(memberId), `${memberId} is no longer overdue`);
    console.log("browser: member phase passed");
    await browser.close();
    process.exit(0);
  }
  if (phase === "dashboard") {
    log("富蕴县: the dashboard shows 24 out, 91 in");
    await waitInPage(fuyun, () => document.querySelector('[data-testid="outflow-count"]').textContent.trim() !== "…");
    assert.equal(await text(fuyun, '[data-testid="outflow-count"]'), "24");
    assert.equal(await text(fuyun, '[data-testid="inflow-count"]'), "91");
    await waitInPage(fuyun, () => document.querySelectorAll("canvas").length >= 3);
    await shot(fuyun, "fuyun-dashboard");
    await go(fuyun, fuyunUrl, "/appraisal-sheet");
    await fuyun.waitForSelector('[data-testid="sheet"] table');
    await fuyun.pdf({ path: `${shots}/fuyun-appraisal-sheet.pdf`, format: "A4", landscape: true, printBackground: true });
    await shot(fuyun, "fuyun-appraisal-sheet");

    log("富蕴县: the outflow ledger downloads as CSV under a Chinese title, the rows the member list shows");
    const downloads = `${profile}-downloads`;
    rmSync(downloads, { recursive: true, force: true });
    mkdirSync(downloads, { recursive: true });
    const cdp = await fuyun.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads, browserContextId: fuyun.browserContext().id });
    await go(fuyun, fuyunUrl, "/exports");
    await fuyun.click('[data-testid="format"] ::-p-text(CSV)');
    await fuyun.click('[data-testid="download"]');
    await fuyun.waitForSelector('[data-testid="saved"], [data-testid="error"]');
    assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));
    const saved = await text(fuyun, '[data-testid="saved"]');
    await shot(fuyun, "fuyun-exports");
    assert.match(saved, /富蕴县-流出党员台账-\d{4}-\d{2}-\d{2}\.csv/);
    let file = "";
    for (const until = Date.now() + 15000; !file; await new Promise((r) => setTimeout(r, 200))) {
      file = readdirSync(downloads).find((f) => f.endsWith(".csv")) ?? "";
      assert.ok(file || Date.now() < until, `no CSV in ${downloads}: ${readdirSync(downloads)}`);
    }
    const csv = readFileSync(`${downloads}/${file}`, "utf8");
    assert.ok(csv.startsWith("\uFEFF"), "the CSV starts with a byte-order mark");
    const lines = csv.trim().split(/\r?\n/);
    assert.match(lines[0], /富蕴县.*流出党员台账/);
    // The ledger holds what the member list shows for the outflow (the 24 away
    // now, and those transferred out or with a transfer pending, by status).
    const rows = lines.slice(2);
    await go(fuyun, fuyunUrl, "/members?direction=outflow");
    await waitInPage(fuyun, () => document.querySelectorAll('[data-testid="members"] tbody tr').length > 0);
    const listed = await fuyun.$$eval('[data-testid="members"] tbody tr', (trs) => trs.length);
    assert.equal(rows.length, listed, rows.join("\n"));
    assert.ok(rows.length >= 24, rows.join("\n"));
    assert.ok(rows.every((r) => !/\d{17}[\dXx]/.test(r)), "no full ID number in the ledger");
    console.log("browser: dashboard phase passed");
    await browser.close();
    process.exit(0);
  }

  log("富蕴县: the overdue list before");
  await go(fuyun, fuyunUrl, "/overdue");
  await waitInPage(fuyun, () => document.querySelectorAll('[data-testid="overdue"] tbody tr').length > 0);
  const overdueBefore = Number(await text(fuyun, '[data-testid="overdue-total"]'));
  await shot(fuyun, "fuyun-overdue");

  log("富蕴县: register a member, then an outflow to 天山区");
  const name = `测试${Date.now() % 100000}`;
  await go(fuyun, fuyunUrl, "/register-member");
  await fill(fuyun, "name", name);
  await fill(fuyun, "idNumber", residentId("654322", "1990-03-15", Date.now() % 1000));
  await fill(fuyun, "birthDate", "1990-03-15");
  await fill(fuyun, "phone", "13800138000");
  await fill(fuyun, "branch", "库额尔齐斯镇第一党支部");
  await fill(fuyun, "joinedOn", "2015-07-01");
  await fuyun.click('[data-testid="save"]');
  await fuyun.waitForSelector('[data-testid="created"] a, [data-testid="error"]');
  assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));
  const memberId = await text(fuyun, '[data-testid="created"] a');
  await shot(fuyun, "fuyun-register-member");

  await go(fuyun, fuyunUrl, `/register-outflow?member=${memberId}`);
  await choose(fuyun, "destination", "乌鲁木齐市天山区");
  await fill(fuyun, "destinationAddress", "乌鲁木齐市天山区解放南路 1 号");
  await fill(fuyun, "occupation", "建筑工人");
  await fill(fuyun, "expectedReturnOn", "2027-12-31");
  await fill(fuyun, "contactPhone", "13800138001");
  await fuyun.click('[data-testid="save"]');
  await fuyun.waitForSelector(".el-message--success, [data-testid='error']");
  assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));
  await shot(fuyun, "fuyun-register-outflow");

  log("天山区: sign in; the new member arrives in the inflow list");
  const tianshan = await signIn(tianshanUrl, env("LX_TIANSHAN_USER"), env("LX_TIANSHAN_PASSWORD"), "tianshan");
  await shot(tianshan, "tianshan-dashboard");
  const deadline = Date.now() + 90000; // across counties, on a loaded CI machine
  for (;;) {
    await go(tianshan, tianshanUrl, "/members?direction=inflow");
    await waitInPage(tianshan, () => document.querySelectorAll('[data-testid="members"] tbody tr').length > 0);
    await fill(tianshan, "search", name);
    const found = await tianshan.$$eval('[data-testid="members"] tbody tr', (rows, n) => rows.some((r) => r.innerText.includes(n)), name);
    if (found) break;
    assert.ok(Date.now() < deadline, `${name} never reached 天山区's inflow list`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await shot(tianshan, "tianshan-inflow");
  await go(tianshan, tianshanUrl, `/members/${memberId}`);
  await tianshan.waitForSelector('[data-testid="timeline"] .el-timeline-item');
  await shot(tianshan, "tianshan-member-page");

  log("天山区: record a quarterly report of a Fuyun member; Fuyun's overdue list shrinks");
  await go(tianshan, tianshanUrl, `/record-contact?member=${env("LX_CONTACT_MEMBER")}`);
  await fill(tianshan, "summary", "电话汇报：在天山区工地务工，思想稳定");
  await tianshan.click('[data-testid="save"]');
  await tianshan.waitForSelector(".el-message--success, [data-testid='error']");
  assert.equal(await tianshan.$('[data-testid="error"]'), null, await tianshan.$eval("body", (b) => b.innerText));
  await shot(tianshan, "tianshan-record-contact");
  const until = Date.now() + 90000;
  for (;;) {
    await go(fuyun, fuyunUrl, "/overdue");
    await waitInPage(fuyun, () => document.querySelectorAll('[data-testid="overdue"] tbody tr').length > 0);
    const now = Number(await text(fuyun, '[data-testid="overdue-total"]'));
    if (now === overdueBefore - 1) break;
    assert.ok(Date.now() < until, `富蕴县's overdue list stayed at ${now} (was ${overdueBefore})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await shot(fuyun, "fuyun-overdue-after");

  log("富蕴县: a lecturer booked twice is a clash, shown in Chinese");
  await go(fuyun, fuyunUrl, "/schedule");
  const lecturer = `讲师${Date.now() % 100000}`;
  await fuyun.click('[data-testid="new-course"] .el-collapse-item__header');
  await fill(fuyun, "courseTitle", `新时代党员的义务与权利（${lecturer}）`);
  await fuyun.$eval('[data-testid="create-course"]', (b) => b.click()); // the panel may still be opening
  await fuyun.waitForSelector(".el-message--success, [data-testid='error']");
  assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));
  // Places of the test's own (the scenario's places have their capacities).
  const first = `杜热乡${lecturer}流动课堂`;
  for (const [location, start, end] of [[first, "2027-03-01T10:00", "2027-03-01T12:00"], [`库额尔齐斯镇${lecturer}会议室`, "2027-03-01T11:00", "2027-03-01T13:00"]]) {
    await fill(fuyun, "location", location);
    await fill(fuyun, "startsAt", start);
    await fill(fuyun, "endsAt", end);
    await fill(fuyun, "lecturer", lecturer);
    await fuyun.click('[data-testid="schedule"]');
    if (location === first) {
      await fuyun.waitForSelector(".el-message--success, [data-testid='error']");
      assert.equal(await fuyun.$('[data-testid="error"]'), null, await fuyun.$eval("body", (b) => b.innerText));
    } else {
      await fuyun.waitForSelector("[data-testid='error']");
    }
  }
  const clash = await text(fuyun, '[data-testid="error"]');
  await shot(fuyun, "fuyun-schedule-clash");
  assert.match(clash, /授课人/);
  assert.match(clash, /时间冲突/);
  assert.doesNotMatch(clash, /failed_precondition|FAILED_PRECONDITION|lecturer/);

  console.log("browser: all steps passed");
  await browser.close();
} catch (e) {
  console.log(`browser: FAILED at "${step}": ${e.message}`);
  for (const [name, page] of pages) {
    await page.screenshot({ path: `${shots}/failed-${name}.png`, fullPage: true }).catch(() => {});
    console.log(`${name} at ${page.url()}`);
  }
  await browser.close();
  process.exit(1);
}
