// gonogo's only script: the run page follows the journal over Server-Sent Events.
// On each "update" event it fetches the run's fragment (server-rendered, escaped HTML)
// and puts it in place; while someone is typing in a sign-off form it waits.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var pending = false;
  function busy() {
    var active = document.activeElement;
    return active && live.contains(active) && active.tagName !== "BUTTON";
  }
  function refresh() {
    if (busy()) { pending = true; return; }
    pending = false;
    fetch(live.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        live.innerHTML = html;
        live.dataset.updates = String(Number(live.dataset.updates || "0") + 1);
      });
  }
  document.addEventListener("focusout", function () { if (pending) { setTimeout(refresh, 0); } });
  var source = new EventSource(live.dataset.events);
  source.addEventListener("update", refresh);
}());
