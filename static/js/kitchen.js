// OC Pizza live boards (the kitchen display, the pass, the deliveries): update only what changed, keep the
// focus, announce new and late orders, age the tickets between polls; the actions without a page load
// (forms with data-kitchen-action) and the undo window of the irreversible ones (data-undo: a ticket's bump,
// a delivery or a trip of several taken, a delivery handed over, a pick-up handed over or an order
// cancelled at the counter); on the kitchen display only (data-bump-keys), the bump bar's keys. Loaded with `defer`; no inline script (the
// Content Security Policy forbids them). Without it, the boards still work: HTMX swaps them whole and every
// action is a plain form.
//
// A board is an element with data-live-board that HTMX polls (hx-get, hx-trigger="every Ns"). Its poll sends
// the version it shows (X-Board-Version): the server answers 204 when nothing changed, and HTMX swaps nothing.
// Otherwise this script takes the new board instead of HTMX: each part (data-board-part) is compared, and in a
// keyed part (children with data-key) only the children whose data-version changed are replaced, unless a
// ticket is being acted on (data-pending). The element that had the focus is found again by its
// data-focus-key. New orders (data-order-number not seen before in this tab) flash for a minute, ring (where
// the page has <audio data-new-order-sound>) and are announced in [data-board-announcer] (aria-live=polite).
// A poll sent before an action and answered after it is dropped: it would show the board from before.
//
// The undo window lasts the undo bar's data-undo-ms (settings.STAFF_UNDO_MS). The bar says where it is in
// data-state ("idle", "waiting", "sending", "sent", "cancelled", "failed") and each change is also a
// "staff-undo" event on the document: tests and assistive code wait on states, never on time.
(function () {
  "use strict";

  const SOUND_KEY = "ocpizza.kitchen.sound"; // "off" once the user turned the sound off
  const HIGHLIGHT_MS = 60 * 1000;
  const UNDO_MS = 5000; // when the bar does not say (data-undo-ms)
  const AGE_EVERY_MS = 15 * 1000;

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled: the board still works, without memory
    }
  }

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  function staff() {
    return window.OCStaff || { message: function () {}, connection: function () {} };
  }

  // ---------- Sound ----------

  function soundWanted() {
    const store = storage("localStorage");
    return !store || store.getItem(SOUND_KEY) !== "off";
  }

  function showToggle(state) {
    const button = document.querySelector("[data-sound-toggle]");
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

  // ---------- Full screen ----------

  function showFullscreen() {
    const button = document.querySelector("[data-fullscreen]");
    if (!button || !document.documentElement.requestFullscreen) return;
    button.hidden = false;
    button.textContent = document.fullscreenElement ? button.dataset.labelLeave : button.dataset.labelEnter;
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-fullscreen]")) return;
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });
  document.addEventListener("fullscreenchange", showFullscreen);

  // ---------- New orders: flash, ring, announce ----------

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

  function announce(texts) {
    const announcer = document.querySelector("[data-board-announcer]");
    if (!announcer || !texts.length) return;
    // A polite live region reads what is put in it; clearing it first makes a repeated text heard again.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = texts.join(" ");
    }, 50);
  }

  function noticeNewOrders(board) {
    const now = Date.now();
    const current = Array.from(board.querySelectorAll("[data-order-number]"), function (element) {
      return element.dataset.orderNumber;
    });
    const previous = readState(board);
    const fresh = {};
    const arrived = [];
    current.forEach(function (number) {
      if (previous === null) return; // first look in this tab: nothing is "new"
      if (previous.seen.indexOf(number) === -1) {
        fresh[number] = now;
        arrived.push(number);
      } else if (previous.fresh[number] && now - previous.fresh[number] < HIGHLIGHT_MS) {
        fresh[number] = previous.fresh[number];
      }
    });
    board.querySelectorAll("[data-order-number]").forEach(function (element) {
      element.classList.toggle("is-new", Object.prototype.hasOwnProperty.call(fresh, element.dataset.orderNumber));
    });
    writeState(board, { seen: current, fresh: fresh });
    if (arrived.length) {
      ring();
      const announcer = document.querySelector("[data-board-announcer]");
      if (announcer) {
        announce(arrived.map(function (number) {
          return format(announcer.dataset.newOne, { number: number });
        }));
      }
    }
  }

  // ---------- Ageing between polls ----------

  let clockOffset = 0; // the server's time minus this device's, read from the board's data-now

  function readClock(board) {
    const now = Number(board.dataset.now);
    if (now) clockOffset = now * 1000 - Date.now();
  }

  function age(board) {
    if (!board.dataset.soon) return;
    const soon = Number(board.dataset.soon);
    const now = Date.now() + clockOffset;
    const late = [];
    board.querySelectorAll("[data-due]").forEach(function (ticket) {
      const minutes = Math.floor((Number(ticket.dataset.due) * 1000 - now) / 60000);
      const state = minutes < 0 ? "late" : minutes < soon ? "soon" : "on-time";
      const text = ticket.querySelector("[data-age-text]");
      if (text) {
        text.textContent = minutes < 0 ? format(board.dataset.late, { minutes: -minutes }) : format(board.dataset.in, { minutes: minutes });
      }
      if (ticket.dataset.age === state) return;
      if (state === "late" && ticket.dataset.age !== "late") late.push(ticket.dataset.orderNumber);
      ticket.classList.remove("kds-ticket--" + ticket.dataset.age);
      ticket.classList.add("kds-ticket--" + state);
      ticket.dataset.age = state;
    });
    const announcer = document.querySelector("[data-board-announcer]");
    if (late.length && announcer) {
      announce(late.map(function (number) {
        return format(announcer.dataset.lateOne, { number: number });
      }));
    }
  }

  // ---------- Updating only what changed ----------

  function focusKeyOf(element) {
    const keyed = element && element.closest && element.closest("[data-focus-key]");
    return keyed ? keyed.dataset.focusKey : null;
  }

  function sameAttributes(board, fresh) {
    ["data-version", "data-now", "hx-get"].forEach(function (name) {
      const value = fresh.getAttribute(name);
      if (value !== null && board.getAttribute(name) !== value) board.setAttribute(name, value);
    });
  }

  // Replace `old` by `fresh` in place, unless the user is acting on it.
  function replace(old, fresh) {
    if (old.querySelector("[data-pending]") || old.hasAttribute("data-pending")) return old;
    old.replaceWith(fresh);
    return fresh;
  }

  function applyKeyed(part, freshPart) {
    const existing = {};
    Array.from(part.children).forEach(function (child) {
      if (child.dataset.key) existing[child.dataset.key] = child;
    });
    const wanted = Array.from(freshPart.children);
    const keep = new Set();
    wanted.forEach(function (fresh, index) {
      let node = existing[fresh.dataset.key];
      if (node) {
        if (node.dataset.version !== fresh.dataset.version) node = replace(node, fresh);
      } else {
        node = fresh;
      }
      keep.add(node);
      // Move a node only when it is not in its place already: moving takes the focus away.
      if (part.children[index] !== node) part.insertBefore(node, part.children[index] || null);
    });
    Array.from(part.children).forEach(function (child) {
      if (!keep.has(child) && !child.querySelector("[data-pending]")) child.remove();
    });
  }

  function apply(board, fresh) {
    const active = document.activeElement;
    const activeKey = board.contains(active) ? focusKeyOf(active) : null;
    const activeIndex = activeKey ? ticketIndex(active) : -1;
    sameAttributes(board, fresh);
    const parts = {};
    board.querySelectorAll("[data-board-part]").forEach(function (part) {
      parts[part.dataset.boardPart] = part;
    });
    const freshParts = Array.from(fresh.querySelectorAll("[data-board-part]"));
    const seen = new Set();
    let previous = null;
    freshParts.forEach(function (freshPart) {
      const name = freshPart.dataset.boardPart;
      seen.add(name);
      const part = parts[name];
      if (!part) {
        // A part that appears (the first ticket, the recall list): after the part before it.
        if (previous) previous.after(freshPart);
        else board.prepend(freshPart);
        previous = freshPart;
        return;
      }
      const keyed = freshPart.children.length && freshPart.firstElementChild.dataset.key !== undefined;
      if (keyed && part.tagName === freshPart.tagName && part.firstElementChild && part.firstElementChild.dataset.key !== undefined) {
        applyKeyed(part, freshPart);
        previous = part;
      } else if (part.outerHTML !== freshPart.outerHTML) {
        previous = replace(part, freshPart);
      } else {
        previous = part;
      }
    });
    Object.keys(parts).forEach(function (name) {
      if (!seen.has(name) && !parts[name].querySelector("[data-pending]")) parts[name].remove();
    });
    // Other content outside the parts (the "and N more" line): replaced as a whole when it differs.
    const more = board.querySelector(".kds-more");
    const freshMore = fresh.querySelector(".kds-more");
    if (more && !freshMore) more.remove();
    else if (freshMore && !more) board.querySelector("[data-board-part='tickets']").after(freshMore);
    else if (more && freshMore && more.textContent !== freshMore.textContent) more.replaceWith(freshMore);

    if (activeKey && !board.contains(active)) {
      restoreFocus(board, activeKey, activeIndex);
    }
  }

  function ticketIndex(element) {
    const item = element.closest("[data-key]");
    if (!item || !item.parentElement) return -1;
    return Array.prototype.indexOf.call(item.parentElement.children, item);
  }

  // The focus goes back to the same control when it still exists, else to the ticket that took the place
  // of the one acted on, else to the board's heading: never to the top of the page.
  function restoreFocus(board, key, index) {
    let target = key ? board.querySelector('[data-focus-key="' + CSS.escape(key) + '"]') : null;
    if (!target && index >= 0) {
      const tickets = board.querySelectorAll("[data-board-part='tickets'] > [data-key]");
      const ticket = tickets[Math.min(index, tickets.length - 1)];
      if (ticket) target = ticket.querySelector("[data-bump]") || ticket.querySelector("button, a");
    }
    if (!target) {
      target = board.querySelector("h2") || board;
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: false });
  }

  function afterUpdate(board) {
    readClock(board);
    age(board);
    noticeNewOrders(board);
  }

  function parseBoard(html, id) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content.querySelector("#" + CSS.escape(id)) || template.content.querySelector("[data-live-board]");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    const board = event.target.closest && event.target.closest("[data-live-board]");
    if (board) afterUpdate(board);
  });

  let acting = 0; // actions in flight: polls do not swap meanwhile
  let actions = 0; // actions sent so far: a poll sent before the last one answers with an older board

  document.addEventListener("htmx:configRequest", function (event) {
    const board = event.detail.elt;
    if (board && board.dataset && board.dataset.liveBoard && board.dataset.version) {
      event.detail.headers["X-Board-Version"] = board.dataset.version;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.xhr) event.detail.xhr.ocActions = actions;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    const board = event.detail.elt;
    if (!board || !board.dataset || !board.dataset.liveBoard || !board.id) return;
    const xhr = event.detail.xhr;
    if (xhr.ocActions !== undefined && xhr.ocActions !== actions) {
      event.detail.shouldSwap = false; // sent before an action: the action's own answer is newer
      return;
    }
    const fresh = xhr.status === 200 ? parseBoard(xhr.responseText, board.id) : null;
    // A board without parts (data-board-part) is swapped whole by HTMX, then looked at (htmx:afterSwap).
    if (fresh && !fresh.querySelector("[data-board-part]") && !acting) return;
    event.detail.shouldSwap = false;
    if (acting || !fresh) return;
    apply(board, fresh);
    htmx.process(board);
    afterUpdate(board);
  });

  // ---------- Actions without a page load (kitchen display) ----------

  function formData(form, submitter) {
    try {
      return new FormData(form, submitter || undefined);
    } catch (error) {
      const data = new FormData(form); // a browser without FormData's submitter: add the button's value
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      return data;
    }
  }

  // A plain form's view answers with a redirect to its screen: its messages are in that page.
  function pageMessages(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const region = template.content.querySelector("[data-staff-messages]");
    const message = region && region.querySelector(".message");
    if (!message) return;
    const level = (message.className.match(/message--(\w+)/) || [])[1];
    staff().message(level, message.textContent.trim());
  }

  async function send(form, options) {
    const submitter = options && options.submitter;
    const board = form.closest("[data-live-board]") || document.querySelector("[data-live-board]");
    const key = focusKeyOf(form.querySelector("[data-focus-key]"));
    const index = ticketIndex(form);
    acting += 1;
    actions += 1;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: (options && options.data) || formData(form, submitter),
        credentials: "same-origin",
        headers: { "HX-Request": "true", "HX-Current-URL": window.location.href },
        keepalive: Boolean(options && options.keepalive),
      });
      if (response.headers.get("HX-Redirect")) {
        window.location.assign(response.headers.get("HX-Redirect"));
        return;
      }
      const trigger = response.headers.get("HX-Trigger");
      const html = await response.text();
      if (!trigger) pageMessages(html);
      if (trigger) {
        try {
          const events = JSON.parse(trigger);
          if (events["staff-message"]) staff().message(events["staff-message"].level, events["staff-message"].text);
        } catch (error) {
          // a malformed header: the board below still shows what happened
        }
      }
      if (!response.ok && response.status !== 409) {
        // Anything unexpected: let the plain form do it, and show the page it leads to.
        submitAsIs(form, submitter);
        return;
      }
      staff().connection("live");
      if (options && options.undo) undoState("sent");
      if (!board) {
        // A screen without a live board (an order's page): show where the plain form would have led.
        if (response.redirected) window.location.assign(response.url);
        return;
      }
      const fresh = parseBoard(html, board.id);
      if (fresh && board.isConnected) {
        release((options && options.items) || [form.closest("[data-pending]")]);
        apply(board, fresh);
        htmx.process(board);
        afterUpdate(board);
        restoreFocus(board, key, index);
      }
    } catch (error) {
      if (options && options.undo) undoState("failed");
      staff().connection("lost");
      staff().message("error", board && board.dataset.offline ? board.dataset.offline : "");
      release((options && options.items) || [form.closest("[data-pending]")]);
    } finally {
      acting -= 1;
    }
  }

  // The elements held while a tap waits or is sent: they are not swapped by a poll meanwhile.
  function hold(items) {
    items.forEach(function (item) {
      item.setAttribute("data-pending", "");
      item.classList.add("is-pending");
    });
  }

  function release(items) {
    items.forEach(function (item) {
      if (!item) return;
      item.removeAttribute("data-pending");
      item.classList.remove("is-pending");
    });
  }

  // The boxes ticked for a form from elsewhere in the page (form="…": the deliveries ticked for a trip).
  function picked(form) {
    return Array.from(form.elements).filter(function (element) {
      return element.type === "checkbox" && element.checked && !form.contains(element);
    });
  }

  // The undo window: an irreversible tap (a ticket bump that may make the order ready, a delivery taken or
  // handed over, a pick-up handed over, a cancellation) is sent only after the bar's delay; until then the
  // ticket is not swapped and Undo (or U, or Esc) cancels it. A form of a live board (data-kitchen-action) is
  // then sent without a page load; any other (an order's page, the cancel page) is submitted as it is.
  let pending = null;

  function undoBar() {
    return document.querySelector("[data-undo-bar]");
  }

  function undoDelay(bar) {
    const ms = Number(bar.dataset.undoMs);
    return bar.dataset.undoMs !== undefined && bar.dataset.undoMs !== "" && ms >= 0 ? ms : UNDO_MS;
  }

  function undoState(state) {
    const bar = undoBar();
    if (bar) bar.dataset.state = state;
    document.dispatchEvent(new CustomEvent("staff-undo", { detail: { state: state } }));
  }

  function submitAsIs(form, submitter) {
    if (submitter && submitter.name) {
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.append(hidden);
    }
    form.submit(); // no "submit" event: it is not held again
  }

  function commitPending(options) {
    if (!pending) return;
    const current = pending;
    pending = null;
    window.clearInterval(current.timer);
    const bar = undoBar();
    if (bar) bar.hidden = true;
    undoState("sending");
    const keepalive = Boolean(options && options.keepalive);
    if (current.form.hasAttribute("data-kitchen-action") || keepalive) {
      const what = { submitter: current.submitter, undo: true, items: current.items, data: current.data };
      send(current.form, Object.assign(what, options || {}));
    } else {
      submitAsIs(current.form, current.submitter);
    }
  }

  function cancelPending() {
    if (!pending) return;
    const current = pending;
    pending = null;
    window.clearInterval(current.timer);
    release(current.items);
    const bar = undoBar();
    if (bar) bar.hidden = true;
    undoState("cancelled");
    const button = current.submitter || current.form.querySelector("button");
    if (button && button.isConnected) button.focus();
  }

  // A form whose window is for ticked boxes (data-undo-picks: the driver's trip) with none ticked has nothing
  // to hold: it is sent at once, and the server says what to do.
  function startUndo(form, submitter) {
    commitPending();
    const bar = undoBar();
    const boxes = picked(form);
    if (!bar || (form.hasAttribute("data-undo-picks") && !boxes.length)) {
      if (form.hasAttribute("data-kitchen-action")) send(form, { submitter: submitter });
      else submitAsIs(form, submitter);
      return;
    }
    // Held: the tapped ticket (or the form), and the cards of the ticked boxes, so that no poll unticks them.
    const items = [form.closest("[data-key]") || form].concat(boxes.map(function (box) {
      return box.closest("[data-key]");
    }).filter(Boolean));
    hold(items);
    // What is sent is what was ticked when the bar said it, whatever is ticked or unticked meanwhile.
    const data = formData(form, submitter);
    const label = format((submitter && submitter.dataset.undoLabel) || form.dataset.undoLabel, {
      numbers: boxes.map(function (box) {
        return box.value;
      }).join(", "),
    });
    const endsAt = Date.now() + undoDelay(bar);
    const text = bar.querySelector("[data-undo-text]");
    function show() {
      const seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      text.textContent = label + " · " + seconds + " s";
      if (Date.now() >= endsAt) commitPending();
    }
    pending = { form: form, items: items, submitter: submitter, data: data, timer: window.setInterval(show, 250) };
    bar.hidden = false;
    undoState("waiting");
    show();
    if (pending) bar.querySelector("[data-undo-cancel]").focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-kitchen-action], form[data-undo]");
    if (!form || !window.fetch) return;
    if (!form.hasAttribute("data-kitchen-action") && !undoBar()) return; // a plain form, as without script
    event.preventDefault();
    if (form.hasAttribute("data-undo")) startUndo(form, event.submitter);
    else send(form, { submitter: event.submitter });
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-undo-cancel]")) cancelPending();
  });

  // A tab closed during the window still sends what was tapped.
  window.addEventListener("pagehide", function () {
    commitPending({ keepalive: true });
  });

  // ---------- The bump bar's keys ----------

  function tickets() {
    return Array.from(document.querySelectorAll("[data-board-part='tickets'] > [data-key]"));
  }

  function select(ticket) {
    if (!ticket) return;
    const target = ticket.querySelector("[data-bump]") || ticket.querySelector("button, a");
    if (target) target.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable]")) return;
    const key = event.key;
    if ((key === "u" || key === "U" || key === "Escape") && pending) {
      event.preventDefault();
      cancelPending();
      return;
    }
    if (!document.querySelector("[data-bump-keys]")) return; // the bump bar's keys: the kitchen display only
    if (/^[1-9]$/.test(key)) {
      const ticket = tickets()[Number(key) - 1];
      if (ticket) {
        event.preventDefault();
        select(ticket);
      }
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      const all = tickets();
      const current = all.indexOf(document.activeElement && document.activeElement.closest("[data-key]"));
      const next = current === -1 ? 0 : current + (key === "ArrowRight" ? 1 : -1);
      if (all[next]) {
        event.preventDefault();
        select(all[next]);
      }
    } else if (key === "r" || key === "R") {
      const recall = document.querySelector("[data-action='recall']");
      if (recall) {
        event.preventDefault();
        recall.closest("form").requestSubmit();
      }
    }
  });

  // ---------- Printing a ticket ----------

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  function start() {
    document.querySelectorAll("[data-live-board]").forEach(function (board) {
      afterUpdate(board);
      window.setInterval(function () {
        age(board);
      }, AGE_EVERY_MS);
    });
    if (document.querySelector("audio[data-new-order-sound]")) showToggle(soundWanted() ? "on" : "off");
    showFullscreen();
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
