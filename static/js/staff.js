// OC Pizza staff screens: the compact bar's clock and connection state, and the messages the boards' actions
// send back. Loaded with `defer` by staff/base.html on every staff screen; no inline script anywhere (the
// Content Security Policy forbids them). window.OCStaff lets the boards' script (kitchen.js) use them.
(function () {
  "use strict";

  // ---------- Clock: the server's time at load, moved on by the tablet's clock, read in the restaurant's
  // time zone (data-time-zone), whatever zone the device is set to ----------
  const clock = document.querySelector("[data-staff-clock]");
  let offset = 0; // server time minus this device's time, in ms
  let format = null;
  if (clock) {
    const server = Date.parse(clock.getAttribute("datetime"));
    if (!Number.isNaN(server)) offset = server - Date.now();
    try {
      format = new Intl.DateTimeFormat("fr-FR", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: clock.dataset.timeZone || undefined,
      });
    } catch (error) {
      format = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
  }

  function tick() {
    if (!clock) return;
    clock.textContent = format.format(new Date(Date.now() + offset));
  }

  // ---------- Connection state of the live boards ----------
  const connection = document.querySelector("[data-connection]");
  let failures = 0;

  function setConnection(state) {
    if (!connection) return;
    connection.hidden = false;
    if (connection.dataset.state === state) return;
    connection.dataset.state = state;
    connection.textContent = state === "live" ? connection.dataset.labelLive : connection.dataset.labelLost;
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 0 || xhr.status >= 500) {
      failures += 1;
      if (failures >= 1) setConnection("lost");
    } else {
      failures = 0;
      setConnection("live");
    }
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () {
      failures += 1;
      setConnection("lost");
    });
  });
  window.addEventListener("offline", function () {
    setConnection("lost");
  });

  // ---------- Messages (the region is polite: screen readers read them without moving the focus) ----------
  const region = document.querySelector("[data-staff-messages]");

  function message(level, text) {
    if (!region || !text) return;
    const line = document.createElement("p");
    line.className = "message message--" + (level || "info");
    line.textContent = text;
    region.replaceChildren(line);
  }

  document.body.addEventListener("staff-message", function (event) {
    message(event.detail.level, event.detail.text);
  });

  window.OCStaff = {
    message: message,
    connection: setConnection,
    serverNow: function () {
      return Date.now() + offset;
    },
  };

  function start() {
    tick();
    window.setInterval(tick, 10 * 1000);
    if (document.querySelector("[data-live-board]")) setConnection(navigator.onLine === false ? "lost" : "live");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
