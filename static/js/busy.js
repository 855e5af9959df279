/*
 * Feedback on the buttons that start long work (the PDF and Word reports, the workbook upload
 * and apply, the parity and commitments imports): forms marked `data-busy-form`.
 *
 * On submit, the button that submitted shows a spinner with visually hidden "Working…" text
 * (the text comes from the <script> tag's data-working-text, translated by the template) and
 * aria-busy="true"; the form's submit buttons are disabled, so a second click sends nothing.
 * They come back when htmx's request ends (the page stays) and when the browser shows the page
 * again from its back/forward cache. Without JavaScript the form submits as it always did.
 *
 * No inline handlers (the Content-Security-Policy allows our own script files only).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var workingText = (script && script.getAttribute("data-working-text")) || "Working…";
  var BUTTONS = 'button[type="submit"], button:not([type]), input[type="submit"]';

  function isBusyForm(element) {
    return element instanceof HTMLFormElement && element.hasAttribute("data-busy-form");
  }

  function markBusy(form, submitter) {
    form.setAttribute("data-busy", "true");
    if (submitter && submitter.tagName === "BUTTON") {
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      spinner.setAttribute("aria-hidden", "true");
      spinner.setAttribute("data-busy-part", "");
      var text = document.createElement("span");
      text.className = "visually-hidden";
      text.setAttribute("data-busy-part", "");
      text.textContent = workingText;
      submitter.prepend(spinner, text);
    }
    if (submitter) {
      submitter.setAttribute("aria-busy", "true");
    }
    // Disabled only now, after the browser (or htmx) has read the form: a disabled submit
    // button's name and value would not be sent (the Word button's format=docx).
    form.querySelectorAll(BUTTONS).forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute("data-busy-disabled", "");
      }
    });
  }

  function restore(form) {
    form.removeAttribute("data-busy");
    form.querySelectorAll("[data-busy-part]").forEach(function (part) {
      part.remove();
    });
    form.querySelectorAll('[aria-busy="true"]').forEach(function (button) {
      button.removeAttribute("aria-busy");
    });
    form.querySelectorAll("[data-busy-disabled]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-busy-disabled");
    });
  }

  // Capture phase: before htmx's own listener on the form, so a second submit is stopped here.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!isBusyForm(form)) {
        return;
      }
      if (form.getAttribute("data-busy") === "true") {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      var submitter = event.submitter || form.querySelector(BUTTONS);
      var htmxForm = form.hasAttribute("hx-post") || form.hasAttribute("hx-get");
      window.setTimeout(function () {
        // A plain form whose submission another script cancelled is not under way.
        if (event.defaultPrevented && !htmxForm) {
          return;
        }
        markBusy(form, submitter);
      }, 0);
    },
    true
  );

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element ? event.target.closest("form") : null;
    if (form && isBusyForm(form)) {
      restore(form);
    }
  });

  // Back to a page the browser kept (bfcache): its buttons would still say "Working…".
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-busy]").forEach(restore);
    }
  });
})();
