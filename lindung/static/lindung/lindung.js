// Lindung's few behaviours, kept out of the pages: the Content-Security-Policy allows scripts from
// this site only (no inline scripts, no inline event handlers).
(function () {
  "use strict";

  // <select data-autosubmit> submits its form when the choice changes (language switch, filters).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
