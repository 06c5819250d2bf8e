// Buttons marked data-print open the browser's print dialog (the certificate).
// A file, not an onclick attribute: the Content-Security-Policy allows no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
