/* 适老化: large text and high contrast, remembered in this browser; a note above a table that
   must scroll sideways; for print, folded parts opened and each page's foot carrying the
   page's URL and the print date. The page works without it. */
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
  var HINT = "表格较宽，可左右滑动查看 →";
  function hints() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-box"), function (box) {
      var before = box.previousElementSibling;
      var shown = before && before.classList.contains("scroll-hint");
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !shown) {
        var note = document.createElement("p");
        note.className = "scroll-hint no-print";
        note.textContent = HINT;
        box.parentNode.insertBefore(note, box);
      } else if (!wide && shown) {
        before.remove();
      }
    });
  }
  function trace() {
    var d = new Date();
    var text = "网址：" + location.href.split("#")[0] + " · 打印日期：" + d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日";
    var style = document.getElementById("print-trace") || document.head.appendChild(document.createElement("style"));
    style.id = "print-trace";
    style.textContent = "@media print{@page{@bottom-left{content:" + JSON.stringify(text) + "}}}";
  }
  window.addEventListener("resize", hints);
  window.addEventListener("beforeprint", function () {
    trace();
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-opened]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-print-opened");
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    hints();
    trace();
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
        hints();
        button.setAttribute("aria-pressed", String(state[view]));
      });
    });
  });
})();
