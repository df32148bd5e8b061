// How tables read on every page, once Material has rendered it (and, for scrolling, again
// when the window is resized):
// - Wide tables and long code lines scroll sideways inside the page. Make each such region
//   reachable with the keyboard (axe-core rule scrollable-region-focusable): a region that
//   actually overflows gets tabindex="0". The build wraps tables in Material's scroll
//   wrapper (generators/site_hooks.py); Material's bundle wraps the rest (a table holding
//   another table) once it has run, which is why this waits for it.
// - A metric key in a table (`bench.polars_vs_pandas.speedup`) may break only after a dot:
//   it gets the class metric-key (site.css keeps it from breaking anywhere else) and a <wbr>
//   after each dot, where the page did not already put one.
// - Each cell of a decision record's evidence panel carries its column's name (data-label),
//   which site.css shows in front of the cell when a phone stacks the panel's table.
(function () {
  var METRIC_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

  function markScrollable() {
    var regions = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code");
    regions.forEach(function (el) {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function breakKeysAtDots() {
    document.querySelectorAll(".md-typeset td code, .md-typeset th code").forEach(function (code) {
      if (code.children.length > 0 && !code.querySelector("wbr")) return;
      if (!METRIC_KEY.test(code.textContent.trim())) return;
      code.classList.add("metric-key");
      if (code.querySelector("wbr")) return;
      var parts = code.textContent.trim().split(".");
      code.textContent = "";
      parts.forEach(function (part, i) {
        if (i > 0) {
          code.appendChild(document.createTextNode("."));
          code.appendChild(document.createElement("wbr"));
        }
        code.appendChild(document.createTextNode(part));
      });
    });
  }

  function labelEvidenceCells() {
    document.querySelectorAll(".md-typeset .admonition.abstract table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (names[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[i]);
        });
      });
    });
  }

  function onPage() {
    breakKeysAtDots();
    labelEvidenceCells();
    window.requestAnimationFrame(markScrollable);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(onPage);
  } else {
    window.addEventListener("load", onPage);
  }
  window.addEventListener("resize", markScrollable);
})();
