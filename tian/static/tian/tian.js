// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  // Confirm irreversible actions: <button data-confirm="…">.
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
