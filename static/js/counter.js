// OC Pizza counter screen: a "copy" button for the tracking link given to the customer, and on the list of the
// day (data-counter-keys) its keys: N for a new order, 1 to 9 to select an order, the up and down arrows to move
// between orders (Enter then hands it over, or opens it). U and Esc (undo) are kitchen.js's, on every screen
// with an undo bar. The link is a read-only field anyone can select by hand; the button appears only where the
// browser can copy.
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

  // ---------- The list's keys ----------

  function orders() {
    return Array.from(document.querySelectorAll("#counter-orders [data-board-part='orders'] > [data-key]"));
  }

  // An order's first action: its hand-over when it is a ready pick-up, else the link to its page.
  function select(order) {
    if (!order) return false;
    const target = order.querySelector(".counter-hand-over button") || order.querySelector(".counter-order__number");
    if (target) target.focus();
    return Boolean(target);
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-counter-keys]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable], summary")) return;
    const key = event.key;
    if (key === "n" || key === "N") {
      const link = document.querySelector("[data-counter-new]");
      if (link) {
        event.preventDefault();
        link.click();
      }
    } else if (/^[1-9]$/.test(key)) {
      if (select(orders()[Number(key) - 1])) event.preventDefault();
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      const all = orders();
      const current = all.indexOf(document.activeElement && document.activeElement.closest("[data-key]"));
      const next = current === -1 ? 0 : current + (key === "ArrowDown" ? 1 : -1);
      if (select(all[next])) event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
