// Lindung's few behaviours, kept out of the pages: the Content-Security-Policy allows scripts from
// this site only (no inline scripts, no inline event handlers).
(function () {
  "use strict";

  // The menu button of narrow screens shows and hides the main navigation.
  document.addEventListener("click", function (event) {
    var toggle = event.target && event.target.closest ? event.target.closest(".nav-toggle") : null;
    if (!toggle) {
      return;
    }
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (nav) {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // A table that scrolls inside its own box (narrow screens) can be scrolled from the keyboard.
  function focusableScrollers() {
    var boxes = document.querySelectorAll(".table, .scroll-x");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSwap", focusableScrollers);

  // <select data-autosubmit> submits its form when the choice changes (language switch, filters).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  // A form that comes back with errors keeps what was typed (the server renders it bound) and
  // puts the focus on the first field in error, so the user can correct it at once.
  function focusFirstError() {
    var field = document.querySelector("form [aria-invalid='true'], form .errorlist + input, form .errorlist + select, form .errorlist + textarea");
    if (!field) {
      var list = document.querySelector("form .errorlist");
      var holder = list && list.closest("p, div, li, td, fieldset");
      field = holder && holder.querySelector("input:not([type=hidden]), select, textarea");
    }
    if (field && typeof field.focus === "function") {
      field.focus();
      if (field.scrollIntoView) {
        field.scrollIntoView({ block: "center" });
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
