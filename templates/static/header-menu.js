// The header's Menu button on a phone: the sections and account links
// fold away behind it, and it opens and closes them.  Without scripts
// the button is not shown and the links stay in view below the header.
'use strict';

(() => {
	const header = document.getElementById('header');
	const button = document.getElementById('menu-toggle');
	const menu = document.getElementById('header-menu');

	if (header === null || button === null || menu === null)
		return;

	function show(open) {
		button.setAttribute('aria-expanded', open ? 'true' : 'false');
		menu.classList.toggle('header__menu--open', open);
	}

	header.classList.add('header--js');
	show(false);
	button.addEventListener('click', () => {
		show(button.getAttribute('aria-expanded') !== 'true');
	});
	// Escape, on the button or in the menu, closes it and puts focus back
	// on the button.
	header.addEventListener('keydown', (e) => {
		if (e.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
			show(false);
			button.focus();
		}
	});
})();
