// casetrail's own page behaviour. No inline script or on*= handler anywhere: the
// Content-Security-Policy allows scripts from our static files only (docs/decisions/0005-content-security-policy.md).
"use strict";

// A <select data-submit-on-change> submits its form when changed (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
    target.form?.submit();
  }
});
