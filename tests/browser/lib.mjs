// What every browser suite shares: the environment, Chromium, a counter
// of passed and failed checks, and the axe-core check that runs on each
// page visited at desktop and phone widths (a serious or critical
// violation, a phone page wider than the screen, or a phone page whose
// heading starts more than 260 px down, fails that page).

import { readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const base = process.env.ACORN_URL;
export const adminEmail = process.env.ACORN_ADMIN_EMAIL;
export const adminPassword = process.env.ACORN_ADMIN_PASSWORD;
export const shots = process.env.ACORN_SCREENSHOTS || '';
if (!base || !adminEmail || !adminPassword) {
	console.error('browser tests: set ACORN_URL, ACORN_ADMIN_EMAIL and ACORN_ADMIN_PASSWORD');
	process.exit(2);
}
if (shots)
	mkdirSync(shots, { recursive: true });

export const widths = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } };
const counts = { passed: 0, failed: 0 };

export function fail(name, why) {
	counts.failed++;
	console.log(`not ok - ${name}: ${why}`);
}

export async function test(name, fn) {
	try {
		await fn();
		counts.passed++;
		console.log(`ok - ${name}`);
	} catch (e) {
		fail(name, e && e.message ? e.message.split('\n')[0] : String(e));
	}
}

export function expect(cond, what) {
	if (!cond)
		throw new Error(what);
}

export async function text(page, selector) {
	return (await page.locator(selector).first().innerText()).trim();
}

// Runs axe-core on the page at both widths and takes a screenshot at
// each; on a phone the page's h1 (or an error summary or confirmation
// above it) must also start within HEADING_MAX pixels of the top.
const HEADING_MAX = 260;
const checked = new Set();
export async function accessible(page, label) {
	if (checked.has(label))
		return;
	checked.add(label);
	for (const [wname, size] of Object.entries(widths)) {
		await test(`axe: ${label} (${wname})`, async () => {
			await page.setViewportSize(size);
			if (shots)
				await page.screenshot({ path: `${shots}/${label}-${wname}.png`, fullPage: true });
			const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
			if (!hasAxe)
				await page.addScriptTag({ content: axeSource });
			const result = await page.evaluate(() => window.axe.run(document, {
				runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
			}));
			const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
			expect(bad.length === 0, bad.map(v => `${v.id} (${v.impact}) at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`).join('; '));
			if (wname === 'phone') {
				const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
				expect(overflow <= 0, `page is ${overflow}px wider than a phone screen`);
				// The heading is in view without scrolling past the header;
				// an error summary or a confirmation that GOV.UK puts above
				// it is what the page leads with, and counts as its start.
				const top = await page.evaluate(() => {
					const h = document.querySelector('h1');
					if (h === null)
						return null;
					let at = h.getBoundingClientRect().top;
					for (const m of document.querySelectorAll('main .error-summary, main [role="status"], main [role="alert"]')) {
						const box = m.getBoundingClientRect();
						if (box.height > 0 && (m.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING))
							at = Math.min(at, box.top);
					}
					return at + window.scrollY;
				});
				expect(top !== null, 'page has no h1');
				expect(top <= HEADING_MAX, `the h1 starts ${Math.round(top)}px down on a phone (at most ${HEADING_MAX})`);
			}
		});
	}
	await page.setViewportSize(widths.desktop);
}

export const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// bypassCSP lets the test inject axe-core; the node's own pages are still
// checked to carry a policy without inline script below.
export async function newPage() {
	const context = await browser.newContext({ bypassCSP: true, viewport: widths.desktop });
	context.setDefaultTimeout(10000);
	const page = await context.newPage();
	page.on('dialog', async d => {
		fail('no script from a member runs', `a dialog opened: ${d.message()}`);
		await d.dismiss();
	});
	return { context, page };
}

// Signs in on page as email, on the node at url (ACORN_URL unless
// given); the page is left on wherever sign-in goes.
export async function signIn(page, email, password, url = base) {
	await page.goto(`${url}/signin`);
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForLoadState();
}

// The link to path (a prefix: '/join/confirm', '/registrations/guest/')
// in the newest mail to address to whose subject starts with subject,
// read as the person it was sent to gets it: the message as the node
// queued it, from the node's outbox in its database (ACORN_DB, a libpq
// connection string).  The Mail page a coordinator sees hides these
// links' secrets, so it cannot serve.  The node listens on a port it
// chose, so only the path and query of the link are taken.  Waits a
// few seconds for the mail, in case it is queued after the reply.
export async function mailedLink(to, subject, path) {
	const db = process.env.ACORN_DB;
	if (!db)
		throw new Error('set ACORN_DB to read mailed links');
	const sql = `SELECT body FROM outbox
		WHERE lower(recipient) = lower(:'to') AND starts_with(subject, :'subject')
		ORDER BY id DESC LIMIT 1`;
	for (let tries = 0; tries < 50; tries++) {
		const body = execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
			'-v', `to=${to}`, '-v', `subject=${subject}`, '-d', db],
		{ input: sql, encoding: 'utf8' });
		for (const m of body.matchAll(/https?:\/\/[^\s<>"]+/g)) {
			const url = new URL(m[0]);
			if (url.pathname.startsWith(path))
				return base + url.pathname + url.search;
		}
		await new Promise(r => setTimeout(r, 200));
	}
	throw new Error(`no ${path} link in a mail "${subject}" to ${to}`);
}

// The rows of a query on the node's database (ACORN_DB), as lines of
// fields joined by "|", with psql variables vars: for setting the
// scene a journey starts from (an event already over, say), never for
// checking what a person would see.
export function sql(query, vars = {}) {
	const db = process.env.ACORN_DB;
	if (!db)
		throw new Error('set ACORN_DB to set the scene');
	const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db];
	for (const [k, v] of Object.entries(vars))
		args.push('-v', `${k}=${v}`);
	return execFileSync('psql', args, { input: query, encoding: 'utf8' }).trim();
}

// Closes Chromium, prints the line the test runner reads, and exits.
export async function finish() {
	await browser.close();
	console.log(`${counts.passed} passed, ${counts.failed} failed`);
	process.exit(counts.failed === 0 ? 0 : 1);
}
