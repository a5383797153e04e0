/* Upload progress for forms marked data-upload.
 *
 * Without JavaScript the form posts normally and the page reloads with a message. With it, the files
 * are sent through XMLHttpRequest so that a <progress> bar and a polite live region can report how much
 * has been sent; the server answers JSON ({"redirect": url} or {"error": message}). The texts come
 * from data-msg-* attributes, already translated by the server.
 */
(function () {
  "use strict";

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var box = form.querySelector("[data-upload-progress]");
    var bar = box ? box.querySelector("progress") : null;
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    if (!input || !bar || !status || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var lastAnnounced = -1;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("upload-status--error", Boolean(isError));
    }

    function finish() {
      if (button) { button.disabled = false; }
      form.removeAttribute("aria-busy");
    }

    form.addEventListener("submit", function (event) {
      if (!input.files || input.files.length === 0) {
        event.preventDefault();
        say(form.dataset.msgEmpty, true);
        input.focus();
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");

      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.floor((e.loaded / e.total) * 100);
        bar.value = percent;
        bar.textContent = percent + "%";
        // Announce in steps of 10 % so that screen readers are not flooded.
        var step = Math.floor(percent / 10) * 10;
        if (step !== lastAnnounced) {
          lastAnnounced = step;
          say(form.dataset.msgProgress.replace("{percent}", String(step)), false);
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        say(form.dataset.msgProcessing, false);
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignore) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.redirect) {
          window.location.assign(body.redirect);
          return;
        }
        finish();
        box.hidden = true;
        // A file over the limit is stopped while the request is read, before the JSON answer exists.
        var fallback = xhr.status === 413 ? form.dataset.msgTooLarge : form.dataset.msgFailed;
        say((body && body.error) || fallback, true);
      });
      xhr.addEventListener("error", function () {
        finish();
        box.hidden = true;
        say(form.dataset.msgFailed, true);
      });
      xhr.addEventListener("abort", function () {
        finish();
        box.hidden = true;
        say(form.dataset.msgFailed, true);
      });

      lastAnnounced = -1;
      bar.value = 0;
      box.hidden = false;
      if (button) { button.disabled = true; }
      form.setAttribute("aria-busy", "true");
      say(form.dataset.msgProgress.replace("{percent}", "0"), false);
      xhr.send(new FormData(form));
    });
  }

  var forms = document.querySelectorAll("form[data-upload]");
  for (var i = 0; i < forms.length; i += 1) {
    setup(forms[i]);
  }
}());
