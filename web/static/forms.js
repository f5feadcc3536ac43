// forms.js makes a form that makes something act once, however it is
// sent. Each such form carries a token of its own (data-form-token); the
// server acts on a token once and leads a second sending to the first
// one's answer. Two ways of sending twice need help from the page:
//   - a double tap: the button is disabled once the form is on its way;
//   - going back to the form and sending it again: the page comes back
//     from the server with a fresh token, so the token the form was sent
//     with is kept in this tab's sessionStorage and put back when the page
//     is reached by going back or forward.
(function () {
  "use strict";
  var prefix = "frontline.form:";

  function key(form, i) {
    return prefix + (form.getAttribute("action") || location.pathname) + "#" + i;
  }
  function tokened() {
    var out = [];
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var input = forms[i].querySelector("input[data-form-token]");
      if (input) {
        out.push({ form: forms[i], input: input, key: key(forms[i], out.length) });
      }
    }
    return out;
  }
  function wentBack() {
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    return nav && nav.type === "back_forward";
  }

  function restore(persisted) {
    var back = persisted || wentBack();
    tokened().forEach(function (f) {
      var buttons = f.form.querySelectorAll("button[type=submit], button:not([type])");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = false;
      }
      if (!back) {
        return;
      }
      try {
        var sent = sessionStorage.getItem(f.key);
        if (sent) {
          f.input.value = sent;
        }
      } catch (e) { /* storage off: the server still stops a double tap */ }
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var input = form.querySelector && form.querySelector("input[data-form-token]");
    if (!input || ev.defaultPrevented) {
      return;
    }
    tokened().forEach(function (f) {
      if (f.form === form) {
        try {
          sessionStorage.setItem(f.key, input.value);
        } catch (e) { /* see above */ }
      }
    });
    // The button goes quiet once the form is on its way; a second tap
    // would only send the same token again.
    setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
      }
    }, 0);
  });
  window.addEventListener("pageshow", function (ev) { restore(ev.persisted); });
})();
