// Progressive enhancement of the search page; everything works without it.
// Data from the server is only ever inserted with textContent, never as HTML.
(function () {
  "use strict";

  function setupTheme() {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var root = document.documentElement;
    var media = window.matchMedia("(prefers-color-scheme: dark)");
    function isDark() {
      var chosen = root.getAttribute("data-theme");
      return chosen ? chosen === "dark" : media.matches;
    }
    function show() { button.setAttribute("aria-pressed", isDark() ? "true" : "false"); }
    button.hidden = false;
    show();
    media.addEventListener("change", show);
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem("theme", next); } catch (e) { /* not remembered */ }
      show();
    });
  }

  function setupFilters() {
    var form = document.getElementById("filters");
    if (!form) return;
    // On a phone the results come first: the filters fold away unless some are in use.
    var panel = form.closest("details");
    var inUse = form.querySelector("input[type=checkbox]:checked, input[type=date]:not([value=''])");
    if (panel && !inUse && window.matchMedia("(max-width: 760px)").matches) panel.open = false;
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") form.submit();
    });
  }

  // An ARIA 1.2 combobox: the list follows typing; arrows move, Enter picks, Escape closes.
  function setupSuggest() {
    var input = document.getElementById("q");
    var list = document.getElementById("q-suggestions");
    if (!input || !list || !window.fetch) return;
    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach(function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", "q-option-" + index);
      else input.removeAttribute("aria-activedescendant");
    }

    function choose(item) {
      if (item.kind === "title" && item.id) {
        var url = new URL(input.dataset.article.replace("ID", encodeURIComponent(item.id)), window.location.href);
        var hl = new URLSearchParams(window.location.search).get("hl");
        if (hl) url.searchParams.set("hl", hl);
        window.location.assign(url.toString());
        return;
      }
      input.value = item.text;
      close();
      input.form.submit();
    }

    function render(suggestions) {
      close();
      items = suggestions;
      if (!items.length) return;
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "q-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "suggestion " + (item.kind === "title" ? "is-title" : "is-term");
        li.textContent = item.text;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep focus in the box
          choose(item);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var text = input.value;
      if (text.trim().length < 2) { close(); return; }
      if (pending) pending.abort();
      pending = new AbortController();
      var url = new URL(input.dataset.suggest, window.location.href);
      url.searchParams.set("q", text);
      fetch(url.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (input.value === text) render(body.suggestions || []); })
        .catch(function () { /* aborted or offline: no suggestions */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim()) fetchSuggestions();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  // Search analytics: which result (position) of which query was opened. Nothing else is sent.
  function setupClicks() {
    var list = document.querySelector("ol.results[data-click]");
    if (!list || !navigator.sendBeacon) return;
    function send(event) {
      var link = event.target.closest("a[data-position]");
      if (!link || !list.contains(link)) return;
      var click = { query: list.dataset.query, id: link.dataset.id,
                    position: parseInt(link.dataset.position, 10) };
      navigator.sendBeacon(list.dataset.click, new Blob([JSON.stringify(click)], { type: "text/plain" }));
    }
    list.addEventListener("click", send);
    list.addEventListener("auxclick", send);
  }

  setupTheme();
  setupFilters();
  setupSuggest();
  setupClicks();
})();
