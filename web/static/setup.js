// The setup pages' print buttons: the page's CSP allows no inline script.
document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
