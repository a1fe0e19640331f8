// The directory journey in headless Chromium, over the demo directory
// of a North West node: a link worker finds a befriending group near a
// postcode that is open on Tuesdays, builds a shortlist with a note,
// prints it and shares it, and the shared link opens signed out; an
// organisation's manager confirms a listing from the reminder email
// without signing in; a member reports a service that has closed and a
// coordinator resolves the report from the review queue.  Every page
// visited is checked with axe-core at desktop and phone widths.
//
// Environment as for journey.mjs, and ACORN_MEMBER_EMAIL and
// ACORN_MEMBER_PASSWORD, a member's, and ACORN_MANAGER_EMAIL, a
// manager's whose listing is due.  Prints "N passed, N failed" last.

import { base, adminEmail, adminPassword, test, expect, text, accessible,
	newPage, signIn, fail, finish, mailedLink, shots } from './lib.mjs';

const member = process.env.ACORN_MEMBER_EMAIL;
const memberPassword = process.env.ACORN_MEMBER_PASSWORD;
const manager = process.env.ACORN_MANAGER_EMAIL;

try {
	const lw = await newPage();
	let shared = null;
	await test('a link worker finds a befriending group near a postcode, open on Tuesdays', async () => {
		const p = lw.page;
		await signIn(p, adminEmail, adminPassword);
		await p.goto(`${base}/services`);
		await accessible(p, 'services');
		await p.getByLabel('Need or activity').selectOption({ label: 'Loneliness and befriending' });
		await p.getByLabel('Near postcode (optional)').fill('bl1 2bf');
		await p.getByLabel('Within').selectOption('5');
		await p.getByText('More filters').click();
		await p.getByLabel('Open on').selectOption({ label: 'Tuesday' });
		await p.getByRole('button', { name: 'Search', exact: true }).last().click();
		await p.waitForLoadState();
		const showing = await text(p, '.filter-summary strong');
		expect(showing.includes('need Loneliness and befriending') && showing.includes('open Tuesday')
			&& showing.includes('near BL1 2BF'), `summary: ${showing}`);
		const card = p.locator('li.member-card', { hasText: 'Tuesday lunch club' });
		expect(await card.count() === 1, 'no Tuesday lunch club');
		expect((await card.innerText()).includes('km away'), 'no distance on the card');
		await accessible(p, 'services-near');
		await card.getByRole('button', { name: /Add to shortlist/ }).click();
		await p.waitForLoadState();
		expect((await p.content()).includes('Added to your shortlist'), 'not said it was added');
		const phone = p.locator('li.member-card', { hasText: 'Telephone befriending' });
		if (await phone.count() === 1) {
			await phone.getByRole('button', { name: /Add to shortlist/ }).click();
			await p.waitForLoadState();
		}
	});
	await test('the shortlist takes a note, prints on one page and is shared by a link', async () => {
		const p = lw.page;
		await p.getByRole('link', { name: 'See your shortlist' }).click();
		await p.waitForLoadState();
		expect(await text(p, 'h1') === 'Your shortlist', 'not the shortlist');
		await accessible(p, 'shortlist');
		const item = p.locator('li.member-card', { hasText: 'Tuesday lunch club' });
		await item.getByLabel(/Note/).fill('Ask for the duty team; the 36 bus stops outside');
		await item.getByRole('button', { name: /Save the note/ }).click();
		await p.waitForLoadState();
		await p.getByRole('link', { name: 'Print the shortlist' }).click();
		await p.waitForLoadState();
		const page = await p.content();
		expect(page.includes('Every Tuesday, 11:30am to 2pm') && page.includes('the 36 bus stops outside'),
			'the print page lacks the times or the note');
		await accessible(p, 'shortlist-print');
		if (shots) {
			await p.emulateMedia({ media: 'print' });
			await p.screenshot({ path: `${shots}/shortlist-printed.png`, fullPage: true });
			await p.pdf({ path: `${shots}/shortlist-printed.pdf`, format: 'A4' }).catch(() => {});
			await p.emulateMedia({ media: 'screen' });
		}
		await p.goto(`${base}/services/shortlist`);
		await p.getByRole('button', { name: 'Share by a link' }).click();
		await p.waitForLoadState();
		shared = (await text(p, '.shared-link'));
		expect(shared.includes('/services/shared/'), `no link: ${shared}`);
		await accessible(p, 'shortlist-shared');
	});
	await test('the shared shortlist opens signed out', async () => {
		const anon = await newPage();
		const url = new URL(shared);
		await anon.page.goto(`${base}${url.pathname}`);
		expect(await text(anon.page, 'h1') === 'Services we talked about', 'not the shortlist');
		expect((await anon.page.content()).includes('Tuesday lunch club'), 'no service on it');
		await accessible(anon.page, 'shortlist-open');
		await anon.context.close();
	});
	await lw.context.close();

	await test('a manager confirms a listing from the reminder email, without signing in', async () => {
		const link = await mailedLink(manager, 'Is your listing still right?', '/services/check/');
		const anon = await newPage();
		await anon.page.goto(link);
		expect(await text(anon.page, 'h1') === 'Is this listing still right?', 'not the check page');
		await accessible(anon.page, 'service-check');
		await anon.page.getByRole('button', { name: 'Yes, it is still correct' }).click();
		await anon.page.waitForLoadState();
		expect((await text(anon.page, 'h1')).startsWith('Thank you'), 'not thanked');
		await anon.page.getByRole('link', { name: 'See the listing' }).click();
		await anon.page.waitForLoadState();
		expect((await anon.page.content()).includes('Checked today by the organisation'), 'not checked today');
		await accessible(anon.page, 'service');
		await anon.page.getByRole('link', { name: 'history' }).click();
		await anon.page.waitForLoadState();
		expect((await anon.page.content()).includes('Confirmed as correct'), 'the history lacks the confirmation');
		await accessible(anon.page, 'service-history');
		await anon.context.close();
	});

	let reported = null;
	await test('a member reports a service that has closed', async () => {
		const m = await newPage();
		await signIn(m.page, member, memberPassword);
		await m.page.goto(`${base}/services?q=walking+football`);
		await m.page.getByRole('link', { name: 'Walking football', exact: true }).first().click();
		await m.page.waitForLoadState();
		reported = m.page.url();
		await m.page.getByRole('link', { name: 'Report a problem with this listing' }).click();
		await m.page.waitForLoadState();
		await accessible(m.page, 'service-report');
		await m.page.getByRole('button', { name: 'Send the report' }).click();
		await m.page.waitForLoadState();
		expect((await m.page.content()).includes('Select what is wrong'), 'no error for no topic');
		await accessible(m.page, 'service-report-error');
		await m.page.getByLabel('It has closed or stopped running').check();
		await m.page.getByLabel('Details (optional)').fill('The leisure centre says it stopped in the summer.');
		await m.page.getByRole('button', { name: 'Send the report' }).click();
		await m.page.waitForLoadState();
		expect((await text(m.page, 'h1')) === 'Thank you for reporting the problem', 'not thanked');
		await m.page.goto(reported);
		expect((await m.page.content()).includes('Problem reported'), 'not marked reported');
		await m.context.close();
	});
	await test('a coordinator resolves the report from the review queue', async () => {
		const c = await newPage();
		await signIn(c.page, adminEmail, adminPassword);
		await c.page.goto(`${base}/services/review`);
		expect(await text(c.page, 'h1') === 'Review the directory', 'not the queue');
		await accessible(c.page, 'services-review');
		const report = c.page.locator('li.member-card', { hasText: 'The leisure centre says it stopped' });
		expect(await report.count() === 1, 'the report is not in the queue');
		await report.getByLabel('What was done').selectOption({ label: 'The listing was corrected' });
		await report.getByRole('button', { name: /Resolve/ }).click();
		await c.page.waitForLoadState();
		expect(await c.page.locator('li.member-card', { hasText: 'The leisure centre says it stopped' }).count() === 0,
			'the report is still there');
		await c.page.goto(reported);
		expect(!(await c.page.content()).includes('Problem reported'), 'still marked reported');
		await c.page.goto(`${base}/services/needs`);
		expect(await text(c.page, 'h1') === 'Needs and activities', 'not the vocabulary');
		await accessible(c.page, 'services-needs');
		await c.context.close();
	});
} catch (e) {
	fail('directory journey', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
