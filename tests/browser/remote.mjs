// Registering from home for another node's event, in headless Chromium,
// on two peered nodes: the hub's coordinator publishes a conference with a
// question; a member of North West, signed in on their own node, finds it
// there once the feed brings it, fills in the form, checks what will be
// shared, sends it and gets a place; the hub's coordinator sees them
// marked as from North West on the attendee list, at check-in and in the
// spreadsheet; then the member cancels from home.  Every page visited is
// checked with axe-core at desktop and phone widths.
//
// Environment: ACORN_URL (the member's node, North West),
// ACORN_ADMIN_EMAIL and ACORN_ADMIN_PASSWORD (its
// admin), ACORN_MEMBER_EMAIL and ACORN_MEMBER_PASSWORD (a member
// there), ACORN_HUB_URL (the hub, peered with it), ACORN_HUB_COORDINATOR_EMAIL
// and ACORN_HUB_COORDINATOR_PASSWORD, ACORN_SCREENSHOTS (optional),
// CHROMIUM (default /usr/bin/chromium).  Prints "N passed, N failed" last.

import { readFileSync } from 'node:fs';
import { base, fail, test, expect, text, accessible, newPage, signIn,
	finish } from './lib.mjs';

const hub = process.env.ACORN_HUB_URL;
const hubEmail = process.env.ACORN_HUB_COORDINATOR_EMAIL;
const hubPassword = process.env.ACORN_HUB_COORDINATOR_PASSWORD;
const memberEmail = process.env.ACORN_MEMBER_EMAIL;
const memberPassword = process.env.ACORN_MEMBER_PASSWORD;
if (!hub || !hubEmail || !hubPassword || !memberEmail || !memberPassword) {
	console.error('remote.mjs: set ACORN_HUB_URL, ACORN_HUB_COORDINATOR_EMAIL, ' +
		'ACORN_HUB_COORDINATOR_PASSWORD, ACORN_MEMBER_EMAIL and ACORN_MEMBER_PASSWORD');
	process.exit(2);
}

const stamp = Date.now().toString(36);
const title = `National conference ${stamp}`;
const question = 'Which afternoon workshop would you like?';
const answer = 'Arts on prescription';
// A change reaches a peer within a second or two (the node pings its
// peers); a missed ping is caught by the next poll.
const ARRIVAL_MS = 60000;

// Reloads url until the page shows what, or gives up after ms.
async function waitFor(page, url, what, ms) {
	const until = Date.now() + ms;
	for (;;) {
		await page.goto(url);
		if ((await text(page, 'main')).includes(what))
			return;
		if (Date.now() > until)
			throw new Error(`${url} never showed "${what}"`);
		await page.waitForTimeout(1000);
	}
}

try {
	const organiser = await newPage();
	const org = organiser.page;
	let eventPath = '';
	let hubName = '';

	await test('the hub coordinator publishes a conference with a question', async () => {
		await signIn(org, hubEmail, hubPassword, hub);
		await org.goto(`${hub}/events/new`);
		await org.getByLabel('Title').fill(title);
		await org.getByLabel('Kind of event').selectOption('conference');
		for (const [id, value] of [['start-day', '18'], ['start-month', '9'], ['start-year', '2031'],
			['start-hour', '9'], ['start-minute', '30'], ['end-day', '18'], ['end-month', '9'],
			['end-year', '2031'], ['end-hour', '17'], ['end-minute', '00']])
			await org.locator(`#${id}`).fill(value);
		await org.getByLabel('Venue').fill('Birmingham Council House');
		await org.getByRole('button', { name: 'Continue' }).click();
		await org.waitForLoadState();
		eventPath = new URL(org.url()).pathname.replace(/\/places$/, '');
		await org.locator('#capacity').fill('100');
		await org.getByRole('button', { name: 'Add places' }).click();
		await org.waitForLoadState();
		await org.getByRole('link', { name: 'Continue' }).click();
		await org.waitForLoadState();
		await org.getByLabel('Kind of question').selectOption('choice');
		await org.getByLabel('Question', { exact: true }).fill(question);
		await org.locator('#choices').fill(`Green social prescribing\n${answer}\nMoney and debt advice`);
		await org.getByText('An answer is required').click();
		await org.getByRole('button', { name: 'Add the question' }).click();
		await org.waitForLoadState();
		expect((await text(org, 'main')).includes(question), 'question not listed');
		await accessible(org, 'remote-hub-questions');
		await org.getByRole('link', { name: 'Continue' }).click();
		await org.waitForLoadState();
		await org.getByRole('button', { name: 'Continue' }).click();
		await org.waitForLoadState();
		await org.getByRole('button', { name: 'Publish' }).click();
		await org.waitForLoadState();
		expect((await text(org, 'h1')) === title, `heading: ${await text(org, 'h1')}`);
		expect(!(await text(org, 'main')).includes('Only coordinators can see'), 'still a draft');
	});
	await accessible(org, 'remote-hub-event');

	const home = await newPage();
	const page = home.page;
	const eventUrl = () => base + eventPath;

	await test('the member signs in at home and finds the hub\'s event there', async () => {
		await signIn(page, memberEmail, memberPassword);
		expect(await page.getByRole('button', { name: 'Sign out' }).count() === 1, 'not signed in');
		// The event keeps its id on every node; its question comes with it.
		await waitFor(page, `${base}/events`, title, ARRIVAL_MS);
		await accessible(page, 'remote-events');
		await page.getByRole('link', { name: title, exact: true }).click();
		await page.waitForLoadState();
		expect(page.url() === eventUrl(), `went to ${page.url()}`);
		await waitFor(page, eventUrl(), question, ARRIVAL_MS);
		const main = await text(page, 'main');
		expect(main.includes('This event is held by'), 'not said to be held elsewhere');
		// The header names this node's region, not the event's.
		expect((await text(page, '.header__region')) === 'North West', `header says ${await text(page, '.header__region')}`);
		expect(await page.getByRole('button', { name: 'Register', exact: true }).count() === 1, 'no Register button');
	});
	await accessible(page, 'remote-event');

	await test('a form without the required answer says what is missing', async () => {
		// One type of place is said, not offered as a choice.
		const radios = page.getByRole('radio', { name: /^In person/ });
		if (await radios.count() > 0)
			await radios.check();
		else
			expect((await text(page, 'main')).includes('Type of place'), 'the type of place is not said');
		await page.getByLabel('Number of places').fill('1');
		await page.getByRole('button', { name: 'Register', exact: true }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), `title: ${await page.title()}`);
		expect((await text(page, '.error-summary')).includes(question), 'the question is not named');
		await page.getByRole('link', { name: /Choose an answer to/ }).click();
	});
	await accessible(page, 'remote-event-errors');

	await test('the member answers, and is shown what the hub will receive', async () => {
		await page.getByRole('group', { name: question }).getByLabel(answer).check();
		await page.getByLabel('Show my name on the public attendee list').check();
		await page.getByRole('button', { name: 'Register', exact: true }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Check what will be shared', `heading: ${await text(page, 'h1')}`);
		const shared = await text(page, '.summary-list');
		for (const want of ['Rosa Hall', memberEmail, 'In person', question, answer, 'Show my name'])
			expect(shared.includes(want), `"${want}" not in what will be shared: ${shared}`);
		const button = page.getByRole('button', { name: /^Send my registration to / });
		expect(await button.count() === 1, 'no send button');
		hubName = (await button.innerText()).replace(/^Send my registration to /, '');
		expect(hubName !== '' && (await text(page, 'main')).includes(`is held by ${hubName}`),
			`the hub is not named: ${hubName}`);
	});
	await accessible(page, 'remote-confirm');

	await test('nothing reaches the hub before the member sends it', async () => {
		await org.goto(`${hub}${eventPath}/attendees`);
		expect((await text(org, 'main')).includes('Nobody has registered yet'), 'the hub has a registration already');
	});

	await test('the member sends it, is told it is on its way, then has a place', async () => {
		await page.getByRole('button', { name: /^Send my registration to / }).click();
		await page.waitForLoadState();
		// The home node hands it to its courier and never waits for the hub
		// itself: the page says so in a status message, and asks again by
		// itself, without reloading, until the hub's answer is in (usually
		// before the page is even shown).
		const heading = await text(page, 'h1');
		expect(heading === 'You have a place' || heading.startsWith('Sending your registration to '),
			`heading: ${heading}`);
		expect(await page.locator('meta[http-equiv="refresh" i]').count() === 0, 'the page reloads itself');
		expect(await page.locator('[role=status] h1').count() === 1, 'no status message');
		if (heading.startsWith('Sending your registration to ')) {
			expect(await page.getByRole('link', { name: 'Check again now' }).count() === 1,
				'no way to check again');
			await accessible(page, 'remote-sending');
		}
		await page.locator('[role=status] h1', { hasText: 'You have a place' }).waitFor({ timeout: 20000 });
		const said = await text(page, 'main');
		expect(said.includes(`${hubName} has given you a place`) && said.includes(title),
			`page says: ${said}`);
	});
	await accessible(page, 'remote-registered');

	await test('the member\'s registrations list it, held by the hub', async () => {
		await page.goto(`${base}/registrations`);
		const card = page.locator('.member-card').filter({ hasText: title });
		expect(await card.count() === 1, 'registration not listed');
		const body = await card.innerText();
		expect(body.includes(`Held by ${hubName}`), `no "Held by ${hubName}": ${body}`);
		expect(body.includes('You have a place'), `status: ${body}`);
		expect(await page.getByRole('link', { name: `Cancel my place at ${title}` }).count() === 1,
			'no way to cancel');
	});
	await accessible(page, 'remote-registrations');

	await test('the event page at home says the member has a place', async () => {
		await page.goto(eventUrl());
		expect((await text(page, '.status-box')).includes('You have a place'), `status: ${await text(page, 'main')}`);
		expect(await page.getByRole('button', { name: 'Register', exact: true }).count() === 0, 'form still offered');
	});
	await accessible(page, 'remote-event-registered');

	await test('the hub coordinator sees the member on the attendee list, from North West', async () => {
		await org.goto(hub + eventPath);
		await org.getByRole('link', { name: 'Attendees and waiting list' }).click();
		await org.waitForLoadState();
		const row = org.getByRole('row').filter({ hasText: 'Rosa Hall' });
		expect(await row.count() === 1, 'attendee not listed');
		const cells = await row.innerText();
		expect(cells.includes('From North West'), `row: ${cells}`);
		expect(cells.includes(memberEmail), `no email for the organiser: ${cells}`);
	});
	await accessible(org, 'remote-attendees');

	await test('check-in shows where the attendee comes from', async () => {
		await org.getByRole('link', { name: 'Check people in at the door' }).click();
		await org.waitForLoadState();
		const card = org.locator('.checkin-card').filter({ hasText: 'Rosa Hall' });
		expect(await card.count() === 1, 'attendee not on the check-in list');
		expect((await card.innerText()).includes('From North West'), `card: ${await card.innerText()}`);
	});
	await accessible(org, 'remote-checkin');

	await test('the spreadsheet has a Home region column', async () => {
		await org.goto(`${hub}${eventPath}/export`);
		const [download] = await Promise.all([
			org.waitForEvent('download'),
			org.getByRole('button', { name: 'Download CSV' }).click(),
		]);
		const csv = readFileSync(await download.path(), 'utf8');
		const lines = csv.split(/\r?\n/);
		expect(lines[0].includes('Home region'), `header: ${lines[0]}`);
		const row = lines.find(l => l.includes('Rosa Hall')) || '';
		expect(row.includes('North West'), `row: ${row}`);
	});
	await accessible(org, 'remote-export');

	await test('the member cancels from home and is told so', async () => {
		await page.goto(`${base}/registrations`);
		await page.getByRole('link', { name: `Cancel my place at ${title}` }).click();
		await page.waitForLoadState();
		// It asks first, and says the hub holds the places.
		expect((await text(page, 'h1')) === `Are you sure you want to cancel your place at ${title}?`,
			`heading: ${await text(page, 'h1')}`);
		expect((await text(page, 'main')).includes(hubName), 'the hub is not named');
		await accessible(page, 'remote-cancel-question');
		await page.getByRole('button', { name: 'Yes, cancel my place' }).click();
		await page.waitForLoadState();
		const status = await text(page, '[role=status]');
		expect(status.includes('Your registration is cancelled'), `status: ${status}`);
		const card = page.locator('.member-card').filter({ hasText: title });
		expect(await card.count() === 0 ||
			(await card.innerText()).includes('Cancelling'), `still listed: ${await card.innerText().catch(() => '')}`);
	});
	await accessible(page, 'remote-cancelled');

	await test('the cancellation reaches the hub', async () => {
		await waitFor(org, `${hub}${eventPath}/attendees`, 'Nobody has registered yet', 30000);
	});

	await home.context.close();
	await organiser.context.close();
} catch (e) {
	fail('remote registration', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
