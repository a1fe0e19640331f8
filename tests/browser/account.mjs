// Identity journeys in headless Chromium: join, confirm the address from
// the mailed link, a coordinator approves, sign in; change the password
// (the other browser is signed out); forget it and reset it from the
// mailed link (every session ends); see where the account is signed in
// and sign out everywhere.  Every page visited is checked with axe-core
// at desktop and phone widths, as in journey.mjs.
//
// Environment: as journey.mjs.  Prints "N passed, N failed" last.

import { readFileSync } from 'node:fs';
import { base, adminEmail, adminPassword, fail, test, expect, text,
	accessible, newPage, signIn, mailedLink, finish } from './lib.mjs';

const stamp = Date.now().toString(36);
const person = {
	name: `Nia Adeyemi ${stamp}`,
	email: `nia.${stamp}@example.org`,
	password: 'harbour violet compass',
	changed: 'meadow lantern quarry',
	reset: 'copper thistle anchor',
};

// Is the page's browser signed in: the profile opens rather than
// sending it to sign in.
async function signedIn(page) {
	await page.goto(`${base}/profile`);
	return !page.url().includes('/signin');
}

try {
	const home = await newPage();
	let page = home.page;

	await test('a visitor joins and is sent a link to confirm their address', async () => {
		await page.goto(`${base}/join`);
		await page.getByLabel('Full name').fill(person.name);
		await page.getByLabel('Email address').fill(person.email);
		await page.getByLabel('Create a password').fill(person.password);
		await page.getByLabel('Type the password again').fill(person.password);
		await page.getByLabel('Your role in social prescribing').selectOption('gp');
		await page.getByLabel('Region').selectOption('North West');
		await page.getByRole('button', { name: 'Join' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Check your email', `heading: ${await text(page, 'h1')}`);
		expect((await text(page, 'main')).includes(`We have sent an email to ${person.email}`), 'address not named');
	});
	await accessible(page, 'account-check-email');

	await test('before confirming, signing in gives a page saying the address is not confirmed', async () => {
		await signIn(page, person.email, person.password);
		const h1 = await text(page, 'h1');
		expect(h1 === 'Confirm your email address', `heading: ${h1}`);
		const main = await text(page, 'main');
		expect(main.includes('not confirmed'), `page says: ${main.slice(0, 200)}`);
		expect(await page.locator('.error-summary').count() === 0, 'shown as an error');
		// A node with mail sends the link again; one without says whom to ask.
		expect(await page.getByRole('button', { name: 'Send the link again' }).count() === 1 ||
			main.includes('cannot send email'), 'no way on');
	});
	await accessible(page, 'signin-unconfirmed');

	await test('the link asks for the password, refuses a wrong one, and confirms', async () => {
		await page.goto(await mailedLink(person.email, 'Confirm your email address', '/join/confirm'));
		await page.getByLabel('Password').fill('not the password');
		await page.getByRole('button', { name: 'Confirm my email address' }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), `title: ${await page.title()}`);
		expect((await text(page, '.error-summary')).includes('There is a problem'), 'no error summary');
		await accessible(page, 'confirm-error');
		await page.getByLabel('Password').fill(person.password);
		await page.getByRole('button', { name: 'Confirm my email address' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Thank you for joining', `heading: ${await text(page, 'h1')}`);
	});
	await accessible(page, 'confirmed');

	await test('a coordinator approves the confirmed request', async () => {
		const coord = await newPage();
		try {
			await signIn(coord.page, adminEmail, adminPassword);
			await coord.page.goto(`${base}/admin/members`);
			await coord.page.getByRole('button', { name: `Approve ${person.name}` }).click();
			await coord.page.waitForLoadState();
			expect((await text(coord.page, '[role=status]')).includes(person.name), 'not approved');
		} finally {
			await coord.context.close();
		}
	});

	await test('the approved member signs in', async () => {
		await signIn(page, person.email, person.password);
		expect(await page.getByRole('button', { name: 'Sign out' }).count() === 1, 'not signed in');
	});

	await test('the member downloads their data as one ZIP, and reads the privacy notice', async () => {
		await page.goto(`${base}/profile`);
		await accessible(page, 'account-profile');
		await page.getByRole('link', { name: 'Download your data' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Download your data', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'mydata');
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Download my data' }).click(),
		]);
		const zip = readFileSync(await download.path());
		expect(zip.length > 4 && zip.subarray(0, 2).toString() === 'PK', 'not a ZIP file');
		// Names in a ZIP are never compressed.
		for (const name of ['profile.json', 'registrations.csv', 'sessions.csv'])
			expect(zip.includes(Buffer.from(name)), `no ${name} in the archive`);
		await page.getByRole('main').getByRole('link', { name: 'privacy notice' }).click();
		await page.waitForLoadState();
		expect(page.url().endsWith('/privacy'), `not the privacy notice: ${page.url()}`);
		await accessible(page, 'privacy');
	});

	await test('the change of address page asks for the new address', async () => {
		await page.goto(`${base}/profile`);
		await page.getByRole('link', { name: 'Change your email address' }).click();
		await page.waitForLoadState();
		await accessible(page, 'email-change');
		expect(await page.getByLabel(/new email address/i).count() >= 1, 'no field for the new address');
	});

	// A second browser, signed in too.
	const other = await newPage();
	await signIn(other.page, person.email, person.password);

	await test('the sessions page lists both browsers and marks this one', async () => {
		await page.goto(`${base}/profile`);
		await page.getByRole('link', { name: 'See where you are signed in' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Where you are signed in', `heading: ${await text(page, 'h1')}`);
		expect(await page.getByRole('row').filter({ hasText: 'Chrome' }).count() === 2, 'not two sessions');
		expect(await page.getByText('This device').count() === 1, 'this device not marked once');
	});
	await accessible(page, 'sessions');

	await test('signing out this device from the list asks first, and going back keeps it signed in', async () => {
		await page.getByRole('row').filter({ hasText: 'This device' }).getByRole('link', { name: /^Sign out/ }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Sign out of this device?', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'session-end-confirm');
		await page.getByRole('link', { name: 'No, go back' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('button', { name: 'Sign out' }).count() >= 1, 'signed out by asking');
	});

	await test('changing the password needs the current one', async () => {
		await page.goto(`${base}/profile`);
		await page.getByRole('link', { name: 'Change your password' }).click();
		await page.waitForLoadState();
		await accessible(page, 'password');
		await page.getByLabel('Current password').fill('not my password');
		await page.getByLabel('New password', { exact: true }).fill(person.changed);
		await page.getByLabel('Type the new password again').fill(person.changed);
		await page.getByRole('button', { name: 'Change my password' }).click();
		await page.waitForLoadState();
		expect((await page.title()).startsWith('Error:'), `title: ${await page.title()}`);
		expect(await page.getByLabel('Current password').inputValue() === '', 'password sent back');
	});
	await accessible(page, 'password-error');

	await test('changing the password signs out the other browser, not this one', async () => {
		await page.getByLabel('Current password').fill(person.password);
		await page.getByLabel('New password', { exact: true }).fill(person.changed);
		await page.getByLabel('Type the new password again').fill(person.changed);
		await page.getByRole('button', { name: 'Change my password' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Your password has been changed', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'password-changed');
		expect(await signedIn(page), 'this browser was signed out');
		expect(!(await signedIn(other.page)), 'the other browser is still signed in');
	});
	await other.context.close();

	// Forgotten: a third browser asks for a reset link.
	const lost = await newPage();
	await test('a forgotten password is reset from the mailed link, and every session ends', async () => {
		const p = lost.page;
		await p.goto(`${base}/signin`);
		await p.getByRole('link', { name: 'Forgotten your password?' }).click();
		await p.waitForLoadState();
		await accessible(p, 'forgot');
		await p.getByLabel('Email address').fill(person.email);
		await p.getByRole('button', { name: 'Email me a link' }).click();
		await p.waitForLoadState();
		expect((await text(p, 'main')).includes(`If an account exists for ${person.email}`), 'reply not as expected');
		await accessible(p, 'forgot-sent');
		await p.goto(await mailedLink(person.email, 'Reset your password', '/signin/reset'));
		await accessible(p, 'reset');
		await p.getByLabel('New password', { exact: true }).fill(person.reset);
		await p.getByLabel('Type the new password again').fill(person.reset);
		await p.getByRole('button', { name: 'Save my new password' }).click();
		await p.waitForLoadState();
		expect((await text(p, 'h1')) === 'Your password has been changed', `heading: ${await text(p, 'h1')}`);
		await accessible(p, 'reset-done');
		expect(!(await signedIn(page)), 'the old session survived the reset');
		await signIn(p, person.email, person.reset);
		expect(await p.getByRole('button', { name: 'Sign out' }).count() === 1, 'new password does not sign in');
	});

	await test('signing out everywhere signs out every browser', async () => {
		await signIn(page, person.email, person.reset);
		await page.goto(`${base}/profile/sessions`);
		await page.getByRole('link', { name: 'Sign out everywhere' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'Sign out everywhere?', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'signout-everywhere-confirm');
		expect(await signedIn(page), 'asking signed this browser out');
		await page.goto(`${base}/signout/everywhere`);
		await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'h1')) === 'You have been signed out everywhere', `heading: ${await text(page, 'h1')}`);
		await accessible(page, 'signed-out-everywhere');
		expect(!(await signedIn(page)), 'this browser is still signed in');
		expect(!(await signedIn(lost.page)), 'the other browser is still signed in');
	});
	await lost.context.close();
	await home.context.close();
} catch (e) {
	fail('account', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
