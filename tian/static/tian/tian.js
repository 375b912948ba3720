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

// The draft page (form[data-autosave]): each autosave answers the draft's new revision, which the form sends back
// with its next save (a save from a page opened before another author's save is refused, not written over theirs).
// A button pressed while an autosave is on its way (the one that leaving the text for the button set off) waits for
// its answer, so that the page's own autosave never refuses its save; once the form is sent, no autosave starts.
document.querySelectorAll("form[data-autosave]").forEach(function (form) {
  var pending = 0, waiting = false, held = null, clicked = null, timer = null;
  function send() {
    var button = held;
    waiting = false;
    held = null;
    window.clearTimeout(timer);
    if (form.requestSubmit) {
      form.requestSubmit(button || undefined);
      return;
    }
    if (button && button.name) {  // (an older browser: the button's name and value, as a click sends them)
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = button.name;
      input.value = button.value;
      form.appendChild(input);
    }
    form.dataset.leaving = "1";
    form.submit();
  }
  form.addEventListener("click", function (event) {  // (the button, for a browser that does not name it)
    clicked = event.target.closest("button[type=submit], button:not([type])");
    window.setTimeout(function () { clicked = null; }, 0);
  });
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    if (form.dataset.leaving) { event.preventDefault(); return; }
    pending += 1;
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    pending = Math.max(0, pending - 1);
    if (!pending && waiting) { window.setTimeout(send, 0); }
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter || clicked;
    if (pending) {
      event.preventDefault();
      waiting = true;
      held = button && button.form === form ? button : null;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { pending = 0; send(); }, 10000);  // an answer that never comes
      return;
    }
    form.dataset.leaving = "1";
  });
});

// A form sent is not sent again by a second click while the next page loads (two drafts, two contact records):
// a second submission within a few seconds is dropped. The flag clears itself, for a form whose answer is a file
// (the page stays) and for a page brought back by the browser's Back button.
document.addEventListener("submit", function (event) {
  var form = event.target;
  // (getAttribute: a form with a field named "method", as the contact form has, hides the property.)
  if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  window.setTimeout(function () { delete form.dataset.sent; }, 3000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (form) { delete form.dataset.sent; });
  document.querySelectorAll("form[data-leaving]").forEach(function (form) { delete form.dataset.leaving; });
});

// The user menu (a <details>): Escape closes it and gives the focus back to its name; focus leaving it (Tab past
// "Sign out") closes it, so that the link focused next is not hidden under the open panel.
document.querySelectorAll("details.user-menu").forEach(function (menu) {
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  menu.addEventListener("focusout", function (event) {
    if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) { menu.open = false; }
  });
});

// A part of the page that htmx replaces by itself (the statistics arriving while "Load again" had the focus) takes
// the focused element with it, and the focus falls back to the top of the page: it goes to the new part instead
// (the page's main region, which takes the focus: tabindex="-1").
var focusWasSwapped = false;
document.addEventListener("htmx:beforeSwap", function (event) {
  focusWasSwapped = event.detail.target.contains(document.activeElement);
});
document.addEventListener("htmx:afterSettle", function () {
  var lost = !document.activeElement || document.activeElement === document.body;
  var main = document.getElementById("main");
  if (focusWasSwapped && lost && main) { main.focus({preventScroll: true}); }
  focusWasSwapped = false;
});

// A link to a form folded in a <details> (the office's follow-up list links to "record a report received on paper",
// #do-record_paper_follow_up) opens it; without scripts the page is reached and the form is one click away.
function openLinkedDetails() {
  var id = decodeURIComponent(window.location.hash.slice(1));
  var target = id && document.getElementById(id);
  if (target && target.tagName === "DETAILS") { target.open = true; }
}
openLinkedDetails();
window.addEventListener("hashchange", openLinkedDetails);
