/*
 * swagger.spec.mjs: the Swagger UI page, driven in a real (Debian)
 * Chromium through playwright-core. Starts `latchkey serve --demo` on a
 * free loopback port with a temporary data directory, logs in through
 * the Authorize dialog (OAuth2 password flow), calls GET /users/me with
 * "Try it out" and checks the JSON the page shows. Every request that
 * is not for 127.0.0.1 is recorded and aborted, and fails the test, as
 * does any Content-Security-Policy violation or page error.
 *
 * Environment: LATCHKEY_BIN (default build/latchkey), CHROMIUM (default
 * /usr/bin/chromium), ARTIFACTS (default tests/artifacts).
 * Exit status 0 on success, 1 on failure.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname),
                          "../..");
const BIN = process.env.LATCHKEY_BIN || path.join(ROOT, "build/latchkey");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = process.env.ARTIFACTS || path.join(ROOT, "tests/artifacts");
const STEP_MS = 20000;
const JANE = {
    username: "janedoe",
    email: "janedoe@example.com",
    full_name: "Jane Doe",
    disabled: false,
};

/* A port nobody listens on right now, on the loopback interface. */
function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}

/* Poll url until it answers 200, for at most ms milliseconds. */
async function waitReady(url, ms) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        try {
            const r = await fetch(url);
            if (r.ok)
                return;
        } catch (e) {
            /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server did not answer ${url} within ${ms} ms`);
}

/* Servers to stop if this process is told to quit early. */
const children = new Set();
for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => {
        for (const c of children)
            c.kill("SIGTERM");
        console.log(`FAIL swagger: interrupted by ${sig}`);
        process.exit(1);
    });
}

/* Start the server; resolves to {child, base}. */
async function startServer(tmp) {
    const port = await freePort();
    const log = fs.openSync(path.join(tmp, "server.log"), "w");
    const child = spawn(BIN, ["serve", "--demo",
                              "--data-dir", path.join(tmp, "data"),
                              "--listen", `127.0.0.1:${port}`],
                        { stdio: ["ignore", log, log] });
    children.add(child);
    child.on("exit", () => children.delete(child));
    const base = `http://127.0.0.1:${port}`;
    await waitReady(`${base}/openapi.json`, 10000);
    return { child, base };
}

/* Stop the server by its PID and wait (at most 5 s) until it exits. */
function stopServer(child) {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
            return resolve();
        const t = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
        }, 5000);
        child.once("exit", () => {
            clearTimeout(t);
            resolve();
        });
        child.kill("SIGTERM");
    });
}

/* Chromium with a fresh profile, no background traffic of its own. */
async function startBrowser(tmp) {
    const profile = path.join(tmp, "profile");
    fs.mkdirSync(profile);
    return chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        timeout: STEP_MS,
        viewport: { width: 1280, height: 1400 },
        args: ["--headless", "--no-sandbox", "--disable-gpu",
               "--disable-quic", "--no-first-run",
               "--disable-background-networking",
               "--disable-component-update", "--disable-sync"],
    });
}

/* Abort and remember every request for a host other than 127.0.0.1. */
async function fenceNetwork(context, outside) {
    const local = (u) => {
        try {
            const x = new URL(u);
            return x.protocol === "data:" || x.protocol === "blob:" ||
                   x.hostname === "127.0.0.1";
        } catch (e) {
            return false;
        }
    };
    context.on("request", (req) => {
        if (!local(req.url()))
            outside.push(req.url());
    });
    await context.route("**/*", (route) => {
        const u = route.request().url();
        if (local(u))
            return route.continue();
        return route.abort("blockedbyclient");
    });
}

/* Log in through the Authorize dialog with every offered scope. */
async function authorize(page) {
    await page.locator("button.btn.authorize").first().click();
    const dialog = page.locator(".dialog-ux .modal-ux");
    await dialog.waitFor();
    await dialog.locator("#oauth_username").fill(JANE.username);
    await dialog.locator("#oauth_password").fill("hashsecret");
    const boxes = dialog.locator(".scopes input[type=checkbox]");
    const n = await boxes.count();
    assert.ok(n >= 2, `the dialog lists the scopes (found ${n})`);
    for (let i = 0; i < n; i++) {
        /* the box itself is hidden; its label is what a user clicks */
        const id = await boxes.nth(i).getAttribute("id");
        await dialog.locator(`label[for="${id}"]`).click();
        assert.ok(await boxes.nth(i).isChecked(), `scope box ${id}`);
    }
    const token = page.waitForResponse((r) =>
        new URL(r.url()).pathname === "/token");
    await dialog.locator("button.authorize").click();
    const tr = await token;
    assert.equal(tr.status(), 200, "POST /token from the dialog");
    await dialog.locator("button:has-text('Logout')").waitFor();
    await dialog.locator("button.btn-done").click();
    await dialog.waitFor({ state: "detached" });
}

/* Expand GET /users/me, Try it out, Execute; the JSON on the page. */
async function callMe(page) {
    const op = page.locator("#operations-users-read_users_me_users_me_get");
    await op.locator(".opblock-summary").first().click();
    await op.locator("button.try-out__btn").click();
    const answer = page.waitForResponse((r) =>
        new URL(r.url()).pathname === "/users/me");
    await op.locator("button.execute").click();
    assert.equal((await answer).status(), 200, "GET /users/me");
    const body = op.locator(".live-responses-table .response-col_description "
                            + "pre.microlight, .live-responses-table "
                            + ".response-col_description .highlight-code "
                            + "pre").first();
    await body.waitFor();
    return JSON.parse(await body.innerText());
}

async function run(tmp) {
    const outside = [], problems = [];
    const { child, base } = await startServer(tmp);
    let context;
    try {
        context = await startBrowser(tmp);
        await fenceNetwork(context, outside);
        await context.addInitScript(() => {
            document.addEventListener("securitypolicyviolation", (e) => {
                console.error(`CSP violation: ${e.violatedDirective} ` +
                              `${e.blockedURI}`);
            });
        });
        const page = context.pages()[0] || await context.newPage();
        page.setDefaultTimeout(STEP_MS);
        page.on("pageerror", (e) => problems.push(`page error: ${e}`));
        page.on("console", (m) => {
            if (/Content.Security.Policy|CSP violation/i.test(m.text()))
                problems.push(m.text());
        });
        const nav = await page.goto(`${base}/docs/swagger`);
        assert.equal(nav.status(), 200, "GET /docs/swagger");
        await page.locator(".swagger-ui .info .title").waitFor();
        await authorize(page);
        const shown = await callMe(page);
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, "swagger.png"),
                                fullPage: true });
        assert.deepEqual(shown, JANE, "the response shown on the page");
        /* open a schema too, so more of the UI runs under the CSP */
        const model = page.locator("section.models article").filter({
            has: page.locator(".json-schema-2020-12__title",
                              { hasText: /^User$/ }) }).first();
        await model.locator(".json-schema-2020-12-expand-deep-button")
            .first().click();
        await model.locator(".json-schema-2020-12-property").first()
            .waitFor();
    } finally {
        if (context)
            await context.close();
        await stopServer(child);
    }
    assert.deepEqual(outside, [], "requests that left the machine");
    assert.deepEqual(problems, [], "CSP violations or page errors");
}

async function main() {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-browser-"));
    let ok = false;
    try {
        await run(tmp);
        ok = true;
        console.log("PASS swagger: Authorize (password flow) then "
                    + "GET /users/me shows Jane's profile");
    } catch (e) {
        console.log(`FAIL swagger: ${e.stack || e}`);
        const log = path.join(tmp, "server.log");
        if (fs.existsSync(log))
            console.log("--- server log ---\n"
                        + fs.readFileSync(log, "utf8").slice(-4000));
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    process.exit(ok ? 0 : 1);
}

main();
