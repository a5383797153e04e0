/* Annotation viewer: the mouse fills the annotation form (the page works without this script).
 *
 * PDF page or image: draw a rectangle (the form's x, y, w, h in the file's units: PDF points or pixels);
 * PDF: select text on the page's text layer (the quote with its prefix and suffix); image: click the
 * points of a polygon. Video and sound: mark the start and the end at the player's current time, shown
 * as a timecode HH:MM:SS:FF at the file's frame rate. In the list, an annotation's link shows its region
 * or moves the player to its start; the arrow keys move between annotations.
 */
(function () {
  "use strict";

  var root = document.getElementById("annotator");
  if (!root) { return; }
  var kind = root.getAttribute("data-kind");
  var fps = parseFloat(root.getAttribute("data-fps")) || 25;
  var status = document.getElementById("annotation-status");
  var form = document.getElementById("annotation-form");

  function message(name, values) {
    var text = root.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }
  function announce(text) { if (status) { status.textContent = text; } }
  function input(name) { return document.getElementById("annotation-" + name); }
  function setValue(name, value) { var el = input(name); if (el) { el.value = value; } }
  function choose(selection) {
    var radio = document.getElementById("annotation-selection-" + selection);
    if (radio) { radio.checked = true; }
  }
  function round1(value) { return Math.round(value * 10) / 10; }

  /* --- timecodes ------------------------------------------------------------------------------- */
  function base() { return Math.max(1, Math.round(fps)); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function timecode(seconds) {
    var frames = Math.floor(Math.max(seconds, 0) * fps + 0.05);
    var ff = frames % base();
    var total = Math.floor(frames / base());
    return pad(Math.floor(total / 3600)) + ":" + pad(Math.floor(total / 60) % 60) + ":" + pad(total % 60) + ":" + pad(ff);
  }

  /* --- the list -------------------------------------------------------------------------------- */
  var list = document.getElementById("annotation-list");
  var player = document.getElementById("annotation-media");

  function activate(id, moveFocus) {
    Array.prototype.forEach.call(document.querySelectorAll(".is-active"), function (el) { el.classList.remove("is-active"); });
    var item = document.getElementById("annotation-" + id);
    var shape = document.getElementById("shape-" + id);
    if (item) { item.classList.add("is-active"); }
    if (shape) {
      shape.classList.add("is-active");
      if (moveFocus) { shape.focus(); }
    }
  }

  if (list) {
    list.addEventListener("click", function (event) {
      var link = event.target.closest(".annot-go");
      if (!link) { return; }
      var item = link.closest(".annot-item");
      if (link.hasAttribute("data-seek") && player) {
        event.preventDefault();
        var start = parseFloat(link.getAttribute("data-seek")) || 0;
        player.currentTime = start;
        activate(item.getAttribute("data-annotation"), false);
        announce(message("seek", { tc: timecode(start) }));
      } else if (link.hasAttribute("data-shape")) {
        event.preventDefault();
        activate(item.getAttribute("data-annotation"), true);
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
      var links = Array.prototype.slice.call(list.querySelectorAll(".annot-go"));
      var index = links.indexOf(document.activeElement);
      if (index < 0) { return; }
      event.preventDefault();
      var next = links[index + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) { next.focus(); }
    });
  }
  // A shape activated on the page brings its annotation into view and focus.
  var justDrew = false;
  Array.prototype.forEach.call(document.querySelectorAll(".annot-shape-link"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (justDrew) { return; }
      var id = link.id.replace("shape-", "");
      var item = document.getElementById("annotation-" + id);
      activate(id, false);
      if (item) { item.focus(); }
    });
  });
  if (location.hash.indexOf("#annotation-") === 0 || location.hash.indexOf("#shape-") === 0) {
    activate(location.hash.replace(/^#(annotation|shape)-/, ""), false);
  }

  /* --- video and sound ------------------------------------------------------------------------- */
  if (player) {
    var bar = document.getElementById("annotation-timebar");
    var current = document.getElementById("current-timecode");
    if (bar) { bar.hidden = false; }
    var show = function () { if (current) { current.textContent = timecode(player.currentTime || 0); } };
    player.addEventListener("timeupdate", show);
    player.addEventListener("seeked", show);
    var markStart = document.getElementById("mark-start");
    var markEnd = document.getElementById("mark-end");
    if (markStart) {
      markStart.addEventListener("click", function () {
        var tc = timecode(player.currentTime || 0);
        setValue("start", tc);
        announce(message("start", { tc: tc }));
      });
    }
    if (markEnd) {
      markEnd.addEventListener("click", function () {
        var tc = timecode(player.currentTime || 0);
        setValue("end", tc);
        announce(message("end", { tc: tc }));
      });
    }
  }

  /* --- drawing on a page or an image ----------------------------------------------------------- */
  var stage = document.getElementById("annotation-stage");
  var svg = document.getElementById("annotation-overlay");
  var toolbar = document.getElementById("annotation-toolbar");
  if (!stage || !svg || !toolbar || !form) { return; }
  toolbar.hidden = false;
  var draft = document.getElementById("draft-shape");
  var draftPolygon = document.getElementById("draft-polygon");
  var textLayer = document.getElementById("text-layer");
  var finish = document.getElementById("finish-polygon");
  var mode = "region";
  var points = [];
  var drag = null;

  function setMode(name) {
    mode = name;
    ["region", "text", "polygon"].forEach(function (m) {
      var button = document.getElementById("mode-" + m);
      if (button) { button.setAttribute("aria-pressed", m === name ? "true" : "false"); }
    });
    stage.classList.toggle("is-drawing", name !== "text");
    stage.classList.toggle("is-selecting", name === "text");
    if (name === "text") { loadText(); }
    if (finish) { finish.disabled = name !== "polygon" || points.length < 3; }
  }
  ["region", "text", "polygon"].forEach(function (m) {
    var button = document.getElementById("mode-" + m);
    if (button) { button.addEventListener("click", function () { setMode(m); }); }
  });

  function svgPoint(event) {
    var matrix = svg.getScreenCTM();
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    point = point.matrixTransform(matrix.inverse());
    var width = parseFloat(stage.getAttribute("data-width"));
    var height = parseFloat(stage.getAttribute("data-height"));
    return { x: Math.min(Math.max(point.x, 0), width), y: Math.min(Math.max(point.y, 0), height) };
  }
  function showRect(x, y, w, h) {
    draft.setAttribute("x", x); draft.setAttribute("y", y);
    draft.setAttribute("width", Math.max(w, 0)); draft.setAttribute("height", Math.max(h, 0));
  }
  function showPolygon() {
    if (draftPolygon) { draftPolygon.setAttribute("points", points.map(function (p) { return p.x + "," + p.y; }).join(" ")); }
  }
  function focusComment() { var comment = input("comment"); if (comment) { comment.focus(); } }

  svg.addEventListener("pointerdown", function (event) {
    if (mode === "text" || event.button !== 0) { return; }
    event.preventDefault();
    var p = svgPoint(event);
    if (mode === "polygon") {
      points.push({ x: round1(p.x), y: round1(p.y) });
      showPolygon();
      if (finish) { finish.disabled = points.length < 3; }
      announce(message("point", { count: points.length }));
      return;
    }
    drag = { x: p.x, y: p.y };
    svg.setPointerCapture(event.pointerId);
    showRect(p.x, p.y, 0, 0);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var p = svgPoint(event);
    showRect(Math.min(drag.x, p.x), Math.min(drag.y, p.y), Math.abs(p.x - drag.x), Math.abs(p.y - drag.y));
  });
  svg.addEventListener("pointerup", function (event) {
    if (!drag) { return; }
    var p = svgPoint(event);
    var x = round1(Math.min(drag.x, p.x)), y = round1(Math.min(drag.y, p.y));
    var w = round1(Math.abs(p.x - drag.x)), h = round1(Math.abs(p.y - drag.y));
    drag = null;
    if (w < 2 || h < 2) { showRect(0, 0, 0, 0); return; }
    justDrew = true;
    window.setTimeout(function () { justDrew = false; }, 0);
    showRect(x, y, w, h);
    setValue("x", x); setValue("y", y); setValue("w", w); setValue("h", h);
    choose("region");
    var page = stage.getAttribute("data-page");
    if (page) {
      setValue("page", page);
      announce(message("region", { page: page, x: x, y: y, w: w, h: h }));
    } else {
      announce(message("image-region", { x: x, y: y, w: w, h: h }));
    }
    focusComment();
  });
  svg.addEventListener("dblclick", function () { if (mode === "polygon") { closePolygon(); } });

  function closePolygon() {
    if (points.length < 3) { return; }
    setValue("points", points.map(function (p) { return p.x + "," + p.y; }).join(" "));
    choose("polygon");
    announce(message("polygon", { count: points.length }));
    points = [];
    if (finish) { finish.disabled = true; }
    focusComment();
  }
  if (finish) { finish.addEventListener("click", closePolygon); }
  var clear = document.getElementById("clear-shape");
  if (clear) {
    clear.addEventListener("click", function () {
      points = []; showPolygon(); showRect(0, 0, 0, 0);
      if (finish) { finish.disabled = true; }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && (drag || points.length)) { drag = null; points = []; showPolygon(); showRect(0, 0, 0, 0); }
  });

  // Typed numbers show their region too.
  ["x", "y", "w", "h"].forEach(function (name) {
    var el = input(name);
    if (!el) { return; }
    el.addEventListener("input", function () {
      var v = ["x", "y", "w", "h"].map(function (n) { return parseFloat((input(n) || {}).value); });
      if (v.every(function (n) { return !isNaN(n); })) { showRect(v[0], v[1], v[2], v[3]); }
    });
  });
  var quoteInput = input("quote");
  if (quoteInput) {
    // A quote typed by hand has no known context: the server finds it on the page.
    quoteInput.addEventListener("input", function () { setValue("prefix", ""); setValue("suffix", ""); });
  }
  var pointsInput = input("points");
  if (pointsInput && draftPolygon) {
    pointsInput.addEventListener("input", function () {
      draftPolygon.setAttribute("points", pointsInput.value.replace(/[^0-9.,\s-]/g, ""));
    });
  }

  /* --- the text layer of a PDF page ------------------------------------------------------------ */
  var pageText = null;
  var loading = false;
  var SVGNS = "http://www.w3.org/2000/svg";

  function loadText() {
    if (pageText !== null || loading || !textLayer || !stage.getAttribute("data-text-url")) { return; }
    loading = true;
    fetch(stage.getAttribute("data-text-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (layer) {
        if (!layer) { return; }
        pageText = layer.text;
        layer.runs.forEach(function (run) {
          var text = document.createElementNS(SVGNS, "text");
          text.setAttribute("x", run.x);
          text.setAttribute("y", run.y + run.h * 0.8);
          text.setAttribute("font-size", run.h);
          text.setAttribute("textLength", run.w);
          text.setAttribute("lengthAdjust", "spacingAndGlyphs");
          text.setAttribute("data-o", run.o);
          text.textContent = layer.text.substr(run.o, run.n);
          textLayer.appendChild(text);
        });
      })
      .catch(function () { /* no text layer: regions can still be drawn */ })
      .then(function () { loading = false; });
  }

  function offsetOf(node, offset) {
    var element = node.nodeType === 1 ? node : node.parentNode;
    var text = element && element.closest ? element.closest("text[data-o]") : null;
    if (!text || !textLayer.contains(text)) { return null; }
    return parseInt(text.getAttribute("data-o"), 10) + (node.nodeType === 3 ? offset : 0);
  }

  document.addEventListener("mouseup", function () {
    if (mode !== "text" || pageText === null) { return; }
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var range = selection.getRangeAt(0);
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    var exact = pageText.slice(start, end).replace(/\s+/g, " ").trim();
    if (!exact) { return; }
    setValue("quote", exact);
    setValue("prefix", pageText.slice(Math.max(0, start - 32), start).replace(/\s+/g, " "));
    setValue("suffix", pageText.slice(end, end + 32).replace(/\s+/g, " "));
    setValue("page", stage.getAttribute("data-page"));
    choose("passage");
    announce(message("passage", { text: exact.length > 80 ? exact.slice(0, 80) + "…" : exact }));
    focusComment();
  });

  setMode(kind === "pdf" || kind === "image" ? "region" : mode);
})();
