/* cir-portal: the interactive register and status board.
 * Rows come from a compact JSON index; only one page of rows is in the DOM at a time. The
 * register page is served with its first page of rows and loads the index after it has painted.
 * Values are inserted with textContent, never as HTML.
 * Initialised through Material's document$ so it survives instant navigation. */
(function () {
  "use strict";
  var indexes = {};

  function isoDay(days) {
    return typeof days === "number" ? new Date(days * 86400000).toISOString().slice(0, 10) : days;
  }

  /* rows hold positions in data.values (keys written once), day numbers and the URL after the id */
  function decode(data) {
    var cols = data.columns, values = data.values || {}, dates = data.dates || [], url = data.url || {};
    var teamOf = data.team_of || {};
    data.records = data.rows.map(function (row) {
      var rec = {};
      for (var i = 0; i < cols.length; i++) {
        var col = cols[i], v = row[i], keys = values[col];
        if (keys) v = Array.isArray(v) ? v.map(function (k) { return keys[k]; }) : keys[v];
        else if (dates.indexOf(col) >= 0) v = isoDay(v);
        rec[col] = v;
      }
      rec.url = typeof rec.url === "string" ? (url.prefix || "") + rec.id + rec.url + (url.suffix || "") : rec.url[0];
      rec.team = teamOf[rec.owner] || "";
      rec.escalated = !!rec.escalated;
      rec.value = rec.value || "";
      rec.search = (rec.id + " " + rec.title + " " + rec.value).toLowerCase();
      return rec;
    });
    return data;
  }

  function loadIndex(url) {
    if (!indexes[url]) {
      indexes[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("cannot load " + url);
        return r.json();
      }).then(decode);
    }
    return indexes[url];
  }

  /* run fn once the page has painted (the next frame, then the next task) */
  function afterPaint(fn) {
    if (window.requestAnimationFrame) window.requestAnimationFrame(function () { setTimeout(fn, 0); });
    else setTimeout(fn, 0);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(map, key) {
    return (map && Object.prototype.hasOwnProperty.call(map, key)) ? map[key] : key;
  }

  function statusBadge(data, status) {
    return el("span", "cir-status cir-status--" + status, label(data.labels.status, status));
  }

  function filtersOf(root) {
    var out = {};
    root.querySelectorAll("[data-filter]").forEach(function (input) {
      out[input.getAttribute("data-filter")] = input.value.trim();
    });
    return out;
  }

  function matches(rec, f) {
    if (f.status && rec.status !== f.status) return false;
    if (f.owner && rec.owner !== f.owner) return false;
    if (f.team && rec.team !== f.team) return false;
    if (f.urgency && rec.urgency !== f.urgency) return false;
    if (f.cost && rec.cost !== f.cost) return false;
    if (f.source && rec.source !== f.source) return false;
    if (f.affects && rec.affects.indexOf(f.affects) < 0) return false;
    if (f.practice && rec.affects.indexOf(f.practice) < 0) return false;
    if (f.service && rec.affects.indexOf(f.service) < 0) return false;
    if (f.tag && rec.tags.indexOf(f.tag) < 0) return false;
    if (f.initiative && rec.id !== f.initiative && rec.part_of !== f.initiative) return false;
    if (f.q && rec.search.indexOf(f.q.toLowerCase()) < 0) return false;
    return true;
  }

  var LEVEL = { high: 0, medium: 1, low: 2, "": 3 };

  function initRegister(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var base = new URL(root.getAttribute("data-root") || "./", location.href);
    var pageSize = parseInt(root.getAttribute("data-page-size") || "50", 10);
    var tbody = root.querySelector("tbody");
    var countEl = root.querySelector("[data-count]");
    var info = root.querySelector("[data-page-info]");
    var state = { sort: "id", dir: 1, page: 0 };
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
    var served = tbody.hasAttribute("data-prerendered");  // the first page, by id, is in the HTML

    afterPaint(function () { loadIndex(new URL(root.getAttribute("data-index"), location.href).href).then(function (data) {
      var order = data.status_order || Object.keys(data.labels.status);
      function key(rec) {
        if (state.sort === "status") return order.indexOf(rec.status);
        if (state.sort === "urgency" || state.sort === "cost") return LEVEL[rec[state.sort]];
        if (state.sort === "owner") return label(data.labels.people, rec.owner);
        if (state.sort === "priority") return rec.priority === null || rec.priority === undefined ? -1 : rec.priority;
        return rec[state.sort];
      }
      function render() {
        var f = filtersOf(root);
        var rows = data.records.filter(function (r) { return matches(r, f); });
        rows.sort(function (a, b) {
          var ka = key(a), kb = key(b);
          var c = (typeof ka === "number" && typeof kb === "number") ? ka - kb : collator.compare(String(ka), String(kb));
          return (c || collator.compare(a.id, b.id)) * state.dir;
        });
        var pages = Math.max(1, Math.ceil(rows.length / pageSize));
        if (state.page >= pages) state.page = pages - 1;
        var slice = rows.slice(state.page * pageSize, (state.page + 1) * pageSize);
        var frag = document.createDocumentFragment();
        slice.forEach(function (rec) {
          var tr = el("tr");
          tr.setAttribute("data-id", rec.id);
          var a = el("a", "", rec.id);
          a.href = new URL(rec.url, base).href;
          var td = el("td"); td.appendChild(a); tr.appendChild(td);
          tr.appendChild(el("td", "", rec.title));
          td = el("td"); td.appendChild(statusBadge(data, rec.status)); tr.appendChild(td);
          tr.appendChild(el("td", "", rec.owner ? label(data.labels.people, rec.owner) : ""));
          tr.appendChild(el("td", "", label(data.labels.words, rec.urgency)));
          tr.appendChild(el("td", "", label(data.labels.words, rec.cost)));
          tr.appendChild(el("td", "cir-priority", rec.priority === null || rec.priority === undefined ? "" : rec.priority.toFixed(2)));
          tr.appendChild(el("td", "cir-supporters", rec.supporters ? rec.supporters : ""));
          tr.appendChild(el("td", "", rec.raised));
          frag.appendChild(tr);
        });
        tbody.replaceChildren(frag);
        countEl.textContent = String(rows.length);
        info.textContent = (state.page + 1) + " / " + pages;
        // A pager button that becomes disabled would drop the keyboard focus: hand it to the other one.
        var prev = root.querySelector('[data-page="prev"]'), next = root.querySelector('[data-page="next"]');
        var focused = document.activeElement;
        prev.disabled = state.page === 0;
        next.disabled = state.page >= pages - 1;
        if (focused === prev && prev.disabled && !next.disabled) next.focus();
        if (focused === next && next.disabled && !prev.disabled) prev.focus();
        root.querySelectorAll("[data-sort]").forEach(function (b) {
          var th = b.parentNode;
          th.setAttribute("aria-sort", b.getAttribute("data-sort") === state.sort ? (state.dir > 0 ? "ascending" : "descending") : "none");
        });
      }
      root.querySelectorAll("[data-filter]").forEach(function (input) {
        input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () { state.page = 0; render(); });
      });
      root.querySelectorAll("[data-sort]").forEach(function (button) {
        button.addEventListener("click", function () {
          var k = button.getAttribute("data-sort");
          // highest priority and most supporters first
          state.dir = (state.sort === k) ? -state.dir : (k === "priority" || k === "supporters" ? -1 : 1);
          state.sort = k;
          render();
        });
      });
      root.querySelector('[data-page="prev"]').addEventListener("click", function () { state.page -= 1; render(); });
      root.querySelector('[data-page="next"]').addEventListener("click", function () { state.page += 1; render(); });
      var f = filtersOf(root);
      var untouched = Object.keys(f).every(function (k) { return !f[k]; });
      if (!(served && untouched)) render();  // else the rows as served are the rows render() would write
      root.setAttribute("data-loaded", "1");
    }).catch(function (err) { root.appendChild(el("p", "cir-error", String(err))); }); });
  }

  var CARD_LIMIT = 100;

  function initBoard(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var base = new URL(root.getAttribute("data-root") || "./", location.href);
    var ageLabel = root.getAttribute("data-age-label") || "days";
    var showAll = root.getAttribute("data-show-all") || "Show all";
    var escalated = root.getAttribute("data-escalated") || "!";
    var today = new Date();
    loadIndex(new URL(root.getAttribute("data-index"), location.href).href).then(function (data) {
      function card(rec) {
        var li = el("li", "cir-board-card");
        li.setAttribute("data-id", rec.id);
        var a = el("a", "cir-board-card__title", rec.id + " " + rec.title);
        a.href = new URL(rec.url, base).href;
        li.appendChild(a);
        var meta = el("div", "cir-board-card__meta");
        if (rec.owner) meta.appendChild(el("span", "cir-board-card__owner", label(data.labels.people, rec.owner)));
        if (rec.urgency) meta.appendChild(el("span", "cir-badge cir-urgency--" + rec.urgency, label(data.labels.words, rec.urgency)));
        var days = Math.max(0, Math.floor((today - new Date(rec.since + "T00:00:00Z")) / 86400000));
        meta.appendChild(el("span", "cir-board-card__age", days + " " + ageLabel));
        if (rec.escalated) {
          var flag = el("span", "cir-badge cir-flag--escalated");
          flag.appendChild(el("span", "", "!")).setAttribute("aria-hidden", "true");
          flag.appendChild(el("span", "cir-sr-only", escalated));
          flag.title = escalated;
          meta.appendChild(flag);
        }
        li.appendChild(meta);
        return li;
      }
      function render() {
        var f = filtersOf(root);
        root.querySelectorAll("[data-status]").forEach(function (column) {
          var status = column.getAttribute("data-status");
          var recs = data.records.filter(function (r) { return r.status === status && matches(r, f); });
          column.querySelector("[data-count]").textContent = String(recs.length);
          var list = column.querySelector(".cir-column__cards");
          var frag = document.createDocumentFragment();
          recs.slice(0, CARD_LIMIT).forEach(function (rec) { frag.appendChild(card(rec)); });
          list.replaceChildren(frag);
          var old = column.querySelector(".cir-column__more");
          if (old) old.remove();
          if (recs.length > CARD_LIMIT) {
            var more = el("button", "cir-column__more", showAll + " (" + recs.length + ")");
            more.type = "button";
            more.addEventListener("click", function () {
              var rest = document.createDocumentFragment();
              recs.slice(CARD_LIMIT).forEach(function (rec) { rest.appendChild(card(rec)); });
              list.appendChild(rest);
              more.remove();
            });
            list.after(more);
          }
        });
      }
      root.querySelectorAll("[data-filter]").forEach(function (input) { input.addEventListener("change", render); });
      render();
      root.setAttribute("data-loaded", "1");
    }).catch(function (err) { root.appendChild(el("p", "cir-error", String(err))); });
  }

  function init() {
    document.querySelectorAll(".cir-register").forEach(initRegister);
    document.querySelectorAll(".cir-board").forEach(initBoard);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
