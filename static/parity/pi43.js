// PI 4.3: "Use this value" copies the share of women from the parity data into the PI's numeric
// input and fires the events the page already listens to (htmx updates the suggested rating).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-parity-fill]");
  if (!button) return;
  const input = document.querySelector(button.dataset.parityFill);
  if (!input || input.disabled) return;
  input.value = button.dataset.value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  input.focus();
});
