// The site's frame in headless Chromium: a visitor on a phone opens the
// header's Menu and goes to a section, which the menu then marks; the
// links are there without JavaScript too; a search from the header
// finds evaluations, grouped by kind, and one that finds nothing says
// what to try; the footer pages read well; a coordinator finds the
// tools under Manage, changes the contact page with a preview first and
// brings the default text back.  Every page visited is checked with
// axe-core at desktop and phone widths, its heading within 260 px.
//
// Environment as for journey.mjs.  Prints "N passed, N failed" last.

import { browser, base, adminEmail, adminPassword, test, expect, text,
	accessible, newPage, signIn, fail, finish, widths } from './lib.mjs';

const stamp = Date.now().toString(36);

try {
	const { context: vctx, page } = await newPage();

	await test('on a phone the sections fold behind the Menu button, which opens them', async () => {
		await page.setViewportSize(widths.phone);
		await page.goto(`${base}/`);
		const menu = page.getByRole('button', { name: 'Menu' });
		expect(await menu.isVisible(), 'no Menu button on a phone');
		expect(await menu.getAttribute('aria-expanded') === 'false', 'the menu starts open');
		const main = page.getByRole('navigation', { name: 'Main' });
		expect(!(await main.getByRole('link', { name: 'Library' }).isVisible()), 'sections shown before the menu is opened');
		await menu.click();
		expect(await menu.getAttribute('aria-expanded') === 'true', 'aria-expanded not set');
		expect(await main.getByRole('link', { name: 'Library' }).isVisible(), 'sections not shown in the open menu');
		expect(await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Sign in' }).isVisible(),
			'no Sign in in the open menu');
		await main.getByRole('link', { name: 'Evidence' }).click();
		await page.waitForLoadState();
		expect(await text(page, 'h1') !== '', 'no heading');
		await page.getByRole('button', { name: 'Menu' }).click();
		expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evidence' })
			.getAttribute('aria-current') === 'true', 'the section is not marked');
		// Escape closes it again, back on the button.
		await page.keyboard.press('Escape');
		expect(await page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded') === 'false', 'Escape did not close the menu');
		await page.setViewportSize(widths.desktop);
	});

	await test('without JavaScript the links are in view and no Menu button is shown', async () => {
		const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: widths.phone });
		const p = await ctx.newPage();
		await p.goto(`${base}/events`);
		expect(!(await p.getByRole('button', { name: 'Menu' }).isVisible()), 'a Menu button that cannot work');
		expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Glossary' }).isVisible(),
			'sections hidden without JavaScript');
		await ctx.close();
	});

	await test('a search from the header finds evaluations, grouped by kind with counts', async () => {
		await page.goto(`${base}/glossary`);
		const form = page.getByRole('search', { name: 'Site' });
		await form.getByRole('searchbox').fill('prescribing');
		await form.getByRole('button', { name: 'Search' }).click();
		await page.waitForLoadState();
		expect(new URL(page.url()).pathname === '/search', `went to ${page.url()}`);
		const evidence = page.locator('section#evidence h2');
		expect(/^Evidence: (at least )?\d+ results?$/.test(await evidence.innerText()), 'no count of evaluations');
		expect(await page.locator('section#evidence .member-card').count() > 0, 'no evaluation listed');
		expect(/\d+ results? for/.test(await text(page, '.result-count')), 'no total');
		for (const kind of ['Events', 'Members', 'Library documents', 'Glossary'])
			expect(await page.getByRole('heading', { level: 2, name: new RegExp(`^${kind}: `) }).count() === 1, `no ${kind} section`);
		await accessible(page, 'search-results');
	});

	await test('a search that finds nothing says what to try, with markup kept as text', async () => {
		await page.goto(`${base}/search?q=${encodeURIComponent(`<i>zz${stamp}`)}`);
		expect((await text(page, 'h2')).includes(`<i>zz${stamp}`), 'the words are not shown as typed');
		expect((await text(page, 'main')).includes('check the spelling'), 'no help');
		await accessible(page, 'search-none');
	});

	await test('the footer pages say what the site does', async () => {
		for (const [link, heading, label] of [['Accessibility statement', 'Accessibility statement', 'accessibility'],
			['Cookies', 'Cookies', 'cookies'], ['Privacy notice', 'Privacy notice', 'privacy'], ['Contact', 'Contact', 'contact']]) {
			await page.goto(`${base}/events`);
			await page.getByRole('contentinfo').getByRole('link', { name: link }).click();
			await page.waitForLoadState();
			expect(await text(page, 'h1') === heading, `${link}: heading ${await text(page, 'h1')}`);
			expect(await page.getByRole('link', { name: 'Edit this page' }).count() === 0, 'a visitor is offered to edit');
			await accessible(page, label);
		}
		await page.goto(`${base}/cookies`);
		expect((await text(page, 'main')).includes('acorn_session'), 'the session cookie is not named');
	});
	await vctx.close();

	const { context: cctx, page: co } = await newPage();
	await signIn(co, adminEmail, adminPassword);

	await test('a coordinator finds the tools under Manage, the current one marked', async () => {
		await co.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage' }).click();
		await co.waitForLoadState();
		expect(await text(co, 'h1') === 'Manage', 'not the Manage page');
		expect(await co.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage' })
			.getAttribute('aria-current') === 'true', 'Manage not marked');
		await co.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Roles' }).click();
		await co.waitForLoadState();
		expect(await co.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Roles' })
			.getAttribute('aria-current') === 'page', 'Roles not marked');
		await accessible(co, 'roles-subnav');
	});

	const own = `Write to the North West team at **nw-${stamp}@example.org**.`;
	await test('a coordinator changes the contact page, previewing it first', async () => {
		await co.goto(`${base}/events`);
		await co.getByRole('contentinfo').getByRole('link', { name: 'Contact' }).click();
		await co.waitForLoadState();
		await co.getByRole('link', { name: 'Edit this page' }).click();
		await co.waitForLoadState();
		await accessible(co, 'site-edit');
		await co.getByLabel('Text').fill(`## Reach us\n\n${own}`);
		await co.getByRole('button', { name: 'Preview' }).click();
		await co.waitForLoadState();
		expect(await co.locator('.preview strong').innerText() === `nw-${stamp}@example.org`, 'the preview does not show the text');
		expect((await co.getByLabel('Text').inputValue()).includes(own), 'the text is not kept in the form');
		await accessible(co, 'site-edit-preview');
		await co.getByRole('button', { name: 'Save the page' }).click();
		await co.waitForLoadState();
		expect((await text(co, '.panel')).includes('The page is saved'), 'not told it is saved');
		expect((await text(co, 'main')).includes(`nw-${stamp}@example.org`), 'the new text is not shown');
		await accessible(co, 'contact-own');
	});

	await test('the coordinator brings the default text back', async () => {
		await co.getByRole('link', { name: 'Edit this page' }).click();
		await co.waitForLoadState();
		expect(await co.getByRole('row').filter({ hasText: 'Shown now' }).count() === 1, 'no current version');
		await co.getByRole('button', { name: 'Restore the default text' }).click();
		await co.waitForLoadState();
		expect(!(await text(co, 'main')).includes(`nw-${stamp}@example.org`), 'the own text is still shown');
		expect((await text(co, 'main')).includes('not yet put their contact details'), 'the default is not back');
	});
	await cctx.close();
} catch (e) {
	fail('site journey', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
