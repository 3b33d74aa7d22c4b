// Live reload for pages served by the preview server; never part of a built site.
// The server sends one "build" event after every rebuild and a "hello" event on connect:
//   {version, problems: [{file, line, message, hint}], css_only, changed: [site files]}
// A page knows the version it was served at; a different version means its content is stale,
// unless the build says which files it changed and they are only other pages.
(() => {
  "use strict";
  const script = document.currentScript;
  const page = script.dataset.page || "";
  // The stream says which page listens, so the server can rebuild that page first.
  const eventsUrl = `${script.dataset.events}?page=${encodeURIComponent(page)}`;
  let version = script.dataset.version;
  const OVERLAY_ID = "livereload-overlay";

  function overlay() {
    return document.getElementById(OVERLAY_ID);
  }

  function showProblems(problems) {
    let box = overlay();
    if (box === null) {
      box = document.createElement("div");
      box.id = OVERLAY_ID;
      document.body.appendChild(box);
    }
    box.setAttribute("role", "alert");
    box.style.cssText = [
      "position:fixed", "inset:0", "z-index:2147483647", "overflow:auto", "margin:0",
      "padding:2rem", "background:rgba(24,24,24,.94)", "color:#f4f4f4",
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace",
    ].join(";");
    box.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = "Build failed";
    heading.style.cssText = "color:#ff6b6b;font:bold 18px/1.4 sans-serif;margin:0 0 1rem";
    box.appendChild(heading);
    for (const problem of problems) {
      const item = document.createElement("pre");
      item.className = "livereload-problem";
      // Set in full: the page's own rules for <pre> (a theme's background) must not apply.
      item.style.cssText =
        "white-space:pre-wrap;margin:0 0 1rem;padding:0;font:inherit;color:inherit;background:none";
      const where = document.createElement("strong");
      where.className = "livereload-where";
      where.textContent = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
      item.append(where, `: ${problem.message}`);
      if (problem.hint) {
        item.append(`\n  (${problem.hint})`);
      }
      box.appendChild(item);
    }
    const footer = document.createElement("p");
    footer.textContent = "Fix the file and save: this page recovers by itself.";
    footer.style.cssText = "color:#aaa;margin:0";
    box.appendChild(footer);
  }

  // Re-link same-origin stylesheets with a fresh query; the old link goes once the new one
  // has loaded, so the page never shows unstyled.
  function swapStylesheets() {
    const stamp = Date.now().toString(36);
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) {
        continue;
      }
      url.searchParams.set("livereload", stamp);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      const drop = () => link.remove();
      fresh.addEventListener("load", drop, { once: true });
      fresh.addEventListener("error", drop, { once: true });
      link.after(fresh);
    }
  }

  // Whether this page shows a file of the site: the page itself, or one it loaded (its
  // stylesheets, scripts and images, the search index it fetched). Feeds, the sitemap and
  // other pages change with most edits, and are only linked.
  function shows(file) {
    return file === page || performance.getEntriesByType("resource").some(
      (entry) => new URL(entry.name).pathname.endsWith(`/${file}`));
  }

  function setVersion(value) {
    version = value;
    script.dataset.version = value;  // lets tests see that a build was heard
  }

  function apply(state, live) {
    if (state.problems.length > 0) {
      showProblems(state.problems);
      setVersion(state.version);
      return;
    }
    if (overlay() !== null) {
      location.reload();  // recovered: the page under the overlay may be stale
      return;
    }
    if (state.version === version) {
      return;
    }
    const unseen = live && page !== "" && state.changed.length > 0 &&
      !state.changed.some(shows);
    setVersion(state.version);
    if (unseen) {
      return;  // this page and everything it loads are as they were
    }
    if (live && state.css_only) {
      swapStylesheets();
    } else {
      location.reload();
    }
  }

  // A browser opens at most six connections to one host; a stream per open tab would soon
  // use them all and stall page loads. So only a visible page keeps its stream; a page
  // coming back into view reconnects, and the hello event reloads it if it is stale.
  let source = null;
  let retryDelay = 250;
  function connect() {
    if (source !== null || document.visibilityState === "hidden") {
      return;
    }
    const stream = new EventSource(eventsUrl);
    source = stream;
    stream.addEventListener("open", () => { retryDelay = 250; });
    stream.addEventListener("hello", (event) => {
      apply(JSON.parse(event.data), false);
      script.dataset.state = "live";  // lets tests (and the curious) see that reload works
    });
    stream.addEventListener("build", (event) => apply(JSON.parse(event.data), true));
    stream.addEventListener("error", () => {
      script.dataset.state = "reconnecting";
      // EventSource retries by itself after a dropped connection, but gives up for good
      // after a refused or odd response (server restarting): then we retry ourselves.
      if (stream.readyState === EventSource.CLOSED && source === stream) {
        source = null;
        setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 5000);
      }
    });
  }
  function disconnect() {
    if (source !== null) {
      source.close();
      source = null;
      script.dataset.state = "paused";
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      disconnect();
    } else {
      connect();
    }
  });
  connect();
})();
