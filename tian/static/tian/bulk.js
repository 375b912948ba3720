// The office's bulk bar (templates/proposals/_bulk_bar.html). Without this file the page works as it is: the
// "all on this page" box sends the page's rows, the server reads them. With it, that box ticks the rows, a
// row unticked unticks it, and the bar counts what is selected.
(function () {
  "use strict";

  function rows(formId) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + formId + '"]'));
  }

  function update(bar) {
    var formId = bar.getAttribute("data-bulk");
    var boxes = rows(formId);
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    var page = bar.querySelector("[data-bulk-page]");
    var everything = bar.querySelector("[data-bulk-everything]");
    if (page) {
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = bar.querySelector("[data-bulk-count]");
    if (count) {
      var label = everything && everything.checked ? everything.parentNode.textContent.trim() : String(ticked);
      count.textContent = ticked || (everything && everything.checked)
        ? count.getAttribute("data-bulk-count").replace("%s", label) : "";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var bar;
    if (target.matches("[data-bulk-page]")) {
      bar = target.closest("[data-bulk]");
      // The rows speak for themselves once ticked: the box only ticks or unticks them.
      rows(bar.getAttribute("data-bulk")).forEach(function (b) { b.checked = target.checked; });
      target.removeAttribute("name");
      update(bar);
    } else if (target.matches("[data-bulk-everything]")) {
      update(target.closest("[data-bulk]"));
    } else if (target.matches('input[name="ids"][form]')) {
      bar = document.querySelector('[data-bulk="' + target.getAttribute("form") + '"]');
      if (bar) { update(bar); }
    }
  });

  document.querySelectorAll("[data-bulk]").forEach(update);
})();
