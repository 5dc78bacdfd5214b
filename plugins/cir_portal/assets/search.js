/* cir-portal: the header search box and the search page, over Pagefind's JavaScript API.
 * The index (pagefind/ at the site root) is fetched piece by piece, only what a query needs, and
 * only once a reader starts searching: nothing leaves the site. Titles and meta are inserted as
 * text; Pagefind's excerpts are HTML-escaped with <mark> around the matches.
 * CIR_SEARCH (above, generated with the site) holds the strings of the portal's language.
 * Initialised through Material's document$ so it survives instant navigation. */
(function () {
  "use strict";
  var C = window.CIR_SEARCH || { strings: {}, page: "search/", bundle: "pagefind/pagefind.js" };
  var S = C.strings;
  var BOX_LIMIT = 8;
  var PAGE_SIZE = 20;
  // this file is assets/cir/search.js: the site root is two folders up
  var here = document.currentScript && document.currentScript.src;
  var root = new URL("../../", here || location.href);
  var pageUrl = new URL(C.page, root);
  var engine = null;

  /* A large site's index is in parts (one Pagefind bundle each, so that no indexer holds the
   * whole site in memory): the first is the bundle itself, the others are listed in its
   * cir-parts.json. Each part is searched with its own copy of Pagefind and the results merged
   * here as one index would give them. Pagefind leaves out a query word that no word of its
   * index starts with (服务台 is searched as 服务 and 台: a part without 台 answers for 服务
   * alone), and a word another part has must not be left out: a part whose best result did
   * not match every such word is left out instead. */
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  var EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

  function load(url, settings) {
    return import(url).then(function (pf) {
      return pf.options(settings).then(function () { return pf.init(); }).then(function () { return pf; });
    });
  }

  /* the query's words as Pagefind makes them: lower case, Chinese cut into words */
  function queryWords(q) {
    var lang = document.documentElement.lang || "en";
    var cut = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(lang, { granularity: "word" }) : null;
    var out = [];
    q.toLowerCase().split(/\s+/).forEach(function (part) {
      var pieces = cut && HAN.test(part) ? Array.from(cut.segment(part), function (x) { return x.segment; }) : [part];
      pieces.forEach(function (w) { w = w.replace(EDGE, ""); if (w) out.push(w); });
    });
    return out;
  }

  /* the words of a result that matched the query (null: none in its text, its meta matched) */
  function matchedWords(data) {
    var content = data.raw_content || data.content || "";  // (raw: zero-width spaces between Chinese words)
    var all = content.indexOf("\u200b") >= 0 ? content.split("\u200b") : content.split(/[\r\n\s]+/);
    var matched = (data.locations || []).map(function (i) { return (all[i] || "").toLowerCase().replace(EDGE, ""); });
    return matched.length ? matched : null;
  }

  function merged(parts) {
    if (parts.length === 1) return parts[0];
    // an English word is matched by its stem (runs, running): only Chinese words are checked there
    var stemmed = !/^(zh|ja|ko)\b/.test(document.documentElement.lang || "");
    function has(matched, word) { return matched.some(function (m) { return m.indexOf(word) === 0; }); }
    return {
      search: function (q, options) {
        return Promise.all(parts.map(function (pf) { return pf.search(q, options); })).then(function (found) {
          var words = (q ? queryWords(q) : []).filter(function (w) { return !stemmed || HAN.test(w); });
          return Promise.all(found.map(function (s) {
            return words.length && s.results.length ? s.results[0].data().then(matchedWords) : null;
          })).then(function (matched) {
            var known = words.filter(function (w) { return matched.some(function (m) { return m && has(m, w); }); });
            var use = found.filter(function (s, i) {
              return !matched[i] || known.every(function (w) { return has(matched[i], w); });
            });
            var results = [], filters = {};
            use.forEach(function (s) {
              results = results.concat(s.results);
              Object.keys(s.filters || {}).forEach(function (facet) {
                var into = filters[facet] = filters[facet] || {};
                Object.keys(s.filters[facet]).forEach(function (v) { into[v] = (into[v] || 0) + s.filters[facet][v]; });
              });
            });
            results.sort(function (a, b) { return b.score - a.score; });
            return { results: results, filters: filters };
          });
        });
      }
    };
  }

  function pagefind() {
    if (!engine) {
      var bundle = new URL(C.bundle, root);
      var settings = {
        baseUrl: root.pathname,
        excerptLength: 24,
        ranking: { metaWeights: { title: 5, id: 5, terms: 5 } }
      };
      var listing = fetch(new URL("cir-parts.json", bundle).href).then(function (r) {
        return r.ok ? r.json() : { parts: [] };
      }, function () { return { parts: [] }; });
      engine = Promise.all([load(bundle.href, settings), listing]).then(function (got) {
        var others = (got[1].parts || []).map(function (part) {
          return load(new URL(part + "pagefind.js", bundle).href, settings);
        });
        return Promise.all(others).then(function (rest) { return merged([got[0]].concat(rest)); });
      });
    }
    return engine;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function count(n) {
    if (n === 0) return S.search_none || "No results";
    if (n === 1) return S.search_one || "1 result";
    return (S.search_count || "{n} results").replace("{n}", String(n));
  }

  /* one result: "IMP-0042 · 实施中", the title, the excerpt */
  function hit(data) {
    var item = el("li", "cir-search-hit");
    var a = el("a");
    a.href = data.url;
    var meta = data.meta || {};
    var line = [meta.id, meta.status || meta.kind].filter(Boolean).join(" · ");
    if (line) a.appendChild(el("span", "cir-search-hit__meta", line));
    a.appendChild(el("span", "cir-search-hit__title", meta.title || data.url));
    var excerpt = el("span", "cir-search-hit__excerpt");
    excerpt.innerHTML = data.excerpt || "";  // escaped by Pagefind, <mark> added
    a.appendChild(excerpt);
    item.appendChild(a);
    return item;
  }

  /* follow a link the way a click does (Material's instant navigation picks it up) */
  function go(href) {
    var a = el("a");
    a.href = href;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function searchPage(q) {
    var url = new URL(pageUrl.href);
    if (q) url.searchParams.set("q", q);
    return url.href;
  }

  /* --- the header box: a combobox listing the first results as the reader types */
  function initBox(form) {
    if (form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "1");
    form.action = pageUrl.href;  // the header stays across instant navigation: no page-relative URL
    var input = form.querySelector("input");
    var panel = form.querySelector(".cir-search-box__panel");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-search-status]");
    var options = [], active = -1, seq = 0, timer = 0;

    function setActive(i) {
      active = i;
      options.forEach(function (o, k) { o.setAttribute("aria-selected", k === i ? "true" : "false"); });
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function open(yes) {
      panel.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) setActive(-1);
    }
    /* each result's link is the option (a link inside an option would be a control in a control) */
    function show(items, text) {
      var frag = document.createDocumentFragment();
      options = items.map(function (li, k) {
        var a = li.querySelector("a");
        li.setAttribute("role", "none");
        a.id = "cir-search-box-option-" + k;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.tabIndex = -1;
        frag.appendChild(li);
        return a;
      });
      list.replaceChildren(frag);
      setActive(-1);
      open(items.length > 0);
      status.textContent = text;
    }
    function run() {
      var q = input.value.trim(), mine = ++seq;
      if (!q) { show([], ""); return; }
      pagefind().then(function (pf) { return pf.search(q); }).then(function (search) {
        if (mine !== seq) return null;
        return Promise.all(search.results.slice(0, BOX_LIMIT).map(function (r) { return r.data(); })).then(function (found) {
          if (mine !== seq) return;
          var items = found.map(hit);
          var n = search.results.length;
          var all = el("li", "cir-search-hit cir-search-hit--all");
          var link = el("a", "", n ? (S.search_all || "All {n} results").replace("{n}", String(n)) : count(0));
          link.href = searchPage(q);
          all.appendChild(link);
          items.push(all);
          show(items, count(n));
        });
      }).catch(function () {
        if (mine === seq) show([], S.search_unavailable || "");
      });
    }
    input.addEventListener("focus", function () {
      pagefind().catch(function () { engine = null; });
      if (options.length && input.value.trim()) open(true);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 100);
    });
    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) return;
        if (panel.hidden) open(true);
        var next = key === "ArrowDown" ? active + 1 : active - 1;
        setActive(next >= options.length ? 0 : next < 0 ? options.length - 1 : next);
      } else if (key === "Escape") {
        event.preventDefault();
        if (!panel.hidden) open(false);
        else { input.value = ""; run(); }
      } else if (key === "Enter") {
        event.preventDefault();
        var target = active >= 0 ? options[active].href : searchPage(input.value.trim());
        open(false);
        go(target);
      } else if (key === "Tab") {
        open(false);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      go(searchPage(input.value.trim()));
    });
    list.addEventListener("click", function () { open(false); });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) open(false);
    });
  }

  /* --- the search page: ?q= and the facets from the URL, the URL kept up to date */
  function initPage(box) {
    if (box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var form = box.querySelector("form");
    var input = box.querySelector("input[name=q]");
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-facet]"));
    var status = box.querySelector("[data-search-status]");
    var list = box.querySelector(".cir-search__results");
    var more = box.querySelector(".cir-search__more");
    var params = new URLSearchParams(location.search);
    var current = null, shown = 0, seq = 0, timer = 0, first = true;

    input.value = params.get("q") || "";
    selects.forEach(function (select) {
      select.querySelectorAll("option").forEach(function (o) { o.setAttribute("data-label", o.textContent); });
      var wanted = params.get(select.name);
      if (!wanted) return;
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === wanted; });
      if (!known) {  // a value the site no longer has: keep it, so that the reader sees why nothing matches
        var option = el("option", "", wanted);
        option.value = wanted;
        option.setAttribute("data-label", wanted);
        select.appendChild(option);
      }
      select.value = wanted;
    });

    function chosen() {
      var filters = {};
      selects.forEach(function (s) { if (s.value) filters[s.name] = s.value; });
      return filters;
    }
    function syncUrl() {
      var url = new URL(location.href);
      url.search = "";
      var q = input.value.trim();
      if (q) url.searchParams.set("q", q);
      selects.forEach(function (s) { if (s.value) url.searchParams.set(s.name, s.value); });
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
    }
    function counts(found) {
      selects.forEach(function (select) {
        var values = (found && found[select.name]) || {};
        Array.prototype.forEach.call(select.options, function (o) {
          if (!o.value) return;
          var n = Object.prototype.hasOwnProperty.call(values, o.value) ? values[o.value] : 0;
          o.textContent = o.getAttribute("data-label") + " (" + n + ")";
        });
      });
    }
    /* the next page of results; the first replaces the last search's results in one go */
    function showMore() {
      var mine = seq, slice = current.results.slice(shown, shown + PAGE_SIZE);
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (found) {
        if (mine !== seq) return null;
        var items = found.map(hit);
        if (shown === 0) list.replaceChildren.apply(list, items);
        else items.forEach(function (li) { list.appendChild(li); });
        shown += items.length;
        more.hidden = shown >= current.results.length;
        if (first && items.length) {
          first = false;
          if (window.performance && performance.mark) performance.mark("cir-search-first-result");
        }
        box.setAttribute("data-searched", String(seq));
        return items;
      });
    }
    function run() {
      syncUrl();
      var q = input.value.trim(), filters = chosen(), mine = ++seq;
      if (!q && !Object.keys(filters).length) {
        current = null;
        list.replaceChildren();
        more.hidden = true;
        status.textContent = S.search_hint || "";
        box.setAttribute("data-searched", String(seq));
        return;
      }
      status.textContent = S.search_loading || "";
      pagefind().then(function (pf) { return pf.search(q || null, { filters: filters }); }).then(function (search) {
        if (mine !== seq) return null;
        current = search;
        shown = 0;
        counts(search.filters);
        return showMore().then(function () {
          if (mine === seq) status.textContent = count(search.results.length);
        });
      }).catch(function () {
        if (mine !== seq) return;
        status.textContent = S.search_unavailable || "";
        box.setAttribute("data-searched", String(seq));
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    selects.forEach(function (s) { s.addEventListener("change", run); });
    more.addEventListener("click", function () {
      showMore().then(function (items) {
        var link = items && items.length && items[0].querySelector("a");
        if (link) link.focus();  // keyboard and screen-reader users continue where the new results start
      });
    });
    run();
  }

  function init() {
    document.querySelectorAll("[data-cir-search=box]").forEach(initBox);
    document.querySelectorAll("[data-cir-search=page]").forEach(initPage);
  }

  /* "/" puts the cursor in the search field, as in most documentation sites */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var input = document.querySelector(".cir-search__input") || document.querySelector(".cir-search-box__input");
    if (input) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
