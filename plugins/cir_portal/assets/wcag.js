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
  // continues from there. Instant navigation may swap the page in again after the click (and
  // with it the heading): then the new heading gets the focus once the page is in place, unless
  // the reader has moved on meanwhile (the focus is not lost with the old page: keep it there).
  var skipTo = null;
  function focusSkipTarget(ifLost) {
    var target = skipTo && document.getElementById(skipTo);
    if (!target) return;
    var now = document.activeElement;
    if (ifLost && now && now !== document.body && now !== target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }
  document.addEventListener("click", function (event) {
    var skip = event.target && event.target.closest ? event.target.closest("a.md-skip") : null;
    if (!skip) return;
    skipTo = decodeURIComponent(new URL(skip.href, location.href).hash.slice(1));
    focusSkipTarget();
    setTimeout(function () { skipTo = null; }, 3000);  // no swap came: nothing more to do
  }, true);  // capture: before instant navigation handles (and may stop) the click
  // The register fills its table after loading its index: re-check when a table changes.
  var observer = typeof MutationObserver !== "undefined" ? new MutationObserver(later) : null;
  function init() {
    update();
    focusSkipTarget(true);
    skipTo = null;
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
