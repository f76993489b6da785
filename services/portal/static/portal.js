/* Cohort portal: what htmx needs beyond its attributes. Every page works without this file. */
"use strict";

// A request htmx could not complete (a refused search, a service down, no network) becomes an
// ordinary visit to the same address, so the visitor sees the page the server would have sent.
function visitInstead(event) {
  var detail = event.detail;
  if (detail.requestConfig && detail.requestConfig.verb === "get" && detail.pathInfo) {
    window.location.assign(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
  }
}

document.addEventListener("htmx:responseError", visitInstead);
document.addEventListener("htmx:sendError", visitInstead);

// Next and Previous are replaced along with the results: the results' heading takes the focus,
// so keyboard and screen reader users carry on from the top of the new page.
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.boosted && event.detail.target && event.detail.target.id === "results") {
    var heading = document.getElementById("results-heading");
    if (heading) {
      heading.focus();
    }
  }
});
