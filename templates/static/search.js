// Client-side search over search-index.json: every word typed must appear in the title,
// summary, source, actors (by name or alias) or tags of an article, or in the name, an alias
// or the kind of an actor. No server and no third-party code, so it works offline. The index
// lists each actor's aliases once, not on every article.
(function () {
  "use strict";
  var SHOWN = 100; // articles listed at most; the status says how many more matched
  var input = document.getElementById("q");
  var form = input && input.form;
  var list = document.getElementById("search-results");
  var actorList = document.getElementById("search-actor-results");
  var status = document.getElementById("search-status");
  if (!input || !list) return;
  var base = input.getAttribute("data-base");
  var entries = null;
  var actors = [];

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // What the reader typed, as terms every match must hold: words, and phrases in quotes
  // ("Taylor Swift" as those two words in that order). A quote left open runs to the end.
  function terms(query) {
    var found = [];
    var pattern = /["\u201c\u201d\u201e\u00ab\u00bb]([^"\u201c\u201d\u201e\u00ab\u00bb]*)["\u201c\u201d\u201e\u00ab\u00bb]?|([^\s"\u201c\u201d\u201e\u00ab\u00bb]+)/g;
    var folded = fold(query);
    var match;
    while ((match = pattern.exec(folded)) !== null) {
      var term = (match[1] !== undefined ? match[1] : match[2]).split(/\s+/).join(" ").trim();
      if (term) found.push(term);
    }
    return found;
  }

  function matching(items, words) {
    return items.filter(function (e) {
      return words.every(function (w) { return e.haystack.indexOf(w) !== -1; });
    });
  }

  function reveal(listElement, shown) {
    var box = listElement && listElement.parentElement;
    if (box && box.tagName === "SECTION") box.hidden = !shown;
  }

  // The status is a live region: it is read out each time it changes, so it changes only
  // when what it says does.
  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function show(query) {
    if (entries === null) return; // the index is still on its way; shown when it comes
    var words = terms(query);
    list.textContent = "";
    if (actorList) actorList.textContent = "";
    var hits = words.length ? matching(entries, words) : [];
    var actorHits = words.length && actorList ? matching(actors, words) : [];
    reveal(list, hits.length > 0);
    reveal(actorList, actorHits.length > 0);
    if (!words.length) {
      say("");
    } else if (!hits.length && !actorHits.length) {
      say("Nothing matches \u201c" + query.trim() + "\u201d.");
    } else {
      var found = [];
      if (actorHits.length) found.push(plural(actorHits.length, "actor"));
      if (hits.length) found.push(plural(hits.length, "article"));
      say(found.join(", ") +
        (hits.length > SHOWN ? " (the newest " + SHOWN + " articles are listed)" : ""));
    }
    actorHits.forEach(function (a) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = base + a.u;
      link.textContent = a.n;
      item.appendChild(link);
      var count = document.createElement("span");
      count.className = "count";
      count.textContent = " " + (a.k ? a.k + ", " : "") + plural(a.c, "article");
      item.appendChild(count);
      actorList.appendChild(item);
    });
    hits.slice(0, SHOWN).forEach(function (e) {
      var item = document.createElement("li");
      var date = document.createElement("span");  // a date as words, not machine-readable
      date.className = "date";
      date.textContent = e.d + " ";
      var link = document.createElement("a");
      link.href = base + e.u;
      link.dir = "auto"; // a title in Arabic or Persian runs right to left
      if (e.l) link.lang = e.l; // and one in another language is read in it
      link.textContent = e.t;
      item.appendChild(date);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  // The address keeps the query, so that a search can be bookmarked, shared or gone back to.
  function remember(query) {
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set("q", query.trim());
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  // Shown once typing pauses: the list is not redrawn, nor the status read out, at each key.
  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { show(input.value); remember(input.value); }, 150);
  });
  // Enter searches in place: reloading the page would drop the reader's place and focus.
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(input.value);
      remember(input.value);
    });
  }
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; }

  fetch(input.getAttribute("data-index")).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (data) {
    // an index made by an older own template is a plain list of articles, without aliases
    var articles = Array.isArray(data) ? data : data.articles;
    var aliases = Array.isArray(data) ? {} : data.aliases || {};
    function namesOf(name) {
      return Object.prototype.hasOwnProperty.call(aliases, name) ? [name].concat(aliases[name]) : [name];
    }
    entries = articles.map(function (e) {
      var names = [];
      e.a.forEach(function (name) { names = names.concat(namesOf(name)); });
      e.haystack = fold([e.t, e.s, e.o].concat(names, e.g).join(" ")).split(/\s+/).join(" ");
      return e;
    });
    actors = (Array.isArray(data) ? [] : data.actors || []).map(function (a) {
      a.haystack = fold(namesOf(a.n).concat([a.k || ""]).join(" ")).split(/\s+/).join(" ");
      return a;
    });
    show(input.value);
  }).catch(function () {
    status.textContent = "Search could not load its index. The archive lists every article.";
  });
})();
