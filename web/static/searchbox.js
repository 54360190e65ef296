// <news-search>: the site search box for a news site's own pages, as one script tag.
//
//   <script src="https://search.example/static/searchbox.js" defer></script>
//   <news-search placeholder="Search the news" results="inline"></news-search>
//
// Attributes: placeholder, label (the button), lang ("en", "ru", "hy" or "az": the texts, the
// language of the results page; default: the host page's <html lang>),
// results ("page": go to the results page, the default; "inline": show them under the box),
// size (inline results, default 5), action (the results page; default this server's),
// theme ("light", "dark"; default: the reader's system preference).
// Theme it with CSS variables on the element: --news-search-bg, -fg, -muted, -accent,
// -accent-fg, -line, -panel, -mark, -focus, -radius, -font.
// Autocomplete is an ARIA 1.2 combobox (arrows, Enter, Escape). The host page needs
// its origin in the search server's cors_origins for autocomplete and inline results.
// Data from the server is inserted as text only (snippets: text and <mark> only).
(function () {
  "use strict";
  if (!window.customElements || customElements.get("news-search")) return;
  var script = document.currentScript;
  var SERVER = new URL("../", script ? script.src : window.location.href).href;
  // The texts of web/catalog.py (tests/test_page_languages.py checks they agree):
  // plural forms by CLDR category, chosen with Intl.PluralRules.
  var TEXTS = /* texts */ {
    "en": {
      "placeholder": "Search the news",
      "label": "Search",
      "suggestions": "Suggestions",
      "results": {
        "one": "{n} result",
        "other": "{n} results"
      },
      "none": "No articles match.",
      "corrected": "Showing results for {corrected}; search instead for {original}",
      "failed": "The search is not available right now.",
      "languages": {
        "en": "English",
        "ru": "Russian",
        "hy": "Armenian",
        "az": "Azerbaijani"
      }
    },
    "ru": {
      "placeholder": "Поиск по новостям",
      "label": "Найти",
      "suggestions": "Подсказки",
      "results": {
        "one": "{n} результат",
        "few": "{n} результата",
        "many": "{n} результатов",
        "other": "{n} результата"
      },
      "none": "Ничего не найдено.",
      "corrected": "Показаны результаты по запросу {corrected}; искать вместо этого {original}",
      "failed": "Поиск сейчас недоступен.",
      "languages": {
        "en": "Английский",
        "ru": "Русский",
        "hy": "Армянский",
        "az": "Азербайджанский"
      }
    },
    "hy": {
      "placeholder": "Որոնել լուրերում",
      "label": "Որոնել",
      "suggestions": "Առաջարկներ",
      "results": {
        "one": "{n} արդյունք",
        "other": "{n} արդյունք"
      },
      "none": "Հոդվածներ չեն գտնվել։",
      "corrected": "Ցուցադրված են {corrected} հարցման արդյունքները։ Փոխարենը որոնել՝ {original}",
      "failed": "Որոնումն այս պահին հասանելի չէ։",
      "languages": {
        "en": "Անգլերեն",
        "ru": "Ռուսերեն",
        "hy": "Հայերեն",
        "az": "Ադրբեջաներեն"
      }
    },
    "az": {
      "placeholder": "Xəbərlərdə axtar",
      "label": "Axtar",
      "suggestions": "Təkliflər",
      "results": {
        "one": "{n} nəticə",
        "other": "{n} nəticə"
      },
      "none": "Heç bir məqalə tapılmadı.",
      "corrected": "{corrected} sorğusu üzrə nəticələr göstərilir. Bunun əvəzinə axtar: {original}",
      "failed": "Axtarış hazırda əlçatan deyil.",
      "languages": {
        "en": "İngilis dili",
        "ru": "Rus dili",
        "hy": "Erməni dili",
        "az": "Azərbaycan dili"
      }
    }
  };
  var CSS = [
    ":host { display: block; font: var(--news-search-font, inherit); color: var(--_fg);",
    "  --_bg: var(--news-search-bg, #ffffff); --_fg: var(--news-search-fg, #1d1d1f);",
    "  --_muted: var(--news-search-muted, #5f6368); --_accent: var(--news-search-accent, #b3121d);",
    "  --_accent-fg: var(--news-search-accent-fg, #ffffff); --_line: var(--news-search-line, #d0d0d0);",
    "  --_panel: var(--news-search-panel, #f6f6f7); --_mark: var(--news-search-mark, #ffe58a);",
    "  --_focus: var(--news-search-focus, #1a56db); --_radius: var(--news-search-radius, 6px); }",
    "@media (prefers-color-scheme: dark) { :host(:not([theme=light])) {",
    "  --_bg: var(--news-search-bg, #121212); --_fg: var(--news-search-fg, #e8e8e8);",
    "  --_muted: var(--news-search-muted, #a8a8a8); --_accent: var(--news-search-accent, #ff6b6b);",
    "  --_accent-fg: var(--news-search-accent-fg, #121212); --_line: var(--news-search-line, #3a3a3a);",
    "  --_panel: var(--news-search-panel, #1c1c1e); --_mark: var(--news-search-mark, #6b5800);",
    "  --_focus: var(--news-search-focus, #8ab4f8); } }",
    ":host([theme=dark]) {",
    "  --_bg: var(--news-search-bg, #121212); --_fg: var(--news-search-fg, #e8e8e8);",
    "  --_muted: var(--news-search-muted, #a8a8a8); --_accent: var(--news-search-accent, #ff6b6b);",
    "  --_accent-fg: var(--news-search-accent-fg, #121212); --_line: var(--news-search-line, #3a3a3a);",
    "  --_panel: var(--news-search-panel, #1c1c1e); --_mark: var(--news-search-mark, #6b5800);",
    "  --_focus: var(--news-search-focus, #8ab4f8); }",
    "form { display: flex; gap: .4rem; margin: 0; }",
    ".combo { position: relative; flex: 1; }",
    "input { box-sizing: border-box; width: 100%; font: inherit; padding: .45rem .6rem; color: var(--_fg);",
    "  background: var(--_bg); border: 2px solid var(--_line); border-radius: var(--_radius); }",
    "input:focus { outline: 3px solid var(--_focus); outline-offset: 1px; }",
    "button { font: inherit; padding: .45rem .9rem; border: 0; border-radius: var(--_radius);",
    "  background: var(--_accent); color: var(--_accent-fg); cursor: pointer; }",
    "button:focus-visible, a:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }",
    "[role=listbox] { position: absolute; z-index: 1000; left: 0; right: 0; margin: .2rem 0 0; padding: .2rem 0;",
    "  list-style: none; background: var(--_bg); border: 1px solid var(--_line); border-radius: var(--_radius);",
    "  box-shadow: 0 6px 18px rgba(0,0,0,.15); }",
    "[role=option] { padding: .35rem .7rem; cursor: pointer; }",
    "[role=option].is-title { color: var(--_muted); font-size: .92em; }",
    "[role=option][aria-selected=true], [role=option]:hover { background: var(--_panel); color: var(--_fg); }",
    ".status { color: var(--_muted); font-size: .9em; margin: .4rem 0 0; }",
    ".status:empty { display: none; }",
    ".corrected { margin: .3rem 0 0; font-size: .92em; }",
    ".corrected button { padding: 0; background: none; color: var(--_accent); text-decoration: underline; }",
    "ol { list-style: none; margin: .4rem 0 0; padding: 0; background: var(--_bg); }",
    "ol li { padding: .5rem 0; border-top: 1px solid var(--_line); }",
    "ol a { color: var(--_fg); font-weight: 600; }",
    "ol p { margin: .2rem 0 0; color: var(--_muted); font-size: .92em; }",
    "mark { background: var(--_mark); color: inherit; }",
    ".lang-badge { font-size: .7em; font-weight: 600; letter-spacing: .05em; padding: 0 .3em; margin-left: .3em;",
    "  border: 1px solid var(--_muted); border-radius: .3em; color: var(--_muted); vertical-align: middle; }",
    ".vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }"
  ].join("\n");
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // "{n} results" in the box's language: the form by CLDR plural category, n as it writes numbers.
  function plural(lang, forms, n) {
    var category = "other", number = String(n);
    try {
      category = new Intl.PluralRules(lang).select(n);
      number = n.toLocaleString(lang);
    } catch (e) { /* no Intl: "other" */ }
    return (forms[category] || forms.other).replace("{n}", number);
  }

  // A sentence with fields ("Showing results for {corrected}; ..."): text around the given nodes.
  function sentence(template, nodes) {
    var out = document.createDocumentFragment();
    template.split(/(\{\w+\})/).forEach(function (part) {
      var name = /^\{(\w+)\}$/.exec(part);
      if (name && nodes[name[1]]) out.appendChild(nodes[name[1]]);
      else if (part) out.appendChild(document.createTextNode(part));
    });
    return out;
  }

  // A snippet is escaped article text with <mark> around query words: rebuilt as
  // text nodes and <mark> elements only, whatever it holds.
  function snippetNodes(html) {
    var body = new DOMParser().parseFromString(html, "text/html").body;  // runs nothing
    var out = document.createDocumentFragment();
    body.childNodes.forEach(function (n) {
      if (n.nodeName === "MARK") out.appendChild(el("mark", {}, n.textContent));
      else out.appendChild(document.createTextNode(n.textContent));
    });
    return out;
  }

  class NewsSearch extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var lang = (this.getAttribute("lang") || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
      this.hl = TEXTS[lang] ? lang : null;  // the search site's interface language, when it has this one
      this.lang = this.hl || "en";
      this.texts = TEXTS[this.lang];
      this.server = this.getAttribute("server") || SERVER;
      var root = this.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.appendChild(el("style", {}, CSS));
      }
      var id = "news-search-" + (++counter);
      this.form = el("form", { role: "search", part: "form" });
      var combo = el("div", { class: "combo" });
      var label = el("label", { class: "vh", for: id + "-q" }, this.getAttribute("placeholder") || this.texts.placeholder);
      this.input = el("input", {
        id: id + "-q", type: "search", name: "q", part: "input", autocomplete: "off", maxlength: "1000",
        placeholder: this.getAttribute("placeholder") || this.texts.placeholder,
        role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-list"
      });
      this.list = el("ul", { id: id + "-list", role: "listbox", "aria-label": this.texts.suggestions });
      this.list.hidden = true;
      combo.append(label, this.input, this.list);
      this.form.append(combo, el("button", { type: "submit", part: "button" }, this.getAttribute("label") || this.texts.label));
      this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });
      this.corrected = el("p", { class: "corrected" });
      this.corrected.hidden = true;
      this.results = el("ol", { class: "results", part: "results" });
      this.results.hidden = true;
      root.append(this.form, this.corrected, this.status, this.results);
      this.idPrefix = id;
      this.items = [];
      this.active = -1;
      this.wire();
    }

    url(path, params) {
      var u = new URL(path, this.server);
      Object.keys(params || {}).forEach(function (k) { u.searchParams.set(k, params[k]); });
      return u.toString();
    }

    // A page of the search site (results, article), in the box's language.
    page(path) {
      return this.url(path, this.hl ? { hl: this.hl } : {});
    }

    wire() {
      var self = this, timer = null;
      this.input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { self.suggest(); }, 120);
      });
      this.input.addEventListener("keydown", function (e) { self.key(e); });
      this.input.addEventListener("blur", function () { window.setTimeout(function () { self.close(); }, 150); });
      this.form.addEventListener("submit", function (e) {
        e.preventDefault();
        self.submit(self.input.value, true);
      });
    }

    key(e) {
      if (this.list.hidden) {
        if (e.key === "ArrowDown" && this.input.value.trim()) this.suggest();
        return;
      }
      var n = this.items.length;
      if (e.key === "ArrowDown") { e.preventDefault(); this.highlight((this.active + 1) % n); }
      else if (e.key === "ArrowUp") { e.preventDefault(); this.highlight(this.active <= 0 ? n - 1 : this.active - 1); }
      else if (e.key === "Enter" && this.active >= 0) { e.preventDefault(); this.choose(this.items[this.active]); }
      else if (e.key === "Escape") { e.preventDefault(); this.close(); }
    }

    suggest() {
      var self = this, text = this.input.value;
      if (text.trim().length < 2) { this.close(); return; }
      if (this.pending) this.pending.abort();
      this.pending = new AbortController();
      fetch(this.url("api/suggest", { q: text }), { signal: this.pending.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (self.input.value === text) self.render(body.suggestions || []); })
        .catch(function () { /* aborted, offline or not allowed: no suggestions */ });
    }

    render(suggestions) {
      var self = this;
      this.close();
      this.items = suggestions;
      if (!suggestions.length) return;
      suggestions.forEach(function (item, i) {
        var li = el("li", { id: self.idPrefix + "-option-" + i, role: "option", "aria-selected": "false",
                            class: item.kind === "title" ? "is-title" : "is-term" }, item.text);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); self.choose(item); });
        self.list.appendChild(li);
      });
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }

    highlight(index) {
      var self = this;
      this.active = index;
      this.list.querySelectorAll("[role=option]").forEach(function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) this.input.setAttribute("aria-activedescendant", this.idPrefix + "-option-" + index);
      else this.input.removeAttribute("aria-activedescendant");
      if (index >= 0) self.list.children[index].scrollIntoView({ block: "nearest" });
    }

    close() {
      this.list.hidden = true;
      this.list.replaceChildren();
      this.items = [];
      this.active = -1;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }

    choose(item) {
      if (item.kind === "title" && item.id) {
        window.location.assign(this.page("articles/" + encodeURIComponent(item.id)));
        return;
      }
      this.input.value = item.text;
      this.close();
      this.submit(item.text, true);
    }

    submit(text, correct) {
      this.close();
      if (!text.trim()) return;
      if (this.getAttribute("results") !== "inline") {
        var page = new URL(this.getAttribute("action") || this.server, window.location.href);
        page.searchParams.set("q", text);
        if (!correct) page.searchParams.set("correct", "false");
        if (this.hl) page.searchParams.set("hl", this.hl);
        window.location.assign(page.toString());
        return;
      }
      var self = this;
      var size = parseInt(this.getAttribute("size") || "5", 10) || 5;
      var params = { q: text, size: String(Math.min(Math.max(size, 1), 20)), facets: "false" };
      if (!correct) params.correct = "false";
      fetch(this.url("api/search", params), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (body) { self.show(body); })
        .catch(function () { self.status.textContent = self.texts.failed; self.results.hidden = true; });
    }

    show(body) {
      var self = this, t = this.texts;
      this.corrected.replaceChildren();
      this.corrected.hidden = !body.corrected_query;
      if (body.corrected_query) {
        var again = el("button", { type: "button" }, body.query);
        again.addEventListener("click", function () { self.submit(body.query, false); });
        this.corrected.append(sentence(t.corrected, { corrected: el("strong", {}, body.corrected_query), original: again }));
      }
      this.status.textContent = body.total ? plural(this.lang, t.results, body.total) : t.none;
      this.results.replaceChildren();
      body.results.forEach(function (hit, i) {
        var li = el("li");
        var a = el("a", { href: self.page("articles/" + encodeURIComponent(hit.id)) }, hit.title || hit.id);
        var send = function () { self.beacon(body.query, hit.id, i + 1); };
        a.addEventListener("click", send);
        a.addEventListener("auxclick", send);
        var p = el("p");
        p.appendChild(snippetNodes(hit.snippet || ""));
        li.append(a);
        if (hit.lang && hit.lang !== self.lang) {  // the article's language, when not the box's
          var name = t.languages[hit.lang] || hit.lang;
          var badge = el("span", { class: "lang-badge", title: name });
          badge.append(el("span", { "aria-hidden": "true" }, hit.lang.toUpperCase()), el("span", { class: "vh" }, name));
          li.append(" ", badge);
        }
        if (hit.lang) li.setAttribute("lang", hit.lang);
        li.append(p);
        self.results.appendChild(li);
      });
      this.results.hidden = !body.results.length;
    }

    beacon(query, id, position) {
      if (!navigator.sendBeacon) return;
      var data = JSON.stringify({ query: query, id: id, position: position });
      navigator.sendBeacon(this.url("api/click"), new Blob([data], { type: "text/plain" }));
    }
  }

  customElements.define("news-search", NewsSearch);
})();
