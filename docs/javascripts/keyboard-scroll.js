// Wide tables and long code lines scroll sideways inside the page. Make each such region
// reachable with the keyboard (axe-core rule scrollable-region-focusable): a region that
// actually overflows gets tabindex="0". Material wraps tables after the page loads, so this
// runs on every page Material renders, and again when the window is resized.
(function () {
  function markScrollable() {
    var regions = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code");
    regions.forEach(function (el) {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { window.requestAnimationFrame(markScrollable); });
  } else {
    window.addEventListener("load", markScrollable);
  }
  window.addEventListener("resize", markScrollable);
})();
