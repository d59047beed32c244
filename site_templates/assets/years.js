/* Across years: fill in the newest-edition notice, a department's other years and a project's
   table by year, from window.discloseYears (years/<year>.js or years/<year>/<department>.js,
   loaded just before this script). These files are remade by every build, so that frozen pages,
   which never change, still point to the newest edition. Without JavaScript the page links to
   years/<year>/<department>/ instead. Keep this file able to read every older data file. */
(function () {
  function run() {
    var data = window.discloseYears;
    var box = document.querySelector("[data-years-notice]");
    if (!data || !box) return;
    var home = new URL(box.getAttribute("data-home"), location.href);
    function link(path, text) {
      var a = document.createElement("a");
      a.href = new URL(path, home).href;
      a.textContent = text;
      return a;
    }
    function line(cls) {
      var p = document.createElement("p");
      p.className = cls;
      box.appendChild(p);
      return p;
    }
    var shown = false;
    if (data.newest && data.newest.year !== data.year) {
      var p = line("newest-notice");
      p.appendChild(document.createTextNode("这是" + data.year + "年度的页面。最新的是"));
      p.appendChild(link(data.newest.path, data.newest.title));
      p.appendChild(document.createTextNode("。"));
      shown = true;
    }
    var others = (data.years || []).filter(function (y) { return y.year !== data.year; });
    if (others.length) {
      var q = line("department-years");
      q.appendChild(document.createTextNode("本部门其他年度："));
      others.forEach(function (y, i) {
        if (i) q.appendChild(document.createTextNode(" · "));
        q.appendChild(link(y.path, y.year + "年"));
      });
      shown = true;
    }
    box.hidden = !shown;
    var slot = document.querySelector("[data-years-project]");
    var rows = slot && data.projects && data.projects[slot.getAttribute("data-years-project")];
    if (!rows) return;
    var h = document.createElement("h2");
    h.textContent = "本项目历年情况";
    slot.appendChild(h);
    var wrap = document.createElement("div");
    wrap.className = "table-box";
    var table = document.createElement("table");
    table.className = "by-year";
    var head = table.createTHead().insertRow();
    var evaluated = rows.some(function (row) { return row.result; });
    var columns = ["年度", "项目名称", "预算金额", "主要目标"];
    if (evaluated) columns.push("自评结果");
    columns.forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      if (row.year === data.year) {
        th.textContent = row.year + "年（本页）";
      } else {
        th.appendChild(link(row.path, row.year + "年"));
      }
      tr.appendChild(th);
      var cells = [row.name, row.amount + " " + row.unit, row.targets.join("；")];
      if (evaluated) cells.push(row.result || "—（未自评）");
      cells.forEach(function (text, i) {
        var td = tr.insertCell();
        td.textContent = text;
        if (i === 1) td.className = "num";
      });
    });
    wrap.appendChild(table);
    slot.appendChild(wrap);
    slot.hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
