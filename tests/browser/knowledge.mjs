// The knowledge journey in headless Chromium: a coordinator adds an
// evaluation in steps (details and the outcomes measured, then what it
// found for those, then check answers, with a mistake first and a
// Change on the way), attaches its report, corrects it from the check
// page and compares the two revisions, and a visitor reads the evidence
// summary (its chart labels readable on a phone) and filters the list;
// a member writes a library document with its address made from the
// title and a preview, edits it and restores the first revision; a
// glossary term is found by one of its other names; the coordinator
// opens the network pages.  Every page visited is checked with axe-core
// at desktop and phone widths, and table cells on a phone name their
// column.
//
// Environment as for journey.mjs.  Prints "N passed, N failed" last.

import { base, adminEmail, adminPassword, test, expect, text, accessible,
	newPage, signIn, fail, finish, widths } from './lib.mjs';

const stamp = Date.now().toString(36);
const study = {
	title: `Connecting Communities evaluation ${stamp}`,
	scheme: 'Connecting Communities link workers',
	area: 'Wigan',
	summary: 'A before and after study of 312 people referred by their GP practice.\n\nWellbeing rose and loneliness fell.',
};
const doc = {
	title: `Referral checklist ${stamp}`,
	slug: `referral-checklist-${stamp}`,	// made from the title
	first: 'Before referring, ask **what matters** to the person.',
	second: 'Before referring, check the person agrees to be contacted.',
};
// At phone width, the column name every card cell of the first table on
// page shows above its value (the ::before the stylesheet draws).
async function cardLabels(page) {
	await page.setViewportSize(widths.phone);
	const labels = await page.evaluate(() => [...document.querySelectorAll('main table.table--responsive td[data-label]')]
		.filter(td => td.offsetParent !== null)
		.map(td => [td.dataset.label, getComputedStyle(td, '::before').content]));
	await page.setViewportSize(widths.desktop);
	return labels;
}

// The smallest file that is a PDF from its first bytes to its last.
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

try {
	// The evidence summary, over the demo evaluations loaded into this node.
	let evaluationsBefore = 0;
	const reader = await newPage();
	await test('the evidence summary shows each chart with its figures in a table', async () => {
		const p = reader.page;
		const res = await p.goto(`${base}/evidence/summary`);
		expect(res.status() === 200, `status ${res.status()}`);
		expect(await p.locator('main svg[role="img"]').count() === 3, 'not three charts');
		expect(await p.getByRole('table', { name: /What evaluations found, by outcome/ }).count() === 1,
			'no table named for the outcome chart');
		const cell = p.getByRole('link', { name: '1 (A&E attendance, Worse)' });
		expect(await cell.count() === 1, 'no link for the one worse A&E finding');
		await cell.click();
		await p.waitForLoadState();
		expect(new URL(p.url()).search === '?outcome=ae_attendance&direction=worse', `went to ${p.url()}`);
		await p.goto(`${base}/evidence/summary`);
		evaluationsBefore = Number(await text(p, '.stat__figure'));
	});
	await test('on a phone the chart labels are at least 12 pixels and table cells name their column', async () => {
		const p = reader.page;
		await p.setViewportSize(widths.phone);
		const sizes = await p.evaluate(() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
			const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
			return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
		}));
		await p.setViewportSize(widths.desktop);
		expect(sizes.length > 0, 'no chart text');
		const smallest = Math.min(...sizes);
		expect(smallest >= 12, `a chart label is ${smallest.toFixed(1)}px on a phone`);
		const labels = await cardLabels(p);
		expect(labels.length > 0 && labels.every(([name, shown]) => shown.includes(name)),
			`cells without their column name: ${JSON.stringify(labels.slice(0, 3))}`);
	});
	await accessible(reader.page, 'evidence-summary');
	await reader.context.close();

	const coord = await newPage();
	const page = coord.page;
	await signIn(page, adminEmail, adminPassword);
	let evaluationUrl = '';

	await test('an evaluation form sent empty says what is missing', async () => {
		await page.goto(`${base}/evidence`);
		await accessible(page, 'evidence-list');
		await page.getByRole('link', { name: 'Add an evaluation' }).click();
		await page.waitForLoadState();
		await accessible(page, 'evaluation-new');
		expect(await text(page, 'h1') === 'About the evaluation', 'not the first step');
		expect(await page.locator('#wellbeing_direction').count() === 0, 'findings asked before the outcomes');
		await page.locator('#region').selectOption('');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		const summary = await text(page, '.error-summary');
		expect(summary.includes("Enter the evaluation's title"), `summary: ${summary}`);
		expect(summary.includes('Select a study design'), `summary: ${summary}`);
		expect((await page.title()).startsWith('Error: '), 'title does not say there is an error');
		await accessible(page, 'evaluation-errors');
	});

	await test('a coordinator adds an evaluation and reads what it found', async () => {
		await page.getByLabel('Title').fill(study.title);
		await page.getByLabel('Scheme (optional)').fill(study.scheme);
		await page.getByLabel('Area (optional)').fill(study.area);
		await page.locator('#region').selectOption('North West');
		await page.getByLabel('Year published').fill('2024');
		await page.getByLabel('Study design').selectOption('before_after');
		await page.getByLabel('Number of participants (optional)').fill('312');
		await page.getByLabel('Follow-up period in months (optional)').fill('6');
		await page.getByLabel('Summary', { exact: true }).fill(study.summary);
		await page.getByRole('checkbox', { name: 'Wellbeing' }).check();
		await page.getByRole('checkbox', { name: 'Loneliness' }).check();
		await page.getByRole('checkbox', { name: 'GP consultations' }).check();
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect(await text(page, 'h1') === 'What did the evaluation find?', 'not the findings step');
		expect(await page.locator('fieldset.outcome-fieldset').count() === 3, 'not only the three outcomes chosen');
		await accessible(page, 'evaluation-findings');
		await page.getByRole('group', { name: 'Wellbeing', exact: true }).getByRole('radio', { name: 'Improved' }).check();
		await page.locator('#wellbeing_measure').fill('WEMWBS');
		await page.locator('#wellbeing_figure').fill('+3.8 points');
		await page.getByRole('group', { name: 'Loneliness', exact: true }).getByRole('radio', { name: 'Improved' }).check();
		await page.locator('#loneliness_measure').fill('UCLA 3-item');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.error-summary')).includes('GP consultations: select what the evaluation found'),
			'a chosen outcome without a finding was let through');
		await page.getByRole('group', { name: 'GP consultations', exact: true }).getByRole('radio', { name: 'No change' }).check();
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect(await text(page, 'h1') === 'Check your answers before saving', 'not the check page');
		expect((await text(page, '.summary-list')).includes('Improved. Measure: WEMWBS. Result: +3.8 points'), 'findings not on the check page');
		await accessible(page, 'evaluation-check');
		// Change an answer: back to its step, the rest kept.
		await page.getByRole('button', { name: 'Change Area' }).click();
		await page.waitForLoadState();
		expect(await page.getByLabel('Area (optional)').inputValue() === study.area, 'area not kept');
		expect(await page.getByRole('checkbox', { name: 'Wellbeing' }).isChecked(), 'outcome not kept');
		await page.getByLabel('Area (optional)').fill('Wigan and Leigh');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect(await page.locator('#wellbeing_measure').inputValue() === 'WEMWBS', 'finding not kept through the change');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.summary-list')).includes('Wigan and Leigh'), 'changed area not on the check page');
		await page.getByRole('button', { name: 'Save the evaluation' }).click();
		await page.waitForLoadState();
		evaluationUrl = page.url();
		expect(/\/evidence\/[0-9a-f-]{36}$/.test(evaluationUrl), `went to ${evaluationUrl}`);
		expect(await text(page, 'h1') === study.title, 'title not shown');
		const found = await text(page, 'table');
		expect(found.includes('WEMWBS') && found.includes('+3.8 points'), `outcomes: ${found}`);
		expect(found.includes('No change'), `outcomes: ${found}`);
		await accessible(page, 'evaluation');
	});

	await test('the report is attached as a PDF and listed with its hash', async () => {
		await page.getByRole('link', { name: 'Attach or remove reports' }).click();
		await page.waitForLoadState();
		await accessible(page, 'evaluation-files');
		await page.getByLabel('Report (PDF)').setInputFiles({ name: 'connecting-communities.pdf', mimeType: 'application/pdf', buffer: pdf });
		await page.getByRole('button', { name: 'Attach the report' }).click();
		await page.waitForLoadState();
		expect(await page.getByRole('link', { name: 'connecting-communities.pdf' }).count() === 1, 'report not listed');
		await page.getByLabel('Report (PDF)').setInputFiles({ name: 'not-a-report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>hello</html>') });
		await page.getByRole('button', { name: 'Attach the report' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.error-summary')).includes('The file must be a PDF'), 'a non-PDF was not refused');
		await accessible(page, 'evaluation-files-error');
	});

	await test('a correction makes a second revision, and the two compare field by field', async () => {
		await page.goto(`${evaluationUrl}/edit`);
		expect(await text(page, 'h1') === 'Check your answers before saving', 'an edit does not start at check answers');
		await accessible(page, 'evaluation-edit');
		await page.getByRole('button', { name: 'Change Number of participants' }).click();
		await page.waitForLoadState();
		await page.getByLabel('Number of participants (optional)').fill('298');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.waitForLoadState();
		await page.getByLabel('Summary of your changes (optional)').fill('Participants who completed follow-up');
		await page.getByRole('button', { name: 'Save your changes' }).click();
		await page.waitForLoadState();
		expect((await text(page, 'main')).includes('298 participants'), 'new sample size not shown');
		await page.getByRole('link', { name: 'History of changes' }).click();
		await page.waitForLoadState();
		await accessible(page, 'evaluation-history');
		expect((await text(page, 'table')).includes('Participants who completed follow-up'), 'change summary not in history');
		const labels = await cardLabels(page);
		expect(labels.some(([name, shown]) => name === 'Author' && shown.includes('Author')), `history cells: ${JSON.stringify(labels)}`);
		await page.getByRole('button', { name: 'Compare' }).click();
		await page.waitForLoadState();
		await accessible(page, 'evaluation-compare');
		const rows = await page.locator('tr.compare-fields__row--changed').allInnerTexts();
		expect(rows.length === 1 && rows[0].includes('312') && rows[0].includes('298'), `changed rows: ${rows.join(' / ')}`);
		expect((await text(page, 'main')).includes('1 field changed: Participants.'), 'the changed field is not named');
		const colours = await page.evaluate(() => [...document.querySelectorAll('td.compare-fields__value--del, td.compare-fields__value--add')]
			.map(td => getComputedStyle(td).backgroundColor));
		expect(colours.length === 2 && colours.every(c => c !== 'rgb(255, 255, 255)'), `changed cells: ${colours.join(', ')}`);
		expect(await page.locator('del').count() === 1 && await page.locator('ins').count() === 1, 'no <del> and <ins>');
		await page.getByRole('link', { name: 'Hide unchanged fields' }).click();
		await page.waitForLoadState();
		expect(await page.locator('tbody tr').count() === 1, 'unchanged fields still shown');
		await accessible(page, 'evaluation-compare-changed');
	});

	const visitor = await newPage();
	await test('the summary counts the new evaluation', async () => {
		const v = visitor.page;
		await v.goto(`${base}/evidence/summary`);
		const now = Number(await text(v, '.stat__figure'));
		expect(now === evaluationsBefore + 1, `${now} evaluations, ${evaluationsBefore} before`);
		const tables = await v.locator('table').allInnerTexts();
		expect(tables.some(t => t.includes('Wellbeing')), 'no table with the wellbeing outcome');
		expect(tables.some(t => t.includes('Before and after')), 'no table by study design');
	});
	await test('the evidence list filters by outcome and finding', async () => {
		const v = visitor.page;
		await v.goto(`${base}/evidence`);
		await v.setViewportSize(widths.phone);
		const folded = await v.getByLabel('Outcome measured').isVisible();
		await v.setViewportSize(widths.desktop);
		expect(!folded, 'the filters are not folded away');
		await v.getByText('Filter results').click();
		await v.getByLabel('Outcome measured').selectOption('gp_consultations');
		await v.getByLabel('Finding').selectOption('no_change');
		await v.getByRole('button', { name: 'Show evaluations' }).click();
		await v.waitForLoadState();
		expect(await v.getByRole('link', { name: study.title }).count() === 1, 'not found by outcome and finding');
		const summary = await text(v, '.filter-summary');
		expect(/Showing \d+ evaluations?: outcome GP consultations, finding No change/.test(summary), `summary: ${summary}`);
		expect(await v.getByRole('link', { name: 'Clear filters' }).count() === 1, 'no Clear filters');
		await accessible(v, 'evidence-filtered');
		await v.getByRole('link', { name: 'Remove filter: finding No change' }).click();
		await v.waitForLoadState();
		expect(new URL(v.url()).search === '?outcome=gp_consultations', `removing one filter went to ${v.url()}`);
		await v.getByText('Filter results').click();
		await v.getByLabel('Finding').selectOption('worse');
		await v.getByRole('button', { name: 'Show evaluations' }).click();
		await v.waitForLoadState();
		expect(await v.getByRole('link', { name: study.title }).count() === 0, 'shown for a finding it does not have');
	});
	await visitor.context.close();

	await test('a document is written, edited, and its first revision restored', async () => {
		await page.goto(`${base}/library`);
		await accessible(page, 'library');
		await page.getByRole('link', { name: 'Write a new document' }).click();
		await page.waitForLoadState();
		await accessible(page, 'document-new');
		await page.getByLabel('Title').fill(doc.title);
		await page.getByLabel('Category').selectOption('guide');
		await page.getByLabel('Text').fill(doc.first);
		await page.getByRole('button', { name: 'Preview' }).click();
		await page.waitForLoadState();
		expect(await page.locator('.preview strong').innerText() === 'what matters', 'the preview is not rendered');
		expect(await page.getByLabel('Web address (optional)').inputValue() === doc.slug, 'the address is not made from the title');
		await accessible(page, 'document-preview');
		await page.getByRole('button', { name: 'Save the document' }).click();
		await page.waitForLoadState();
		expect(new URL(page.url()).pathname === `/library/${doc.slug}`, `saved at ${page.url()}`);
		expect((await text(page, '.document')).includes('what matters'), 'first text not shown');
		await accessible(page, 'document');
		await page.getByRole('link', { name: 'Edit this document' }).click();
		await page.waitForLoadState();
		await page.getByLabel('Text').fill(doc.second);
		await page.getByLabel('Summary of your changes (optional)').fill('Consent first');
		await page.getByRole('button', { name: 'Save your changes' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.document')).includes('agrees to be contacted'), 'second text not shown');
		await page.getByRole('link', { name: 'History of changes' }).click();
		await page.waitForLoadState();
		await accessible(page, 'document-history');
		await page.getByRole('button', { name: 'Restore revision 1' }).click();
		await page.waitForLoadState();
		const current = await text(page, 'tbody tr');
		expect(current.includes('3') && current.includes('(current)'), `newest revision: ${current}`);
		await page.getByRole('link', { name: 'Back to the document' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.document')).includes('what matters'), 'restored text not shown');
		expect((await text(page, 'main')).includes('Revision 3'), 'restore did not make revision 3');
	});

	await test('a glossary term is found by one of its other names', async () => {
		await page.goto(`${base}/glossary/new`);
		await accessible(page, 'glossary-new');
		await page.getByLabel('Term').fill(`Link worker ${stamp}`);
		await page.getByLabel('What it means, in plain English').fill('Someone who helps a person find local groups and services.');
		await page.getByLabel('Other names (optional)').fill(`care navigator${stamp}, community connector`);
		await page.getByRole('button', { name: /Save/ }).click();
		await page.waitForLoadState();
		await page.goto(`${base}/search?q=${encodeURIComponent('navigator' + stamp)}`);
		await accessible(page, 'search');
		expect(await page.getByRole('link', { name: `Link worker ${stamp}` }).count() >= 1, 'term not found by its other name');
	});

	await test('a coordinator finds the network pages, and a mistyped peer keeps what was typed', async () => {
		await page.goto(`${base}/`);
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage' }).click();
		await page.waitForLoadState();
		await page.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Network' }).click();
		await page.waitForLoadState();
		expect(await text(page, 'h1') === 'Sync with peers', 'not the sync page');
		await accessible(page, 'sync');
		await page.getByRole('link', { name: 'Add or remove peers' }).click();
		await page.waitForLoadState();
		await accessible(page, 'peers');
		await page.getByLabel('Address of the peer').fill('https://london.example.org');
		await page.getByLabel('Fingerprint of its key').fill('AB:CD');
		await page.getByLabel('This peer is a hub that vouches for other nodes').check();
		await page.getByRole('button', { name: 'Check peer' }).click();
		await page.waitForLoadState();
		expect((await text(page, '.error-summary')).includes('Enter the fingerprint as 64 characters'), 'no fingerprint error');
		expect(await page.getByLabel('Address of the peer').inputValue() === 'https://london.example.org', 'address not kept');
		expect(await page.getByLabel('This peer is a hub that vouches for other nodes').isChecked(), 'hub not kept');
		await accessible(page, 'peers-errors');
	});
	await coord.context.close();
} catch (e) {
	fail('knowledge journey', e && e.message ? e.message.split('\n')[0] : String(e));
}
await finish();
