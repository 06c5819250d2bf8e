// The course page's drag and drop: drop a lesson on another to put it in that one's place (in that
// module), or on a module's last line to put it at the end. It posts the same move the arrow
// buttons post (with a module and an index instead of a direction), then shows the new order.
// A file, not an inline script (the Content-Security-Policy); without scripts the arrows remain.
const lessons = document.querySelectorAll("li.studio-lesson[data-move-url]");
const token = document.querySelector("input[name=csrfmiddlewaretoken]");
let dragged = null;

const move = async (module, index) => {
  const body = new FormData();
  body.append("module", module);
  body.append("index", index);
  await fetch(dragged.dataset.moveUrl, {
    method: "POST",
    body,
    headers: { "X-CSRFToken": token.value },
    credentials: "same-origin",
  });
  window.location.hash = dragged.id;
  window.location.reload();
};

const dropTarget = (element, place) => {
  element.addEventListener("dragover", (event) => {
    if (!dragged || element === dragged) return;
    event.preventDefault();
    element.classList.add("drop-here");
  });
  element.addEventListener("dragleave", () => element.classList.remove("drop-here"));
  element.addEventListener("drop", (event) => {
    event.preventDefault();
    element.classList.remove("drop-here");
    const module = element.closest("[data-module]");
    const others = [...module.querySelectorAll("li.studio-lesson")].filter((item) => item !== dragged);
    move(module.dataset.module, place(others));
  });
};

if (token) {
  for (const lesson of lessons) {
    lesson.draggable = true;
    lesson.addEventListener("dragstart", (event) => {
      dragged = lesson;
      lesson.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", lesson.id);
    });
    lesson.addEventListener("dragend", () => lesson.classList.remove("dragging"));
    dropTarget(lesson, (others) => others.indexOf(lesson));
  }
  for (const end of document.querySelectorAll("li.studio-insert:last-child")) {
    dropTarget(end, (others) => others.length);
  }
}
