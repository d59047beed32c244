/* 适老化: large text and high contrast, remembered in this browser. The page works without it. */
(function () {
  var KEY = "disclose-view";
  var root = document.documentElement;
  var state = {};
  try { state = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { state = {}; }
  function apply() {
    root.classList.toggle("view-large", !!state.large);
    root.classList.toggle("view-contrast", !!state.contrast);
  }
  apply();
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".view-switch");
    if (!box) return;
    box.hidden = false;
    Array.prototype.forEach.call(box.querySelectorAll("button[data-view]"), function (button) {
      var view = button.getAttribute("data-view");
      button.setAttribute("aria-pressed", String(!!state[view]));
      button.addEventListener("click", function () {
        state[view] = !state[view];
        try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
        apply();
        button.setAttribute("aria-pressed", String(state[view]));
      });
    });
  });
})();
