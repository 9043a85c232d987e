// Poll only while the page is in view.
//
// Boards refresh themselves with htmx ("every 30s"). An element marked
// data-poll-when-visible skips those requests while its tab is hidden, and
// asks once as soon as the tab is shown again (its hx-trigger listens for
// pollResumed). This replaces the trigger filter
// [document.visibilityState === 'visible'], which htmx can only run through
// eval, which a Content-Security-Policy without 'unsafe-eval' forbids.
(function () {
  "use strict";

  var MARKED = "[data-poll-when-visible]";

  document.addEventListener("htmx:confirm", function (event) {
    var element = event.detail && event.detail.elt;
    if (!document.hidden || !element || !element.matches(MARKED)) {
      return;
    }
    // Only the timer's requests wait; one the reader asked for goes ahead.
    if (event.detail.triggeringEvent) {
      return;
    }
    event.preventDefault();
    element.setAttribute("data-poll-missed", "");
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) {
      return;
    }
    document.querySelectorAll(MARKED + "[data-poll-missed]").forEach(function (element) {
      element.removeAttribute("data-poll-missed");
      window.htmx.trigger(element, "pollResumed");
    });
  });
})();
