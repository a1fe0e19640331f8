// Every voice in the room, in headless Chromium: an organiser keeps a
// place of an event for citizens; a guest takes the place not kept, a
// GP waits, and a citizen who comes later gets the kept place; after the
// event the organiser sends a feedback form, the citizen answers it from
// the mailed link, and the organiser reads the results and publishes a
// summary.  Every page visited is checked with axe-core at desktop and
// phone widths.
//
// Environment as for journey.mjs, with ACORN_DB (the node's database, to
// read mailed links and to move the event into the past).  Prints
// "N passed, N failed" last.

import { base, adminEmail, adminPassword, test, expect, text, accessible,
	newPage, signIn, fail, finish, mailedLink, sql } from './lib.mjs';

const stamp = Date.now().toString(36);
const title = `Every voice forum ${stamp}`;
const people = {
	first: { name: 'Fola First', email: `fola.${stamp}@example.org` },
	gp: { name: 'Dr Gita Patel', email: `gita.${stamp}@example.org`, group: 'GP or primary care' },
	citizen: { name: 'Cath Citizen', email: `cath.${stamp}@example.org`, group: 'Citizen or patient' },
};

// A published event of this node with two places, a month away.
const event = sql(`WITH e AS (INSERT INTO events (id, origin, title, kind,
	description, starts, ends, venue, address, organiser, region, status)
	SELECT gen_random_uuid(), n.id, :'title', 'regional_meeting',
	'A forum for everyone in social prescribing in the region.',
	date_trunc('day', now()) + interval '30 days 10 hours',
	date_trunc('day', now()) + interval '30 days 13 hours',
	'Bolton Library', 'Le Mans Crescent, Bolton BL1 1SE',
	'North West network', 'North West', 'published' FROM node n
	RETURNING id),
	p AS (INSERT INTO place_types (event, name, capacity)
	SELECT id, 'In person', 2 FROM e RETURNING event)
	SELECT event FROM p`, { title });
const eventUrl = `${base}/events/${event}`;

// A guest registers and follows the link mailed to them; the page they
// are left on.
async function guestRegisters(who, label) {
	const g = (await newPage()).page;
	await g.goto(eventUrl);
	await g.getByLabel('Full name').fill(who.name);
	await g.getByLabel('Email address').fill(who.email);
	if (who.group)
		await g.getByLabel('Your role in social prescribing (optional)').selectOption({ label: who.group });
	await g.locator('form button[type=submit]').filter({ hasText: /Register|Join the waiting list/ }).click();
	await g.waitForLoadState();
	const link = await mailedLink(who.email, 'Confirm your registration', '/registrations/guest/');
	await g.goto(link);
	await g.getByRole('button', { name: 'Confirm my registration' }).click();
	await g.waitForLoadState();
	await accessible(g, label);
	return g;
}

try {
	const org = (await newPage()).page;
	await signIn(org, adminEmail, adminPassword);

	await test('the organiser keeps a place for citizens, with mistakes first', async () => {
		await org.goto(eventUrl);
		await org.getByRole('link', { name: 'Places', exact: true }).click();
		await org.waitForLoadState();
		await accessible(org, 'voices-places');
		await org.getByRole('button', { name: 'Keep places' }).click();
		await org.waitForLoadState();
		const summary = await text(org, '.error-summary');
		expect(summary.includes('Enter the number of places to keep') &&
			summary.includes('Select the groups to keep places for'), `summary: ${summary.replace(/\n/g, " / ")}`);
		await accessible(org, 'voices-places-errors');
		const until = new Date(Date.now() + 20 * 86400 * 1000);
		await org.getByLabel('Number of places to keep').fill('1');
		await org.getByLabel('Citizen or patient').check();
		await org.getByLabel('Day').first().fill(String(until.getUTCDate()));
		await org.getByLabel('Month').first().fill(String(until.getUTCMonth() + 1));
		await org.getByLabel('Year').first().fill(String(until.getUTCFullYear()));
		await org.getByRole('button', { name: 'Keep places' }).click();
		await org.waitForLoadState();
		expect((await text(org, 'main')).includes('Places kept.'), 'not kept');
		const row = org.getByRole('row').filter({ hasText: 'Citizen or patient' });
		expect(await row.count() === 1, 'the kept places are not listed');
		await accessible(org, 'voices-places-kept');
	});

	await test('a first guest takes the place not kept', async () => {
		const g = await guestRegisters(people.first, 'voices-first');
		expect((await text(g, 'h1')) === 'You have a place', `heading: ${await text(g, 'h1')}`);
	});
	await test('the event says the place left is kept, and a GP waits', async () => {
		const v = (await newPage()).page;
		await v.goto(eventUrl);
		expect((await text(v, 'main')).includes('1 of 2 places left, kept for the groups below'),
			'the kept place is not shown');
		expect((await text(v, 'main')).includes('1 In person place is kept for Citizen or patient'),
			'what is kept is not said');
		await accessible(v, 'voices-event-kept');
		const g = await guestRegisters(people.gp, 'voices-gp-waits');
		expect((await text(g, 'main')).includes('you are number 1 on the waiting list'),
			`status: ${await text(g, 'main')}`);
	});
	await test('a citizen who comes later gets the kept place', async () => {
		const g = await guestRegisters(people.citizen, 'voices-citizen');
		expect((await text(g, 'h1')) === 'You have a place', `heading: ${await text(g, 'h1')}`);
	});
	await test('the organiser sees who is coming by group', async () => {
		await org.goto(`${eventUrl}/attendees`);
		const main = await text(org, 'main');
		expect(main.includes('Who is coming, by stakeholder group'), 'no mix');
		await accessible(org, 'voices-attendees');
	});

	// The forum takes place.
	sql(`UPDATE events SET starts = now() - interval '1 day',
		ends = now() - interval '21 hours' WHERE id = :'id'`, { id: event });

	await test('after the event the organiser sets up and sends a feedback form', async () => {
		await org.goto(eventUrl);
		await org.getByRole('link', { name: 'Feedback form, after the event' }).click();
		await org.waitForLoadState();
		await accessible(org, 'voices-feedback-form');
		await org.getByLabel('Kind of question').selectOption({ label: 'A rating from 1 (poor) to 5 (excellent)' });
		await org.getByLabel('Question', { exact: true }).fill('How useful was the forum?');
		await org.getByLabel('An answer is required').check();
		await org.getByRole('button', { name: 'Add the question' }).click();
		await org.waitForLoadState();
		await org.getByLabel('Kind of question').selectOption({ label: 'A written answer' });
		await org.getByLabel('Question', { exact: true }).fill('What would you change?');
		await org.getByRole('button', { name: 'Add the question' }).click();
		await org.waitForLoadState();
		await org.getByRole('button', { name: 'Send the form' }).click();
		await org.waitForLoadState();
		expect((await text(org, 'main')).includes('The form was sent to 2 people.'), `said: ${await text(org, 'main')}`);
		await accessible(org, 'voices-feedback-sent');
	});

	await test('the citizen answers from the mailed link, once', async () => {
		const link = await mailedLink(people.citizen.email, 'What did you think of', '/feedback/');
		const g = (await newPage()).page;
		await g.goto(link);
		expect((await text(g, 'main')).includes('Your answers are kept without your name'), 'not said to be anonymous');
		await accessible(g, 'voices-answer');
		await g.getByRole('button', { name: 'Send my answers' }).click();
		await g.waitForLoadState();
		expect((await text(g, '.error-summary')).includes('Select an answer'), 'no error for the required rating');
		await accessible(g, 'voices-answer-errors');
		await g.getByLabel('5 (excellent)').check();
		await g.getByLabel('What would you change? (optional)').fill('A longer lunch to talk to the GPs');
		await g.getByRole('button', { name: 'Send my answers' }).click();
		await g.waitForLoadState();
		expect((await text(g, 'h1')) === 'Thank you', `heading: ${await text(g, 'h1')}`);
		await accessible(g, 'voices-answered');
		await g.goto(link);
		expect((await text(g, 'main')).includes('this link has been used'), 'the link works twice');
	});

	await test('the organiser reads the results and publishes a summary', async () => {
		await org.goto(`${eventUrl}/feedback/results`);
		const main = await text(org, 'main');
		expect(main.includes('The form went to 2 people and 1 answered (50%)'), `results: ${main.slice(0, 300)}`);
		expect(main.includes('1 answer; the average rating is 5.0 out of 5.'), 'no average');
		expect(main.includes('A longer lunch to talk to the GPs'), 'the written answer is missing');
		expect(main.includes('Citizen or patient (100%)'), 'no share by group');
		await accessible(org, 'voices-results');
		await org.getByRole('link', { name: 'Publish a summary to the library' }).click();
		await org.waitForLoadState();
		await accessible(org, 'voices-publish');
		expect(!(await org.getByLabel('Summary').inputValue()).includes('A longer lunch'),
			'the summary holds what someone wrote');
		await org.getByRole('button', { name: 'Publish' }).click();
		await org.waitForLoadState();
		expect((await text(org, 'h1')).startsWith('What people said about'), `heading: ${await text(org, 'h1')}`);
	});

	await test('anyone sees the region\'s mix', async () => {
		const v = (await newPage()).page;
		await v.goto(`${base}/mix`);
		expect((await text(v, 'h1')) === 'Our region\'s mix', `heading: ${await text(v, 'h1')}`);
		await accessible(v, 'voices-mix');
	});
} catch (e) {
	fail('voices journey', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
