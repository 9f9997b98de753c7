// OC Pizza staff boards (kitchen and deliveries): signal the orders that appeared since the last look.
//
// A board is an element with data-live-board that HTMX replaces every 5 s (hx-swap="outerHTML"); each
// order in it carries data-order-number. After every swap, and on page load, the numbers are compared with
// those seen before in this tab on this board of this restaurant (sessionStorage, so the page reload after
// tapping "Start" still notices an order that arrived meanwhile): new ones are highlighted for a minute and,
// where the page has an <audio data-new-order-sound>, a sound plays. The sound switch (data-sound-toggle) is remembered in
// localStorage. Loaded with `defer`; no inline script anywhere (the Content Security Policy forbids them).
(function () {
  "use strict";

  const SOUND_KEY = "ocpizza.kitchen.sound"; // "off" once the user turned the sound off
  const HIGHLIGHT_MS = 60 * 1000;

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled: the board still works, without memory
    }
  }

  function stateKey(board) {
    return "ocpizza.board." + board.dataset.liveBoard;
  }

  function readState(board) {
    const store = storage("sessionStorage");
    try {
      const raw = store && store.getItem(stateKey(board));
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null;
    }
  }

  function writeState(board, state) {
    const store = storage("sessionStorage");
    try {
      if (store) store.setItem(stateKey(board), JSON.stringify(state));
    } catch (error) {
      // quota or privacy mode: nothing to remember
    }
  }

  function orderNumbers(board) {
    return Array.from(board.querySelectorAll("[data-order-number]"), function (element) {
      return element.dataset.orderNumber;
    });
  }

  // ---------- Sound ----------

  function soundWanted() {
    const store = storage("localStorage");
    return !store || store.getItem(SOUND_KEY) !== "off";
  }

  function toggleButton() {
    return document.querySelector("[data-sound-toggle]");
  }

  function showToggle(state) {
    const button = toggleButton();
    if (!button) return;
    button.hidden = false;
    button.dataset.state = state;
    button.setAttribute("aria-pressed", state === "off" ? "false" : "true");
    const labels = { on: button.dataset.labelOn, off: button.dataset.labelOff, blocked: button.dataset.labelBlocked };
    button.textContent = labels[state] || labels.on;
  }

  function ring() {
    const audio = document.querySelector("audio[data-new-order-sound]");
    if (!audio || !soundWanted()) return;
    audio.currentTime = 0;
    const playing = audio.play();
    if (playing && typeof playing.catch === "function") {
      // The browser refuses sound until someone has touched the page: say so on the switch.
      playing.catch(function () {
        showToggle("blocked");
      });
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-sound-toggle]");
    if (!button) return;
    const store = storage("localStorage");
    const audio = document.querySelector("audio[data-new-order-sound]");
    if (button.dataset.state === "on") {
      if (store) store.setItem(SOUND_KEY, "off");
      showToggle("off");
      return;
    }
    if (store) store.removeItem(SOUND_KEY);
    showToggle("on");
    // A tap is what browsers wait for before allowing sound: play it once, so the next new order rings.
    if (audio) {
      audio.currentTime = 0;
      const playing = audio.play();
      if (playing && typeof playing.catch === "function") playing.catch(function () {});
    }
  });

  // ---------- New orders ----------

  function refresh(board) {
    const now = Date.now();
    const current = orderNumbers(board);
    const previous = readState(board);
    const fresh = {};
    let arrived = 0;
    current.forEach(function (number) {
      if (previous === null) return; // first look in this tab: nothing is "new"
      if (previous.seen.indexOf(number) === -1) {
        fresh[number] = now;
        arrived += 1;
      } else if (previous.fresh[number] && now - previous.fresh[number] < HIGHLIGHT_MS) {
        fresh[number] = previous.fresh[number];
      }
    });
    board.querySelectorAll("[data-order-number]").forEach(function (element) {
      element.classList.toggle("is-new", Object.prototype.hasOwnProperty.call(fresh, element.dataset.orderNumber));
    });
    writeState(board, { seen: current, fresh: fresh });
    if (arrived > 0) ring();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    const board = event.target.closest && event.target.closest("[data-live-board]");
    if (board) refresh(board);
  });

  // ---------- Printing a ticket ----------

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  function start() {
    document.querySelectorAll("[data-live-board]").forEach(refresh);
    if (document.querySelector("audio[data-new-order-sound]")) showToggle(soundWanted() ? "on" : "off");
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
