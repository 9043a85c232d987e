// Say why an htmx request was refused.
//
// htmx swaps nothing into the page for a 4xx or 5xx answer, so a vote over
// the rate limit, a form whose session expired or a server error would look
// like a button that does nothing. The server answers htmx with one line of
// plain text (views._refuse, the 429 and CSRF pages); this shows it in the
// page's alert region. The region's data attributes carry the translated
// words for answers with no text of their own and for a lost connection.
(function () {
  "use strict";

  function region() {
    return document.getElementById("request-error");
  }

  function show(message) {
    var box = region();
    if (!box) {
      return;
    }
    box.querySelector("[data-message]").textContent = message;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var box = region();
    var xhr = event.detail && event.detail.xhr;
    if (!box || !xhr) {
      return;
    }
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? (xhr.responseText || "").trim() : "";
    show(text.slice(0, 300) || box.getAttribute("data-generic"));
  });

  document.addEventListener("htmx:sendError", function () {
    var box = region();
    if (box) {
      show(box.getAttribute("data-offline"));
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-dismiss-error]")) {
      region().hidden = true;
    }
  });
})();
