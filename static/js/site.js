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
})();
