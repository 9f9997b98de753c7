// OC Pizza: the price of a product as configured, updated as extras are ticked (the website's menu cards and
// the counter's products share the modifier choices). Without JavaScript the card shows the base price and
// the cart shows the price with the extras. Prices come in cents from data attributes: the card's
// [data-base-cents], each extra's [data-extra-cents]; they are written as the page writes prices
// (restaurant_extras.euros): "13,50 €" in French, "13.50 €" in English.
(function () {
  "use strict";

  const format = new Intl.NumberFormat(document.documentElement.lang || "fr", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    useGrouping: false,
  });

  function update(card) {
    const price = card.querySelector("[data-base-cents]");
    if (!price) return;
    let cents = parseInt(price.dataset.baseCents, 10);
    card.querySelectorAll("input[data-extra-cents]:checked").forEach(function (extra) {
      cents += parseInt(extra.dataset.extraCents, 10);
    });
    if (Number.isNaN(cents)) return;
    price.textContent = format.format(cents / 100) + "\u00a0€";
  }

  // Delegated: the menu is cached HTML and the counter's lists are swapped by htmx.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[data-extra-cents]")) return;
    const card = input.closest("article");
    if (card) update(card);
  });

  // A page restored from the back-forward cache keeps its ticked boxes: show their price.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("article").forEach(function (card) {
      if (card.querySelector("input[data-extra-cents]:checked")) update(card);
    });
  });
})();
