/* Content form: a live length count under each network's captions, per variant, counted the
   way the server does (chorus/advocacy/networks.py): the tracked link and the disclosure
   hashtag included, links as 23 characters on X and Mastodon, graphemes on Bluesky. */
(function () {
  "use strict";
  var URL_RE = /https?:\/\/\S+/g;

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      var n = 0;
      var it = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text);
      for (var s of it) { n += 1; } // eslint-disable-line no-unused-vars
      return n;
    }
    return Array.from(text).length;
  }

  function measure(area, text) {
    var weight = parseInt(area.dataset.linkWeight || "", 10);
    if (!isNaN(weight)) {
      var urls = text.match(URL_RE) || [];
      return Array.from(text.replace(URL_RE, "")).length + weight * urls.length;
    }
    return area.dataset.unit === "graphemes" ? graphemes(text) : Array.from(text).length;
  }

  function hasDisclosure(text, accepted) {
    var lowered = text.toLowerCase();
    return accepted.some(function (tag) {
      var i = lowered.indexOf(tag.toLowerCase());
      return i >= 0 && !/\w/.test(lowered.charAt(i + tag.length) || "");
    });
  }

  function variants(raw, separator) {
    var out = [], current = [];
    raw.replace(/\r\n/g, "\n").split("\n").forEach(function (line) {
      if (line.trim() === separator) { out.push(current.join("\n").trim()); current = []; }
      else { current.push(line); }
    });
    out.push(current.join("\n").trim());
    return out.filter(function (v) { return v; });
  }

  function update(area, box) {
    var limit = parseInt(area.dataset.limit, 10);
    var unit = area.dataset.unit === "graphemes" ? "characters" : area.dataset.unit;
    var link = new Array(parseInt(box.dataset.counterLinkLength, 10) + 1).join("x");
    link = "https://" + link.slice(8);
    var tag = box.dataset.counterDisclosure;
    var accepted = (box.dataset.counterAccepted || "").split(" ").filter(Boolean);
    var out = document.getElementById(area.id + "_count");
    var parts = variants(area.value, area.dataset.separator).map(function (caption, i) {
      var text = caption;
      if (box.dataset.counterRequired && tag && !hasDisclosure(text, accepted)) text += " " + tag;
      var used = measure(area, (text + " " + link).trim());
      var over = used > limit;
      return { label: "Variant " + (i + 1) + ": " + used + " / " + limit + " " + unit +
        (over ? " (" + (used - limit) + " too many)" : ""), over: over };
    });
    out.textContent = parts.length ? parts.map(function (p) { return p.label; }).join(" · ") +
      " (with the link and disclosure)" : "";
    out.classList.toggle("adv-counter--over", parts.some(function (p) { return p.over; }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-caption-counter]").forEach(function (area) {
      var box = area.closest("[data-counter-link-length]");
      if (!box) return;
      area.setAttribute("aria-describedby",
        ((area.getAttribute("aria-describedby") || "") + " " + area.id + "_count").trim());
      area.addEventListener("input", function () { update(area, box); });
      update(area, box);
    });
  });
})();
