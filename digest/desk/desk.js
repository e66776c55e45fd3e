// digest desk: the page's one script (/desk.js; CSP script-src 'self', no inline script, no eval).
// The page works without it: every form is a plain POST to /change and the whole page comes back.
// With it: a form is sent by fetch (the same fields, CSRF token and version included); the answer's
// #desk and #messages replace the page's (parsed with DOMParser and moved as nodes, never as HTML text), and
// so do the report and the archive panel beside it; focus returns to the same control of the same review;
// the email frames show the change's email as soon as the server has rendered it (fetched and put into the
// frames' documents in place; the frames themselves are not replaced), and go back if the change is
// refused. A top pick moves by drag and drop onto another top pick's place, or by Alt+ArrowUp /
// Alt+ArrowDown when it (or one of its controls) has focus: one POST action=order, the top picks' links
// one a line (the CLI's --order).
"use strict";
(() => {
  let busy = false;
  let dragged = null;
  let dark = false;  // the Dark toggle's state, kept across the updates that replace the frames
  let polling = null;
  const EMAIL_FIRST = 250;  // ms the page's own update waits for the email frame, at most

  const cardOf = (node) => (node instanceof Element ? node.closest("li.card") : null);
  const topCardOf = (node) => {
    const card = cardOf(node);
    return card && card.dataset.kind === "top" && card.closest("#picks") ? card : null;
  };
  const topCards = () => Array.from(document.querySelectorAll('#picks > li.card[data-kind="top"]'));
  const field = (form, name) => {
    const input = form.querySelector(`input[type="hidden"][name="${name}"]`);
    return input ? input.value : "";
  };

  // Where focus goes back after the update: the review (its link), the form (its action), the control.
  function spotOf(control, card) {
    const form = control instanceof Element ? control.closest("form") : null;
    if (card && (!form || control === card)) return { url: card.dataset.url, card: true };
    if (!form) return null;
    const isSubmit = control.matches('button, input[type="submit"]');
    return {
      url: field(form, "url"),
      action: control.name === "action" ? control.value : field(form, "action"),
      name: control.name || "",
      value: isSubmit ? control.value : "",
      submit: isSubmit,
    };
  }

  function formFor(spot) {
    for (const form of document.querySelectorAll('form[action="/change"]')) {
      if (field(form, "url") !== spot.url) continue;
      const actions = Array.from(form.querySelectorAll('[name="action"]'), (c) => c.value);
      if (actions.includes(spot.action)) return form;
    }
    return null;
  }

  function restoreFocus(spot) {
    let target = null;
    if (spot && spot.card) {
      target = topCards().find((card) => card.dataset.url === spot.url) || null;
    } else if (spot) {
      const form = formFor(spot);
      if (form) {
        const controls = Array.from(form.elements).filter((c) => c.type !== "hidden");
        target = controls.find((c) => spot.name && c.name === spot.name && (!spot.submit || c.value === spot.value))
          || (spot.submit ? controls.find((c) => c.matches('button, input[type="submit"]')) : null)
          || controls[0] || null;
      }
    }
    if (!target) {
      target = document.getElementById("messages");
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  function adopt(target, source) {
    target.replaceChildren(...Array.from(source.childNodes).map((node) => document.adoptNode(node)));
  }

  function say(text, kind) {
    const banner = document.createElement("div");
    banner.className = `message ${kind}`;
    if (kind === "error") banner.setAttribute("role", "alert");
    banner.textContent = text;
    document.getElementById("messages").replaceChildren(banner);
  }

  function apply(text, status, spot) {
    const answer = new DOMParser().parseFromString(text, "text/html");
    const desk = answer.getElementById("desk");
    const messages = answer.getElementById("messages");
    if (!desk || !messages) {  // the server's own error page (403 and such): its words, as text
      const words = (answer.body ? answer.body.textContent : "").replace(/\s+/g, " ").trim();
      say(`the desk refused the change (${status}): ${words}`, "error");
      restoreFocus(null);
      return;
    }
    adopt(document.getElementById("desk"), desk);
    adopt(document.getElementById("messages"), messages);
    const header = answer.querySelector("body > header");  // the issue file's version, as it is now
    if (header && document.querySelector("body > header")) adopt(document.querySelector("body > header"), header);
    // Beside the work: the email's frames stay (they reloaded when the change was accepted); the report
    // and the archive panel are the answer's. The first build brings the frames: then the whole side.
    const side = document.getElementById("side");
    const freshSide = answer.getElementById("side");
    if (side && freshSide && !document.getElementById("email-desktop") && answer.getElementById("email-desktop")) {
      adopt(side, freshSide);
      if (dark) showScheme(String(Date.now()));
    } else {
      for (const id of ["report", "archive"]) {
        const live = document.getElementById(id);
        const fresh = answer.getElementById(id);
        if (live && fresh) adopt(live, fresh);
      }
    }
    watchReport();
    restoreFocus(spot);
  }

  // The email's frames: sandboxed without scripts (nothing in the email ever runs) but at the desk's
  // origin (allow-same-origin), so this script can put a new email into a frame's document in place.
  // Navigating the frame instead costs Chromium a new document (70-100 ms here, whatever it holds).
  const emailDoc = (frame) => {
    try {
      const doc = frame ? frame.contentDocument : null;  // null: the frame is elsewhere (a followed link)
      return doc && doc.documentElement && doc.location.pathname === "/email.html" ? doc : null;
    } catch (error) {
      return null;
    }
  };
  // The email's text put into a frame's document in place: its <html> element stays, its head and body
  // are parsed there (innerHTML: inert, in a frame where nothing may run), and the element takes the
  // email's own <html> attributes (lang, dir). About 5 ms where a DOMParser document and an import cost
  // 30-50 ms. Returns a function that puts the frame's email back as it was, or null.
  const HTML_TAG = /<html((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/i;
  function setAttributes(element, attributes) {
    for (const name of element.getAttributeNames()) element.removeAttribute(name);
    for (const [name, value] of attributes) element.setAttribute(name, value);
  }
  function fill(frame, text) {
    const doc = emailDoc(frame);
    if (!doc) return null;
    const root = doc.documentElement;
    const parts = Array.from(root.childNodes);
    const attributes = Array.from(root.attributes, (a) => [a.name, a.value]);
    const holder = doc.createElement("template");  // the <html> tag's attributes, parsed inert
    const tag = HTML_TAG.exec(text);
    holder.innerHTML = `<div${tag ? tag[1] : ""}></div>`;
    root.innerHTML = text;
    setAttributes(root, Array.from(holder.content.firstElementChild.attributes, (a) => [a.name, a.value]));
    return () => {
      if (emailDoc(frame) !== doc || doc.documentElement !== root) return;
      root.replaceChildren(...parts);
      setAttributes(root, attributes);
    };
  }
  const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const frames = () => [document.getElementById("email-desktop"), document.getElementById("email-phone")];
  const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
                                    (b) => b.toString(16).padStart(2, "0")).join("");
  let turns = 0;  // the newest email wins when two overlap (a change while the Dark toggle loads)

  function emailUrl(params) {  // the email in the Dark toggle's scheme, with ``params`` in its query
    const button = document.getElementById("scheme");
    const src = button ? (dark ? button.dataset.darkSrc : button.dataset.lightSrc) : null;
    if (!src) return null;
    const url = new URL(src, location.origin);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.pathname + url.search;
  }

  // The email at ``where``, fetched once and put into the desktop frame, then (after that frame has
  // painted) into the phone frame: the two would otherwise share the cores and each arrive later.
  // Resolves to a function that puts back what the frames showed before, or null when nothing was put
  // in (no email there: 204; a frame not at the email; a newer email on its way).
  async function fillFrames(where, turn, signal) {
    const [desktop, phone] = frames();
    if (!emailDoc(desktop) || (phone && !emailDoc(phone))) return null;
    const response = await fetch(where, { credentials: "same-origin", signal });
    if (response.status !== 200) return null;
    const text = await response.text();
    if (turn !== turns) return null;
    performance.mark("desk:email-in");  // the steps, for bench/desk.py
    const undo = [[desktop, desktop.dataset.shown, fill(desktop, text)]];
    performance.mark("desk:email-filled");
    if (!undo[0][2]) return null;
    desktop.dataset.shown = where;
    await nextPaint();
    if (turn === turns && phone) {
      undo.push([phone, phone.dataset.shown, fill(phone, text)]);
      phone.dataset.shown = where;
    }
    return () => {
      for (const [frame, shown, back] of undo) {
        if (back) back();
        frame.dataset.shown = shown || "";
      }
    };
  }

  function navigate(where) {  // the frames load the email themselves: the desktop frame, then the phone
    const [desktop, phone] = frames();
    if (!desktop) {
      if (phone) phone.setAttribute("src", where);
      return Promise.resolve();
    }
    // Listeners run in the order they were added: the newest change's last, so the phone ends on it.
    const loaded = new Promise((resolve) => desktop.addEventListener("load", () => {
      if (phone) phone.setAttribute("src", where);
      resolve();
    }, { once: true }));
    desktop.setAttribute("src", where);
    return loaded;
  }

  // The Dark toggle (button#scheme): both frames show the email as a dark-mode client shows it. Also
  // the frames' email after a change the server did not show early. Resolves once the desktop frame has it.
  async function showScheme(stamp) {
    const button = document.getElementById("scheme");
    if (button) button.setAttribute("aria-pressed", String(dark));
    const where = emailUrl({ v: stamp });
    if (!where) return;
    const turn = ++turns;
    try {
      if (await fillFrames(where, turn)) return;
    } catch (error) {
      // the frames load it themselves, below
    }
    if (turn === turns) await navigate(where);
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("#scheme") : null;
    if (!button) return;
    dark = !dark;
    showScheme(String(Date.now()));
  });

  // The pre-send report: while a check is pending (SpamAssassin after a change), fetch it each second.
  function watchReport() {
    if (polling !== null || !document.querySelector('#report [data-status="pending"]')) return;
    polling = setTimeout(async () => {
      polling = null;
      const edition = new URLSearchParams(location.search).get("edition");
      try {
        const response = await fetch(`/report${edition ? `?edition=${encodeURIComponent(edition)}` : ""}`,
                                     { credentials: "same-origin" });
        const answer = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = answer.getElementById("report");
        const shown = document.getElementById("report");
        if (response.ok && fresh && shown) adopt(shown, fresh);
      } catch (error) {
        return;  // the desk stopped: the page says nothing new; a reload shows the report
      }
      watchReport();
    }, 1000);
  }
  watchReport();

  async function send(form, submitter, spot, extra) {
    if (busy) {
      say("the last change is still being saved: try again in a moment", "error");
      return;
    }
    busy = true;
    document.body.setAttribute("aria-busy", "true");
    const data = submitter ? new FormData(form, submitter) : new FormData(form);
    for (const [name, value] of Object.entries(extra || {})) data.set(name, value);
    // The change's email, asked for at once: the server answers as soon as it is rendered, while it
    // still judges it (digest.desk.early), so the frames show it before the change's answer comes.
    // A change the server refuses puts the frames back as they were.
    const early = randomId();
    data.set("early", early);
    const stop = new AbortController();
    const where = emailUrl({ early });
    const preview = where ? fillFrames(where, ++turns, stop.signal).catch(() => null) : Promise.resolve(null);
    try {
      const response = await fetch("/change", {
        method: "POST",
        body: new URLSearchParams(data),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        credentials: "same-origin",
      });
      // Accepted: the desk serves the new email already (its files follow a moment later): the frames
      // have it, or load it now. Laying the answer out competes with the frames for the machine's
      // cores, so it waits until the desktop frame has its email (or EMAIL_FIRST ms): the email the
      // editor waits for comes first and the lists follow a moment later.
      let shown;
      if (response.status === 200) {
        shown = preview.then((undo) => (undo ? undefined : showScheme(String(Date.now()))));
      } else {
        stop.abort();
        shown = preview.then((undo) => { if (undo) undo(); });
      }
      const text = await response.text();
      await Promise.race([shown, new Promise((resolve) => setTimeout(resolve, EMAIL_FIRST))]);
      apply(text, response.status, spot);
    } catch (error) {
      stop.abort();
      preview.then((undo) => { if (undo) undo(); });
      say(`the desk did not answer (${error.message}); nothing may have been saved: reload the page`, "error");
    } finally {
      busy = false;
      document.body.removeAttribute("aria-busy");
    }
  }

  function postOrder(urls, spot) {
    const input = document.querySelector('#desk form input[name="action"][value="order"]');
    if (input) send(input.form, null, spot, { order: urls.join("\n") });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/change") return;
    event.preventDefault();
    const control = event.submitter || document.activeElement;
    send(form, event.submitter, spotOf(control, null));
  });

  // Drag and drop: a top pick dropped on another takes its place; the others shift.
  const clearDrag = () => {
    for (const card of document.querySelectorAll("li.card.dragging, li.card.drop-target")) {
      card.classList.remove("dragging", "drop-target");
    }
  };
  document.addEventListener("dragstart", (event) => {
    const card = topCardOf(event.target);
    if (!card || busy) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.url);
  });
  const mark = (card) => {  // the one card the dragged pick would land on, outlined
    for (const other of document.querySelectorAll("li.card.drop-target")) {
      if (other !== card) other.classList.remove("drop-target");
    }
    if (card && card !== dragged) card.classList.add("drop-target");
  };
  document.addEventListener("dragover", (event) => {
    const card = dragged ? topCardOf(event.target) : null;
    mark(card);
    if (!card) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });
  document.addEventListener("dragleave", (event) => {
    if (dragged && event.relatedTarget === document.documentElement) mark(null);
  });
  document.addEventListener("drop", (event) => {
    const card = topCardOf(event.target);
    const from = dragged;
    if (!from || !card) return;
    event.preventDefault();
    dragged = null;
    clearDrag();
    if (card === from) return;
    const urls = topCards().map((c) => c.dataset.url);
    urls.splice(urls.indexOf(card.dataset.url), 0, ...urls.splice(urls.indexOf(from.dataset.url), 1));
    postOrder(urls, { url: from.dataset.url, card: true });
  });
  document.addEventListener("dragend", () => {
    dragged = null;
    clearDrag();
  });

  // Keyboard: Alt+ArrowUp / Alt+ArrowDown on a focused top pick (or one of its controls) moves it.
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    const card = topCardOf(event.target);
    if (!card) return;
    event.preventDefault();
    const urls = topCards().map((c) => c.dataset.url);
    const at = urls.indexOf(card.dataset.url);
    const to = at + (event.key === "ArrowUp" ? -1 : 1);
    if (to < 0 || to >= urls.length) {
      say(`already ${to < 0 ? "first" : "last"} of the top picks`, "ok");
      return;
    }
    urls.splice(to, 0, ...urls.splice(at, 1));
    postOrder(urls, spotOf(event.target, card));
  });
})();
