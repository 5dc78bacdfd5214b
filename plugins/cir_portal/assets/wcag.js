/* cir-portal: keyboard and screen-reader support that depends on the reader's screen.
 * A table wrapper (.cir-scroll) that has to scroll sideways (a narrow screen, high zoom)
 * becomes a named, focusable region so it can be scrolled with the keyboard; one that fits
 * stays out of the tab order. Runs on every Material document$ emission and on resize.
 * Following "skip to content" moves the focus to the content's heading. */
(function () {
  "use strict";

  function update() {
    document.querySelectorAll(".cir-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.getAttribute("data-label") || "");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var pending = null;
  function later() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () { pending = null; update(); }, 100);
  }

  window.addEventListener("resize", later);

  // "Skip to content": move the keyboard focus to the heading it points at, so that the next Tab
  // continues from there (instant navigation handles the link's scrolling but not the focus).
  document.addEventListener("click", function (event) {
    var skip = event.target && event.target.closest ? event.target.closest("a.md-skip") : null;
    if (!skip) return;
    var target = document.getElementById(decodeURIComponent(new URL(skip.href, location.href).hash.slice(1)));
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  // The register fills its table after loading its index: re-check when a table changes.
  var observer = typeof MutationObserver !== "undefined" ? new MutationObserver(later) : null;
  function init() {
    update();
    if (observer) {
      observer.disconnect();
      document.querySelectorAll(".cir-scroll tbody").forEach(function (body) { observer.observe(body, { childList: true }); });
    }
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
