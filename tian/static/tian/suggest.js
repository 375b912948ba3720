// The suggested units (templates/suggest/_suggestions.html): "采用" fills the assignment form's fields, the lead
// unit's select (lead_unit) or an assisting unit's box (assisting_units). Nothing is submitted: the clerk assigns.
(function () {
  "use strict";
  if (window.tianSuggestions) { return; }  // the include may appear more than once on a page
  window.tianSuggestions = true;

  function say(box, text) {
    var status = box.querySelector("[data-take-status]");
    if (status) { status.textContent = text; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-take-lead], [data-take-assisting]");
    if (!button) { return; }
    var box = button.closest("[data-suggestions]");
    var scope = box.closest("form") || document;
    var name = button.closest("li").querySelector("strong").textContent;
    if (button.hasAttribute("data-take-lead")) {
      var id = button.getAttribute("data-take-lead");
      var select = scope.querySelector("select[name$='lead_unit']") || document.querySelector("select[name$='lead_unit']");
      if (!select || !select.querySelector("option[value='" + id + "']")) { say(box, box.dataset.missing); return; }
      select.value = id;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      // A unit is chosen once: the new lead is no longer an assisting unit.
      var same = (scope.querySelector("input[name$='assisting_units'][value='" + id + "']"));
      if (same && same.checked) { same.checked = false; same.dispatchEvent(new Event("change", { bubbles: true })); }
      say(box, box.dataset.tookLead + name);
    } else {
      var unit = button.getAttribute("data-take-assisting");
      var tick = scope.querySelector("input[name$='assisting_units'][value='" + unit + "']") ||
        document.querySelector("input[name$='assisting_units'][value='" + unit + "']");
      if (!tick) { say(box, box.dataset.missing); return; }
      tick.checked = true;
      tick.dispatchEvent(new Event("change", { bubbles: true }));
      say(box, box.dataset.tookAssisting + name);
    }
  });
})();
