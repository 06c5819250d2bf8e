// The staff import's progress page asks the server every 2 s how far the import is (a JSON answer
// of the same URL) and moves its bar; when the import is done, or stops reporting, it reloads the
// page, which then shows the result or the way to start again. Without scripts, the page has a
// Refresh link. A file, not an inline script: the Content-Security-Policy allows none, and a
// <meta http-equiv="refresh"> would move the page under a screen reader's feet (WCAG 2.2.1).
const card = document.querySelector("[data-progress-url]");
if (card) {
  const url = card.dataset.progressUrl;
  const bar = card.querySelector("progress");
  const status = card.querySelector("#import-status");
  const poll = async () => {
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const state = await answer.json();
      if (state.finished || state.stuck) {
        window.location.reload();
        return;
      }
      if (state.total) {
        bar.max = state.total;
        bar.value = state.done;
        status.textContent = state.message;
      }
    } catch (error) {
      // A hiccup of the network: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
