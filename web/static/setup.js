// The setup pages' small behaviours; the pages' CSP allows no inline script.

// Print buttons print the page (a station's token sheet).
document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));

// A form shown again with a message is often far down a long page on a
// phone: bring the first message into view.
const refused = document.querySelector('main [role="alert"]');
if (refused) {
  refused.scrollIntoView({ block: 'center' });
}
