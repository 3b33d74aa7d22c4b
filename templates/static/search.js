// Client-side search over search-index.json: every word typed must appear in the title,
// summary, source, actors (by name or alias) or tags. No server and no third-party code, so
// it works offline. The index lists each actor's aliases once, not on every article.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list) return;
  var base = input.getAttribute("data-base");
  var entries = null;

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var hits = entries.filter(function (e) {
      return words.every(function (w) { return e.haystack.indexOf(w) !== -1; });
    });
    status.textContent = hits.length + (hits.length === 1 ? " article" : " articles");
    hits.slice(0, 100).forEach(function (e) {
      var item = document.createElement("li");
      var time = document.createElement("time");
      time.textContent = e.d + " ";
      var link = document.createElement("a");
      link.href = base + e.u;
      link.textContent = e.t;
      item.appendChild(time);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  fetch(input.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
    // an index made by an older own template is a plain list of articles, without aliases
    var articles = Array.isArray(data) ? data : data.articles;
    var aliases = Array.isArray(data) ? {} : data.aliases;
    entries = articles.map(function (e) {
      var names = e.a.slice();
      e.a.forEach(function (name) {
        if (Object.prototype.hasOwnProperty.call(aliases, name)) names = names.concat(aliases[name]);
      });
      e.haystack = fold([e.t, e.s, e.o].concat(names, e.g).join(" "));
      return e;
    });
    var initial = new URLSearchParams(window.location.search).get("q");
    if (initial) { input.value = initial; }
    show(input.value);
    input.addEventListener("input", function () { show(input.value); });
  });
})();
