// The stats view: the admin token stays in this page (never in the address or storage);
// /api/stats is read with it and shown as text.
(function () {
  "use strict";
  var section = document.querySelector("section.stats");
  var form = document.getElementById("stats-token");
  if (!section || !form) return;
  var status = document.getElementById("stats-status");
  var lang = section.dataset.lang || "en";  // numbers as the interface language writes them

  function number(n) { return Number(n).toLocaleString(lang); }
  function percent(rate) {
    return Number(rate).toLocaleString(lang, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function fill(id, rows) {
    var body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = String(value);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = document.getElementById("token").value;
    fetch(section.dataset.stats, { headers: { Authorization: "Bearer " + token, Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.body.error ? answer.body.error.message : section.dataset.failed);
        var s = answer.body;
        document.getElementById("stats-searches").textContent = number(s.searches);
        document.getElementById("stats-clicks").textContent = number(s.clicks);
        fill("stats-top", s.top.map(function (q) { return [q.query, number(q.searches), number(q.zero_results)]; }));
        fill("stats-zero", s.zero_results.map(function (q) { return [q.query, number(q.searches)]; }));
        fill("stats-ctr", s.click_through.map(function (c) { return [c.position, number(c.clicks), percent(c.rate)]; }));
        document.getElementById("stats-tables").hidden = false;
        status.textContent = "";
      })
      .catch(function (e) {
        document.getElementById("stats-tables").hidden = true;
        status.textContent = e.message || section.dataset.failed;
      });
  });
})();
