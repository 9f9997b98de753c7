// OC Pizza: small enhancements on top of pages that work without JavaScript.
// Loaded with `defer` from base.html; no inline script anywhere (the Content Security Policy forbids them).
(function () {
  "use strict";

  // Menus are <details> elements: close them on Escape, on a click outside, and after following a link.
  const menus = () => document.querySelectorAll("details.dropdown[open], details.mobile-menu[open]");

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      menu.open = false;
      const summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      const inside = menu.contains(event.target);
      if (!inside || event.target.closest("a")) menu.open = false;
    });
  });

  // Live fragments refreshed by HTMX (the order's status, the staff boards) keep the keyboard focus where
  // it was: htmx gives it back to the element of the same id; when that element is gone (a link the new
  // status no longer offers), the fragment itself takes it, rather than the top of the page.
  let focusedFragment = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    const active = document.activeElement;
    const inside = target && target.id && active && active !== document.body && target.contains(active);
    focusedFragment = inside ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    const id = focusedFragment;
    focusedFragment = null;
    if (!id || (document.activeElement && document.activeElement !== document.body)) return;
    const fragment = document.getElementById(id);
    if (!fragment) return;
    if (!fragment.hasAttribute("tabindex")) fragment.setAttribute("tabindex", "-1");
    fragment.focus({ preventScroll: true });
  });

  // An element with `data-announce` (and an id) is read out by the page's polite live region
  // (#live-announcer, base.html) when its text changes after a refresh; the first one is the page's own.
  const announced = {};
  function announce() {
    const region = document.getElementById("live-announcer");
    document.querySelectorAll("[data-announce][id]").forEach(function (element) {
      const text = element.getAttribute("data-announce");
      if (region && element.id in announced && announced[element.id] !== text) region.textContent = text;
      announced[element.id] = text;
    });
  }
  announce();
  document.addEventListener("htmx:afterSettle", announce);
})();
