// The setup pages' small behaviours; the pages' CSP allows no inline script.

// Print buttons print the page (a station's token sheet).
document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));

// A form shown again with a message is often far down a long page on a
// phone: bring the first message into view.
const refused = document.querySelector('main [role="alert"]');
if (refused) {
  refused.scrollIntoView({ block: 'center' });
}

// A link to one site (#site-12, where a post about it goes back to)
// unfolds that site's section.
const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
if (target && target.tagName === 'DETAILS') {
  target.open = true;
  if (!refused) {
    target.scrollIntoView();
  }
}
