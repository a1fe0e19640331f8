// The member journey in headless Chromium: join (with a mistake first),
// confirm the address from the mailed link, wait for approval, a
// coordinator approves, the member signs in, edits their profile and
// lists themselves, and a visitor finds them in the directory.  Every page visited is checked with axe-core at desktop and
// phone widths; a serious or critical violation fails that page.
//
// Environment: ACORN_URL (a fresh node), ACORN_ADMIN_EMAIL and
// ACORN_ADMIN_PASSWORD (an admin of the node, who does all a coordinator
// of its region does),
// ACORN_SCREENSHOTS (a directory for screenshots, optional), CHROMIUM
// (default /usr/bin/chromium).  Prints "N passed, N failed" last.

import { base, adminEmail, adminPassword, widths, fail, test, expect, text,
	accessible, newPage, finish, mailedLink } from './lib.mjs';

const stamp = Date.now().toString(36);
const member = {
	name: `Amara Okafor ${stamp}`,
	email: `Amara.${stamp}@Example.org`,
	password: 'kettle lantern orchard',
	organisation: 'Bolton Community Voluntary Service',
	interest: `allotments${stamp}`,
	bio: `Link worker in Bolton. <script>alert("bio")</script> <img src=x onerror=alert(1)>`,
};

try {
	const visitor = await newPage();
	let page = visitor.page;

	await test('home page answers with a security policy', async () => {
		const res = await page.goto(`${base}/`);
		expect(res.status() === 200, `status ${res.status()}`);
		const csp = res.headers()['content-security-policy'] || '';
		expect(csp.includes("default-src") && !csp.includes("'unsafe-inline'") || csp.includes("script-src 'self'"),
			`policy: ${csp}`);
		expect(csp.includes('frame-ancestors'), `policy has no frame-ancestors: ${csp}`);
		expect((await page.title()).length > 0, 'page has no title');
	});
	await accessible(page, 'home');

	await test('skip link is the first thing a keyboard reaches and moves to the content', async () => {
		await page.keyboard.press('Tab');
		const focused = await page.evaluate(() => document.activeElement.textContent.trim());
		expect(focused === 'Skip to main content', `first focus: ${focused}`);
		await page.keyboard.press('Enter');
		expect(page.url().endsWith('#main'), `went to ${page.url()}`);
	});

	await test('a join form with mistakes says what is wrong and keeps what was typed', async () => {
		await page.goto(`${base}/join`);
		await page.getByLabel('Full name').fill(member.name);
		await page.getByLabel('Email address').fill('not an address');
		await page.getByLabel('Create a password').fill('short');
		await page.getByLabel('Type the password again').fill('short');
		await page.getByRole('button', { name: 'Join' }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), `title: ${await page.title()}`);
		const summary = await text(page, '.error-summary');
		expect(summary.includes('There is a problem'), `summary: ${summary}`);
		expect(await page.locator('.error-summary li').count() >= 3, 'fewer than three errors listed');
		expect(await page.getByLabel('Full name').inputValue() === member.name, 'name was not kept');
		expect(await page.getByLabel('Create a password').inputValue() === '', 'password was sent back');
		// Each error in the summary links to its field.
		await page.locator('.error-summary a').first().click();
		const id = await page.evaluate(() => document.activeElement.id);
		expect(id === 'email' || id === 'password' || id === 'group', `link moved focus to "${id}"`);
	});
	await accessible(page, 'join-errors');

	await test('a visitor joins and is asked to confirm their address', async () => {
		await page.getByLabel('Email address').fill(member.email);
		await page.getByLabel('Create a password').fill(member.password);
		await page.getByLabel('Type the password again').fill(member.password);
		await page.getByLabel('Organisation (optional)').fill(member.organisation);
		await page.getByLabel('Your role in social prescribing').selectOption('link_worker');
		await page.getByLabel('Region').selectOption('North West');
		await page.getByRole('button', { name: 'Join' }).click();
		await page.waitForLoadState();
		const h1 = await text(page, 'h1');
		expect(h1 === 'Check your email', `heading: ${h1}`);
		expect((await text(page, 'main')).includes(member.email), 'address not named');
	});
	await accessible(page, 'join-check-email');

	await test('the visitor confirms from the mailed link and is told a coordinator will approve them', async () => {
		await page.goto(await mailedLink(member.email, 'Confirm your email address', '/join/confirm'));
		await accessible(page, 'join-confirm');
		await page.getByLabel('Password').fill(member.password);
		await page.getByRole('button', { name: 'Confirm my email address' }).click();
		await page.waitForLoadState();
		const h1 = await text(page, 'h1');
		expect(h1 === 'Thank you for joining', `heading: ${h1}`);
		expect((await text(page, 'main')).includes('coordinator'), 'no word about approval');
	});
	await accessible(page, 'joined');

	await test('a member waiting for approval cannot sign in yet, and is told why', async () => {
		await page.goto(`${base}/signin`);
		await page.getByLabel('Email address').fill(member.email.toLowerCase());
		await page.getByLabel('Password').fill(member.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForLoadState();
		const body = await text(page, 'main');
		expect(/approv/i.test(body), `page says: ${body.slice(0, 200)}`);
		const h1 = await text(page, 'h1');
		expect(h1 === 'Your account is waiting for approval', `heading: ${h1}`);
		expect(await page.locator('.error-summary').count() === 0, 'shown as an error');
		expect(await page.getByRole('button', { name: 'Sign out' }).count() === 0, 'signed in before approval');
	});
	await accessible(page, 'signin-pending');

	await test('the member is not in the directory before approval', async () => {
		await page.goto(`${base}/members?q=${encodeURIComponent(member.name)}`);
		expect(!(await text(page, 'main')).includes(member.name), 'found before approval');
	});
	await accessible(page, 'members-empty');
	await visitor.context.close();

	// The coordinator.
	const coord = await newPage();
	page = coord.page;
	await test('the coordinator signs in and sees the request', async () => {
		await page.goto(`${base}/signin`);
		await accessible(page, 'signin');
		await page.getByLabel('Email address').fill(adminEmail);
		await page.getByLabel('Password').fill(adminPassword);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForLoadState();
		const main = await text(page, 'main');
		expect(main.includes('Needs your attention'), 'home page names nothing to do');
		expect(/waiting for your approval/.test(main), `home page says: ${main.slice(0, 300)}`);
	});
	await accessible(page, 'home-coordinator');

	await test('Manage leads the coordinator to the request', async () => {
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage' }).click();
		await page.waitForLoadState();
		expect(await text(page, 'h1') === 'Manage', 'not the Manage page');
		expect(/\d+ (person is|people are) waiting for approval/.test(await text(page, 'main')), 'no count of people waiting');
		await accessible(page, 'manage');
		await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Approvals' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('navigation', { name: 'Manage' }).locator('a[aria-current="page"]').innerText() === 'Approvals',
			'the Manage sub-navigation does not mark Approvals');
		expect((await text(page, 'main')).includes(member.name), 'request not listed');
		expect((await text(page, 'main')).includes(member.email.toLowerCase()) ||
			(await text(page, 'main')).includes(member.email), 'email not shown to the coordinator');
	});
	await accessible(page, 'approvals');

	await test('refusing asks first, and going back changes nothing', async () => {
		await page.getByRole('link', { name: `Refuse ${member.name}` }).click();
		await page.waitForLoadState();
		const h1 = await text(page, 'h1');
		expect(h1 === `Refuse the request from ${member.name}?`, `heading: ${h1}`);
		expect(await page.getByRole('button', { name: 'Yes, refuse the request' }).count() === 1, 'no red button');
		await accessible(page, 'refuse-confirm');
		await page.getByRole('link', { name: 'No, go back' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes(member.name), 'request gone after going back');
	});

	await test('the coordinator approves the member', async () => {
		await page.getByRole('button', { name: `Approve ${member.name}` }).click();
		await page.waitForLoadState();
		const status = await text(page, '[role=status]');
		expect(status.includes(member.name), `status: ${status}`);
		expect(!(await page.locator('table').innerText().catch(() => '')).includes(member.name),
			'still waiting after approval');
	});
	await accessible(page, 'approved');

	await test('the coordinator sees the new member, not yet listed, in their region', async () => {
		await page.goto(`${base}/members?q=${encodeURIComponent(member.name)}`);
		const main = await text(page, 'main');
		expect(main.includes(member.name), 'coordinator cannot see the unlisted member');
		expect(main.includes('Not listed'), 'not marked as unlisted');
	});
	await accessible(page, 'members-coordinator');
	await coord.context.close();

	// The member.
	const own = await newPage();
	page = own.page;
	await test('the approved member signs in with their email in any case', async () => {
		await page.goto(`${base}/signin`);
		await page.getByLabel('Email address').fill(member.email.toUpperCase());
		await page.getByLabel('Password').fill(member.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('button', { name: 'Sign out' }).count() === 1, 'not signed in');
		const cookies = await own.context.cookies();
		const session = cookies.find(c => c.value.length >= 40);
		expect(session && session.httpOnly && session.sameSite === 'Lax', 'session cookie is not HttpOnly and SameSite=Lax');
	});

	await test('the new member\'s home page says what to do next', async () => {
		const main = await text(page, 'main');
		expect(main.includes('You have no bookings.'), `home says: ${main.slice(0, 300)}`);
		expect(await page.getByRole('link', { name: 'Find an event' }).count() === 1, 'no way to an event');
		expect(await page.getByRole('link', { name: 'Add a short bio so others can find you' }).count() === 1,
			'no prompt for a bio');
	});
	await accessible(page, 'home-member');

	await test('the member edits their profile and lists themselves', async () => {
		await page.goto(`${base}/profile`);
		await accessible(page, 'profile');
		await page.getByLabel('Job title (optional)').fill('Social prescribing link worker');
		await page.locator('#interests').fill(`green social prescribing, ${member.interest}`);
		await page.locator('#bio').fill(member.bio);
		await page.getByLabel('List me in the network directory').check();
		await page.getByRole('button', { name: 'Save profile' }).click();
		await page.waitForLoadState();
		expect(!(await page.title()).startsWith('Error:'), `title: ${await page.title()}`);
		await page.goto(`${base}/profile`);
		expect(await page.locator('#bio').inputValue() === member.bio, 'bio not kept as typed');
		expect(await page.getByLabel('List me in the network directory').isChecked(), 'listing not kept');
		await page.goto(`${base}/`);
		expect(await page.getByRole('link', { name: /Add a short bio/ }).count() === 0, 'still asks for a bio');
		expect(await page.getByRole('link', { name: /Choose to be listed/ }).count() === 0, 'still asks to be listed');
		await page.goto(`${base}/profile`);
	});
	await accessible(page, 'profile-saved');

	await test('a profile with a mistake keeps what was typed and says what is wrong', async () => {
		await page.locator('#name').fill('');
		await page.getByRole('button', { name: 'Save profile' }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), 'no error for an empty name');
		expect(await page.locator('#bio').inputValue() === member.bio, 'bio lost on error');
	});
	await accessible(page, 'profile-error');

	await test('the member signs out', async () => {
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('link', { name: 'Sign in' }).count() >= 1, 'still signed in');
		const res = await page.goto(`${base}/profile`);
		expect(page.url().includes('/signin'), `profile after sign-out went to ${page.url()} (${res.status()})`);
	});
	await own.context.close();

	// A visitor finds the member.
	const finder = await newPage();
	page = finder.page;
	await test('a visitor finds the member in the directory by interest', async () => {
		await page.goto(`${base}/members`);
		await page.getByLabel('Search by name, organisation or interests').fill(member.interest.slice(0, -2));
		await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('link', { name: member.name }).count() === 1, 'not found by interest');
	});
	await accessible(page, 'members-found');

	await test('filters by group and region keep the member and the choice', async () => {
		await page.goto(`${base}/members`);
		await page.locator('#group').selectOption('link_worker');
		await page.locator('#region').selectOption('North West');
		await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
		await page.waitForLoadState();
		expect(await page.locator('#group').inputValue() === 'link_worker', 'group choice lost');
		expect(await page.getByRole('link', { name: member.name }).count() === 1, 'not found by filter');
		await page.locator('#group').selectOption('gp');
		await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('link', { name: member.name }).count() === 0, 'found under the wrong group');
	});

	await test('the profile page shows the member, with markup as text and no email', async () => {
		await page.goto(`${base}/members?q=${encodeURIComponent(member.interest)}`);
		await page.getByRole('link', { name: member.name }).click();
		await page.waitForLoadState();
		const main = await text(page, 'main');
		expect(main.includes('<script>alert("bio")</script>'), 'script not shown as text');
		expect(await page.locator('main script, main img').count() === 0, 'markup became elements');
		expect(!main.toLowerCase().includes(member.email.toLowerCase()), 'email shown to a visitor');
	});
	await accessible(page, 'member');

	await test('a page that does not exist gets a plain error page that echoes nothing', async () => {
		const res = await page.goto(`${base}/members/%3Cscript%3Ex`);
		expect(res.status() === 404, `status ${res.status()}`);
		expect(!(await page.content()).includes('<script>x'), 'input echoed');
	});
	await accessible(page, 'not-found');
	await finder.context.close();

	// Events: a coordinator creates and publishes one, the member takes a place.
	const organiser = await newPage();
	page = organiser.page;
	const eventTitle = `Green social prescribing workshop ${stamp}`;
	await test('a coordinator sets up an event in steps, with mistakes first', async () => {
		await page.goto(`${base}/signin`);
		await page.getByLabel('Email address').fill(adminEmail);
		await page.getByLabel('Password').fill(adminPassword);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForLoadState();
		await page.goto(`${base}/events`);
		await accessible(page, 'events');
		await page.getByRole('link', { name: 'Create an event' }).click();
		await page.waitForLoadState();
		await accessible(page, 'event-new');
		await page.getByLabel('Title').fill(eventTitle);
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), 'no error for a half-filled form');
		await accessible(page, 'event-new-errors');
		expect(await page.getByLabel('Title').inputValue() === eventTitle, 'title lost');
		await page.getByLabel('Kind of event').selectOption('workshop');
		// 31 February first: not a real date, and what was typed stays.
		await page.locator('#start-day').fill('31');
		await page.locator('#start-month').fill('2');
		await page.locator('#start-year').fill('2031');
		await page.locator('#start-hour').fill('10');
		await page.locator('#start-minute').fill('00');
		await page.locator('#end-day').fill('12');
		await page.locator('#end-month').fill('6');
		await page.locator('#end-year').fill('2031');
		await page.locator('#end-hour').fill('15');
		await page.locator('#end-minute').fill('30');
		await page.getByLabel('Venue').fill('Bolton Town Hall');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('Start date must be a real date'), 'no real-date error');
		expect(await page.locator('#start-day').inputValue() === '31', 'typed day lost');
		await accessible(page, 'event-new-date-errors');
		await page.getByRole('link', { name: 'Start date must be a real date' }).click();
		expect(await page.evaluate(() => document.activeElement.id) === 'start-day', 'error link does not lead to the day');
		await page.locator('#start-day').fill('12');
		await page.locator('#start-month').fill('6');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Places', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'event-step-places');
		expect(await page.locator('#place_name').inputValue() === 'In person', 'no suggested type of place');
		await page.locator('#capacity').fill('1');
		await page.getByRole('button', { name: 'Add places' }).click();
		await page.waitForLoadState();
		await page.getByRole('link', { name: 'Continue' }).click();
		await page.waitForLoadState();
		await accessible(page, 'questions');
		await page.getByLabel('Kind of question').selectOption('access');
		await page.getByRole('button', { name: 'Add the question' }).click();
		await page.waitForLoadState();
		await page.getByLabel('Kind of question').selectOption('yesno');
		await page.getByLabel('Question', { exact: true }).fill('Would you like a printed workbook?');
		await page.getByText('An answer is required').click();
		await page.getByRole('button', { name: 'Add the question' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('Would you like a printed workbook?'), 'question not listed');
		await accessible(page, 'questions-added');
		await page.getByRole('link', { name: 'Continue' }).click();
		await page.waitForLoadState();
		await accessible(page, 'event-step-registration');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Check your answers before publishing', `heading: ${await text(page, 'h1')}`);
		const answers = await text(page, 'main');
		expect(answers.includes('Thursday 12 June 2031, 10am to 3:30pm'), 'date not in one style');
		expect(answers.includes('In person: 1'), 'places not shown');
		await accessible(page, 'event-check');
		await page.getByRole('link', { name: 'Change Title' }).click();
		await page.waitForLoadState();
		await page.getByLabel('Description (optional)').fill('A day of green social prescribing.');
		await page.getByRole('button', { name: 'Save and go back to check your answers' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('A day of green social prescribing.'), 'change not shown');
		await page.getByRole('button', { name: 'Publish' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === eventTitle, `heading: ${await text(page, 'h1')}`);
		expect(!(await text(page, 'main')).includes('Only coordinators can see'), 'still a draft');
	});
	await accessible(page, 'event-coordinator');
	const eventUrl = page.url();

	await test('the coordinator edits the event on one page', async () => {
		await page.getByRole('link', { name: 'Edit the event' }).click();
		await page.waitForLoadState();
		await accessible(page, 'event-edit');
		expect(await page.getByLabel('Title').inputValue() === eventTitle, 'form not filled in');
		expect(await page.locator('#start-day').inputValue() === '12', 'start day not filled in');
		await page.getByLabel('Description (optional)').fill('Bring walking shoes: part of the day is outdoors.');
		await page.getByRole('button', { name: 'Save changes' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('Bring walking shoes'), 'edit not shown');
	});

	const attendee = await newPage();
	await test('the member takes the only place and sees it', async () => {
		const p = attendee.page;
		await p.goto(`${base}/signin`);
		await p.getByLabel('Email address').fill(member.email);
		await p.getByLabel('Password').fill(member.password);
		await p.getByRole('button', { name: 'Sign in' }).click();
		await p.waitForLoadState();
		await p.goto(eventUrl);
		await accessible(p, 'event-member');
		expect((await text(p, 'main')).includes('1 of 1 place left'), 'availability not shown');
		await p.getByRole('button', { name: 'Register' }).click();
		await p.waitForLoadState();
		expect((await p.title()).startsWith('Error:'), 'a required question went unanswered');
		await accessible(p, 'event-register-errors');
		await p.getByRole('link', { name: /Choose an answer to/ }).click();
		await p.getByLabel('Do you have any access needs? (optional)').fill('Step-free access, please');
		await p.getByRole('group', { name: /printed workbook/ }).getByLabel('Yes').check();
		await p.getByRole('button', { name: 'Register' }).click();
		await p.waitForLoadState();
		expect((await text(p, 'h1')) === 'You have a place', `heading: ${await text(p, 'h1')}`);
		// What, when, where, a reference, the calendar and how to cancel.
		const done = await text(p, 'main');
		for (const want of [eventTitle, 'Thursday 12 June 2031', 'Bolton Town Hall', 'Your reference',
			'Add to calendar', 'What happens next', 'How to cancel'])
			expect(done.includes(want), `"${want}" not on the confirmation`);
		expect(!done.includes('We have sent'), 'mail promised on a node that sends none');
		await accessible(p, 'registered');
		await p.getByRole('main').getByRole('link', { name: 'Your registrations' }).click();
		await p.waitForLoadState();
		const card = p.locator('.member-card').filter({ hasText: eventTitle });
		expect(await card.count() === 1, 'registration not listed');
		expect((await card.innerText()).includes('You\u2019re booked'), `card: ${await card.innerText()}`);
		await accessible(p, 'registrations');
	});
	await test('cancelling asks first, and "No" keeps the place', async () => {
		const p = attendee.page;
		await p.getByRole('link', { name: `Cancel my place at ${eventTitle}` }).click();
		await p.waitForLoadState();
		expect((await text(p, 'h1')) === `Are you sure you want to cancel your place at ${eventTitle}?`,
			`heading: ${await text(p, 'h1')}`);
		expect(await p.getByRole('button', { name: 'Yes, cancel my place' }).count() === 1, 'no button to cancel');
		await accessible(p, 'cancel-place');
		await p.getByRole('link', { name: 'No, keep my place' }).click();
		await p.waitForLoadState();
		expect(new URL(p.url()).pathname === '/registrations', `went to ${p.url()}`);
		expect((await text(p, 'main')).includes(eventTitle), 'registration gone');
	});
	await attendee.context.close();

	await test('the coordinator sees the attendee and the event is full', async () => {
		await page.goto(eventUrl);
		await page.getByRole('link', { name: 'Attendees and waiting list' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes(member.name), 'attendee not listed');
		await accessible(page, 'attendees');
		await page.goto(eventUrl);
		await page.getByRole('link', { name: 'Places' }).click();
		await page.waitForLoadState();
		await accessible(page, 'places');
		await page.goto(`${base}/events`);
		const card = page.locator('.member-card').filter({ hasText: eventTitle });
		expect((await card.innerText()).includes('Full \u2013 waiting list'), `card: ${await card.innerText()}`);
		await page.goto(eventUrl);
		expect((await text(page, '.event-status')) === 'Full \u2013 waiting list', `tag: ${await text(page, '.event-status')}`);
		// The organiser's tools are apart, after what members see.
		expect(await page.getByRole('region', { name: 'Manage this event' }).count() === 1, 'no manage area');
	});

	// Check-in at the door, on a phone.
	await test('the coordinator checks the member in on a phone', async () => {
		await page.goto(eventUrl);
		await page.getByRole('link', { name: 'Attendees and waiting list' }).click();
		await page.waitForLoadState();
		await page.getByRole('link', { name: 'Check people in at the door' }).click();
		await page.waitForLoadState();
		await accessible(page, 'checkin');
		await page.setViewportSize(widths.phone);
		expect((await text(page, '.checkin-count')) === '0 of 1 checked in', `count: ${await text(page, '.checkin-count')}`);
		await page.getByLabel('Search by name or organisation').fill(member.name.split(' ')[1].slice(0, 4).toUpperCase());
		await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
		await page.waitForLoadState();
		await page.getByRole('button', { name: `Mark attended: ${member.name}` }).click();
		await page.waitForLoadState();
		const done = await text(page, '.panel--success');
		expect(done === `Marked ${member.name} as attended`, `confirmation: ${done}`);
		expect((await text(page, '.checkin-count')) === '1 of 1 checked in', `count: ${await text(page, '.checkin-count')}`);
		expect(await page.getByRole('button', { name: `Undo check-in for ${member.name}` }).count() === 1, 'no undo button');
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(overflow <= 0, `check-in page is ${overflow}px wider than a phone screen`);
	});
	await accessible(page, 'checkin-marked');
	await test('the coordinator opens the spreadsheet export', async () => {
		await page.goto(`${eventUrl}/export`);
		expect((await text(page, 'h1')) === 'Download a spreadsheet', `heading: ${await text(page, 'h1')}`);
	});
	await accessible(page, 'export');

	// A guest joins the waiting list: no account, confirmed by the emailed
	// link, which the demo and this test read on the coordinator's Mail page.
	const guestEmail = `guest.${stamp}@example.org`;
	const guest = await newPage();
	await test('a guest registers without an account and is told to check their email', async () => {
		const g = guest.page;
		await g.goto(eventUrl);
		await accessible(g, 'event-guest');
		await g.getByLabel('Full name').fill('Gwen Guest');
		await g.getByLabel('Email address').fill(guestEmail);
		await g.getByRole('group', { name: /printed workbook/ }).getByLabel('No').check();
		await g.getByRole('button', { name: 'Join the waiting list' }).click();
		await g.waitForLoadState();
		// This node sends no mail, and does not pretend to.
		expect((await text(g, 'h1')) === 'Your registration is not confirmed', `heading: ${await text(g, 'h1')}`);
		expect((await text(g, 'main')).includes('does not send email'), 'no word that mail is off');
		expect((await text(g, 'main')).includes('no place is held'), 'no word that nothing is held yet');
		await accessible(g, 'guest-check-email');
	});
	let guestLink = '';
	await test('the coordinator sees the confirmation on the Mail page, its key hidden', async () => {
		await page.goto(`${base}/manage`);
		await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Mail', exact: true }).click();
		await page.waitForLoadState();
		await accessible(page, 'mail');
		const row = page.getByRole('row').filter({ hasText: guestEmail }).first();
		await row.getByText(/^Confirm your registration/).click();
		const body = await row.locator('.pre-line').innerText();
		expect(/\/registrations\/guest\/•••/.test(body), 'the link is not masked');
		guestLink = await mailedLink(guestEmail, 'Confirm your registration', '/registrations/guest/');
		expect(!body.includes(new URL(guestLink).pathname), 'the guest key is shown to the coordinator');
	});
	await test('the guest confirms and is first on the waiting list', async () => {
		const g = guest.page;
		await g.goto(guestLink);
		await accessible(g, 'guest-unconfirmed');
		await g.getByRole('button', { name: 'Confirm my registration' }).click();
		await g.waitForLoadState();
		expect((await text(g, 'main')).includes('you are number 1 on the waiting list'), `status: ${await text(g, 'main')}`);
		expect(await g.locator('.panel--success').count() === 0, 'a waiting position shown as a success');
		await accessible(g, 'guest-waiting');
	});
	await test('the coordinator cancels the event and the guest sees it', async () => {
		await page.goto(eventUrl);
		await page.getByRole('link', { name: 'Cancel the event' }).click();
		await page.waitForLoadState();
		await accessible(page, 'event-cancel');
		expect((await text(page, 'main')).includes('1 person has a place and 1 is on the waiting list'), 'counts not shown');
		await page.getByLabel('Yes, cancel this event and email everyone registered').check();
		await page.getByRole('button', { name: 'Cancel the event' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('This event has been cancelled'), 'not shown as cancelled');
		await guest.page.goto(guestLink);
		expect((await text(guest.page, 'main')).includes('The organisers have cancelled this event'), 'guest not shown the cancellation');
	});
	await guest.context.close();
	await organiser.context.close();
} catch (e) {
	fail('journey', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
