// The studio's lesson editor. A file, not an inline script: the Content-Security-Policy allows none.
// While the trainer types (debounced), it posts the form into the preview frame (the form's own
// "Refresh preview" button, so the CSRF token and every field go along) and asks the check endpoint
// for the problems a save would meet. It also runs the Markdown toolbar and the summary's counter.
// Without scripts the editor still works: the Refresh preview button and Save are plain submits.
const form = document.getElementById("lesson-form");
if (form) {
  const body = form.querySelector("textarea[name=body_markdown]");
  const summary = form.querySelector("input[name=summary]");
  const counter = document.getElementById("summary-counter");
  const problems = document.getElementById("problems");
  const words = document.getElementById("word-count");
  const refresh = document.getElementById("preview-refresh");
  const messages = JSON.parse(document.getElementById("editor-messages").textContent);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  const debounce = (run, wait) => {
    let timer = null;
    return () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, wait);
    };
  };

  const preview = () => form.requestSubmit(refresh);

  const check = async () => {
    try {
      const answer = await fetch(form.dataset.checkUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      const result = await answer.json();
      problems.replaceChildren();
      if (!result.problems.length) {
        const item = document.createElement("li");
        item.className = "fine";
        item.textContent = messages.none;
        problems.append(item);
      }
      for (const problem of result.problems) {
        const item = document.createElement("li");
        item.className = problem.level;
        item.textContent = `${problem.level === "error" ? messages.error : messages.advice}: ${problem.message}`;
        problems.append(item);
      }
      if (typeof result.words === "number") {
        words.textContent = (result.words === 1 ? messages.word : messages.words).replace("%s", result.words);
      }
    } catch (error) {
      // A hiccup of the network: the next keystroke asks again, and saving checks anyway.
    }
  };

  const count = () => {
    const length = summary.value.trim().length;
    const max = Number(counter.dataset.max);
    counter.textContent = messages.characters.replace("%(count)s", length).replace("%(max)s", max);
    counter.classList.toggle("over", length > max);
  };

  const later = debounce(() => {
    preview();
    check();
  }, 400);

  form.addEventListener("input", (event) => {
    if (event.target === summary) count();
    later();
  });
  form.addEventListener("change", later);
  for (const radio of document.querySelectorAll("input[name=view]")) radio.addEventListener("change", preview);

  // The toolbar: wrap the selection, or start the selected lines.
  const wrap = (before, after, placeholder) => {
    const { selectionStart: start, selectionEnd: end, value } = body;
    const chosen = value.slice(start, end) || placeholder;
    body.setRangeText(before + chosen + after, start, end, "select");
    body.setSelectionRange(start + before.length, start + before.length + chosen.length);
  };
  const prefix = (mark) => {
    const { selectionStart: start, selectionEnd: end, value } = body;
    const from = value.lastIndexOf("\n", start - 1) + 1;
    const lines = value.slice(from, end).split("\n").map((line) => mark + line);
    body.setRangeText(lines.join("\n"), from, end, "end");
  };
  const actions = {
    bold: () => wrap("**", "**", messages.bold),
    italic: () => wrap("_", "_", messages.italic),
    heading: () => prefix("## "),
    list: () => prefix("- "),
    link: () => wrap("[", "](https://)", messages.link),
  };
  for (const button of document.querySelectorAll("[data-md]")) {
    button.addEventListener("click", () => {
      actions[button.dataset.md]();
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  count();
  if (form.dataset.unsaved) preview(); // a refused save: show the draft, not the saved version
}
