// Copy buttons next to a readonly link field (the invite links). Without script the field stays,
// selectable by hand; the buttons start hidden and appear only here. A file, not an inline script:
// the Content-Security-Policy allows none.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch (error) {
      copied = document.execCommand && document.execCommand("copy");
    }
    if (status) status.textContent = copied ? button.dataset.copied : button.dataset.failed;
  });
});
