// After a refused form: show the page's own address (templates/_page_url.html), not the
// address the form was posted to. The page itself, with the user's input, stays as it is.
(function () {
  "use strict";
  var marker = document.querySelector("[data-page-url]");
  if (!marker || !window.history || !window.history.replaceState) {
    return;
  }
  var url = marker.getAttribute("data-page-url");
  if (url && url.charAt(0) === "/" && url.charAt(1) !== "/") {
    window.history.replaceState(window.history.state, "", url);
  }
})();
