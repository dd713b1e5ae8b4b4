// sfmc-emulator inspector: progressive enhancement only. Every page works without this file (tabs, widths
// and image toggles are links; delete and clear are forms); it switches them without a reload, copies
// curl commands, and keeps the outbox live through the server-sent event stream.
(function () {
  "use strict";

  function replaceParam(href, name, value) {
    var url = new URL(href, location.href);
    if (value === null) { url.searchParams.delete(name); } else { url.searchParams.set(name, value); }
    return url.pathname + url.search;
  }

  // Message view tabs: show the panel, keep ?tab= in the address (so reload and share keep it).
  function tabs() {
    var bar = document.querySelector("[data-tabs]");
    if (!bar) { return; }
    bar.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-tab]");
      if (!link) { return; }
      ev.preventDefault();
      var name = link.getAttribute("data-tab");
      bar.querySelectorAll("a[data-tab]").forEach(function (a) {
        var on = a === link;
        a.classList.toggle("active", on);
        a.setAttribute("aria-selected", on ? "true" : "false");
      });
      document.querySelectorAll("section.panel").forEach(function (panel) {
        panel.hidden = panel.id !== "panel-" + name;
      });
      history.replaceState(null, "", replaceParam(location.href, "tab", name));
    });
  }

  // Preview widths and the remote-image toggle.
  function preview() {
    var frame = document.querySelector("[data-frame]");
    if (!frame) { return; }
    document.querySelectorAll("a[data-width]").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var width = link.getAttribute("data-width");
        frame.className = "frame width-" + width;
        document.querySelectorAll("a[data-width]").forEach(function (a) { a.classList.toggle("active", a === link); });
        history.replaceState(null, "", replaceParam(location.href, "width", width === "desktop" ? null : width));
      });
    });
    document.querySelectorAll("a[data-images]").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var show = link.getAttribute("data-images") === "1";
        var iframe = frame.querySelector("iframe");
        iframe.src = replaceParam(iframe.getAttribute("src"), "images", show ? "1" : null);
        link.setAttribute("data-images", show ? "0" : "1");
        link.textContent = link.textContent.replace(show ? "Show" : "Hide", show ? "Hide" : "Show");
        var note = link.nextElementSibling;
        if (note && note.classList.contains("muted")) { note.hidden = show; }
        history.replaceState(null, "", replaceParam(location.href, "images", show ? "1" : null));
      });
    });
  }

  // Copy as curl (and any other [data-copy] button): the text of the element it names.
  function copying() {
    document.addEventListener("click", function (ev) {
      var button = ev.target.closest("[data-copy]");
      if (!button) { return; }
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) { return; }
      var text = source.textContent;
      var done = function () { button.setAttribute("data-copied", "1"); button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, done);
      } else { done(); }
    });
  }

  // Journal rows: open and close several entries' detail rows in place (without JS, #target shows one).
  function journal() {
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-open]");
      if (!link) { return; }
      ev.preventDefault();
      var detail = document.getElementById(link.getAttribute("data-open"));
      var open = !detail.classList.contains("open");
      detail.classList.toggle("open", open);
      link.closest("tr").classList.toggle("open", open);
    });
  }

  function confirming() {
    document.addEventListener("submit", function (ev) {
      var button = ev.submitter || ev.target.querySelector("[data-confirm]");
      var question = button && button.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { ev.preventDefault(); }
    });
  }

  // The live outbox: when the stream says the newest message changed, fetch this page again and swap the
  // list (the page's own URL keeps the search and paging).
  function live() {
    var list = document.getElementById("outbox-list");
    if (!list || !window.EventSource) { return; }
    var latest = list.getAttribute("data-latest");
    var source = new EventSource(list.getAttribute("data-live") + "&after=" + encodeURIComponent(latest));
    var status = document.querySelector("[data-live-status]");
    if (status) { status.hidden = false; }
    source.addEventListener("outbox", function (ev) {
      var data = JSON.parse(ev.data);
      if (String(data.latest_id) === latest) { return; }
      latest = String(data.latest_id);
      fetch(location.href, {headers: {"Accept": "text/html"}, credentials: "same-origin"})
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("outbox-list");
          var count = doc.getElementById("outbox-count");
          if (fresh) { list.innerHTML = fresh.innerHTML; list.setAttribute("data-updated", latest); }
          if (count) { document.getElementById("outbox-count").textContent = count.textContent; }
        });
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // The Events tab's buttons: simulate an engagement (POST /_emulator/outbox/{id}/events, JSON), then show
  // the tab again with the new event.
  function engaging() {
    document.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-engage]");
      if (!button) { return; }
      var body = {type: button.getAttribute("data-engage")};
      if (body.type === "click") {
        body.url = window.prompt("Which link was clicked?", button.getAttribute("data-url") || "https://");
        if (!body.url) { return; }
      }
      var panel = button.closest("[data-events-url]"), csrf = panel.querySelector("input[name=csrf_token]");
      fetch(panel.getAttribute("data-events-url"), {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : ""}
      }).then(function (r) {
        if (!r.ok) { return r.json().then(function (e) { window.alert(e.message || r.status); }); }
        location.search = "?tab=events";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tabs(); preview(); copying(); journal(); confirming(); live(); engaging();
  });
}());
