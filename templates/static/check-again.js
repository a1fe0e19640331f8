// A registration on its way to another node: while its page says so,
// ask for the page again every few seconds and put the answer into the
// page's status message, which a screen reader reads out where it is,
// without the page reloading.  Without scripts, "Check again now" does
// the same by hand.
'use strict';

(() => {
	const status = document.getElementById('check-again');
	const link = document.getElementById('check-again-link');
	const EVERY_MS = 3000;
	const TRIES = 60;	// the page itself stops saying "sending" sooner
	let tries = 0;

	if (status === null || link === null || !window.fetch || !window.DOMParser)
		return;

	async function check() {
		let next = null, doc = null;

		try {
			const r = await fetch(location.href, { credentials: 'same-origin' });
			if (r.ok || r.status === 409) {
				doc = new DOMParser().parseFromString(await r.text(), 'text/html');
				next = doc.querySelector('main [role=status]');
			}
		} catch (e) {
			next = null;
		}
		if (next === null || next.id === 'check-again') {
			if (++tries < TRIES)
				setTimeout(check, EVERY_MS);
			return;
		}
		status.className = next.className;
		status.removeAttribute('id');
		status.replaceChildren(...next.childNodes);
		const on = next.nextElementSibling;
		if (on !== null && on.tagName === 'P')
			link.replaceWith(on);
		else
			link.remove();
		document.title = doc.title;
	}
	setTimeout(check, EVERY_MS);
})();
