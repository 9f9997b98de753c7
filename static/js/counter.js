// OC Pizza counter screen: a "copy" button for the tracking link given to the customer.
// The link is a read-only field anyone can select by hand; the button appears only where the browser can copy.
(function () {
  "use strict";

  function setUp() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      const field = document.querySelector(button.dataset.copy);
      if (!field || !navigator.clipboard) return;
      const label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = button.dataset.copied || label;
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
    document.querySelectorAll(".counter-copy__input").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
