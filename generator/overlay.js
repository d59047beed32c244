// The preview's overlay (disclose serve only; never part of a built site).
// While the content has errors it lists them over every page, with file, line
// and field as `disclose check` prints them, and says when this page is the
// last good version. Warnings go in a panel that can be folded. Everything is
// put in with textContent: record text never becomes markup.
(function () {
  "use strict";
  var STATUS = "/__disclose/status.json";
  // Asked every second: the build counter alone. The whole status (1.4 MB with 3,400 warnings) is
  // fetched once per build, to draw the overlay; asked every second it cost the preview's rebuilds time.
  var BUILD = "/__disclose/build.json";
  var drawn = null;
  // The build this page was served at (serve.py): a rebuild that finished before the first poll still
  // reloads it, even when its reload message came before the page was listening.
  var served = document.currentScript && document.currentScript.getAttribute("data-build");
  var seen = served ? Number(served) : null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function list(problems) {
    var ul = el("ul", { "class": "disclose-problems" });
    problems.forEach(function (p) {
      var li = el("li");
      var where = p.file + (p.line ? ":" + p.line : "");
      if (where) li.appendChild(el("code", { "class": "disclose-where" }, where));
      if (p.field) li.appendChild(el("span", { "class": "disclose-field" }, " 字段 " + p.field + "："));
      li.appendChild(el("span", { "class": "disclose-message" }, (p.field ? "" : " ") + p.message));
      ul.appendChild(li);
    });
    return ul;
  }

  function here(status) {
    var path = decodeURIComponent(location.pathname);
    if (path.indexOf(status.prefix) === 0) path = path.slice(status.prefix.length);
    return path.replace(/index\.html$/, "");
  }

  function style() {
    var css = el("style", {}, [
      "#disclose-overlay{position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:2147483647;",
      "background:#fff;color:#1a1a1a;border-top:4px solid #b00020;box-shadow:0 -2px 12px rgba(0,0,0,.25);",
      "font:16px/1.5 system-ui,sans-serif;padding:1rem 1.25rem}",
      "#disclose-overlay h2{margin:0 0 .5rem;font-size:1.15rem;color:#b00020}",
      "#disclose-overlay .disclose-stale{font-weight:bold}",
      "#disclose-overlay ul{margin:.25rem 0 .75rem;padding-left:1.25rem}",
      "#disclose-overlay code{font-family:ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}",
      "#disclose-overlay.disclose-warnings-only{border-top-color:#8a5a00}",
      "#disclose-overlay.disclose-warnings-only h2{color:#8a5a00}",
      "#disclose-overlay summary{cursor:pointer;font-weight:bold}",
      "#disclose-overlay button{float:right;font:inherit}"
    ].join(""));
    return css;
  }

  function show(status) {
    var old = document.getElementById("disclose-overlay");
    if (old) old.remove();
    var errors = status.errors || [], warnings = status.warnings || [];
    if (!errors.length && !warnings.length) return;
    var box = el("section", { id: "disclose-overlay", role: errors.length ? "alert" : "status",
                              "aria-label": "预览提示" });
    box.appendChild(style());
    if (errors.length) {
      box.appendChild(el("h2", {}, "内容有 " + errors.length + " 个错误，网站未能重新生成"));
      var page = here(status), stale = status.stale || [];
      var mine = stale.indexOf("*") >= 0 || stale.indexOf(page) >= 0;
      box.appendChild(el("p", { "class": "disclose-stale" }, mine
        ? "本页显示的是上次成功生成的旧版本，尚未包含最近的修改。"
        : "预览中的页面是上次成功生成的版本。"));
      box.appendChild(list(errors));
      if (stale.length && stale.indexOf("*") < 0) {
        box.appendChild(el("p", {}, "未能更新的页面："));
        var pages = el("ul", { "class": "disclose-stale-pages" });
        stale.forEach(function (url) {
          var li = el("li"), a = el("a", { href: status.prefix + url }, status.prefix + url);
          li.appendChild(a);
          pages.appendChild(li);
        });
        box.appendChild(pages);
      }
      box.appendChild(el("p", {}, "改正并保存文件后，本页会自动更新。"));
    } else {
      box.className = "disclose-warnings-only";
    }
    if (warnings.length) {
      var details = el("details", { "class": "disclose-warnings" });
      if (!errors.length) {
        var close = el("button", { type: "button" }, "收起");
        close.addEventListener("click", function () { box.remove(); });
        box.appendChild(close);
      }
      details.appendChild(el("summary", {}, warnings.length + " 个警告（不影响生成，请核对）"));
      details.appendChild(list(warnings));
      box.appendChild(details);
    }
    document.body.appendChild(box);
  }

  function get(url) {
    return fetch(url, { cache: "no-store" }).then(function (r) { return r.json(); });
  }

  function poll() {
    get(BUILD).then(function (now) {
      if (seen !== null && now.build !== seen) { location.reload(); return; }
      if (drawn === now.build) return;
      return get(STATUS).then(function (status) {
        if (seen !== null && status.build !== seen) { location.reload(); return; }
        seen = drawn = status.build;
        show(status);
      });
    }).catch(function () { /* the preview was stopped: keep the page as it is */ })
      .then(function () { setTimeout(poll, 1000); });
  }

  poll();
})();
