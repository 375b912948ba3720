// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  // Confirm irreversible actions: <button data-confirm="…">.
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// A long list of boxes to tick (units): a field above it that hides the names not containing what is typed.
document.querySelectorAll("div.checklist").forEach(function (list) {
  var boxes = list.querySelectorAll("label");
  if (boxes.length < 8) { return; }
  var filter = document.createElement("input");
  filter.type = "search";
  filter.className = "checklist-filter";
  filter.placeholder = list.getAttribute("data-filter-placeholder") || "输入名称筛选";
  filter.setAttribute("aria-label", filter.placeholder);
  filter.addEventListener("input", function () {
    var text = filter.value.trim();
    boxes.forEach(function (box) {
      var row = box.parentElement.tagName === "DIV" ? box.parentElement : box;
      row.hidden = text !== "" && box.textContent.indexOf(text) === -1;
    });
  });
  list.parentElement.insertBefore(filter, list);
});

// A form sent back with errors: bring the first one into view and put the cursor in its field, wherever the
// address's anchor pointed (the section of the button pressed may not be where the mistake is).
window.addEventListener("load", function () {
  var error = document.querySelector("main .field--error, main .form-errors");
  if (!error) { return; }
  error.scrollIntoView({block: "center"});
  var field = error.querySelector("input:not([type=hidden]), select, textarea");
  if (field) { field.focus({preventScroll: true}); }
});
