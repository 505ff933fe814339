/* The case page: keyboard grading of items, bulk grades, reveal without losing the grades
   given so far, and the error summary focused after a failed save. Staff pages work without
   it; it only saves actions. */
(function () {
  "use strict";
  function one(sel, root) { return (root || document).querySelector(sel); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  document.addEventListener("DOMContentLoaded", function () {
    var form = one("#assess-form");
    var items = all(".grid .item");
    var current = items.length ? 0 : -1;
    // Thumbnails a few at a time: each one is a fetch from the reported site.
    var grid = one(".grid");
    var waiting = all(".grid img[data-src]");
    function loadNext() {
      var img = waiting.shift();
      while (img && !img.hasAttribute("data-src")) { img = waiting.shift(); }
      if (!img) { return; }
      img.addEventListener("load", loadNext, {once: true});
      img.addEventListener("error", loadNext, {once: true});
      img.src = img.getAttribute("data-src");
      img.removeAttribute("data-src");
    }
    var parallel = Math.max(1, parseInt(grid ? grid.getAttribute("data-parallel") : "4", 10) || 4);
    for (var n = 0; n < parallel; n++) { loadNext(); }
    var summary = one("#error-summary");
    if (summary) { summary.focus(); }

    function focusItem(i) {
      if (!items.length) { return; }
      current = Math.max(0, Math.min(items.length - 1, i));
      items[current].focus();
    }
    function targets() {
      var picked = all(".grid .pick:checked").map(function (box) { return box.closest(".item"); });
      if (picked.length) { return picked; }
      return current >= 0 && one(".pick", items[current]) ? [items[current]] : [];
    }
    function set(item, scheme, value) {
      var select = one('select[data-scheme="' + scheme + '"]', item);
      if (select) { select.value = value; }
    }
    function sync() {
      // The page's verdict follows from its items: CSAM when any item is.
      var csam = all('select[data-scheme="verdict"]').some(function (s) { return s.value === "csam"; });
      var radio = form && one('input[name="verdict"][value="csam"]', form);
      if (csam && radio) { radio.checked = true; }
    }
    function grade(verdict, classification) {
      targets().forEach(function (item) {
        set(item, "verdict", verdict);
        all('select[data-scheme]:not([data-scheme="verdict"])', item).forEach(function (s) {
          if (verdict !== "csam") { s.value = ""; }
        });
        Object.keys(classification || {}).forEach(function (code) {
          set(item, code, (classification[code] || [""])[0]);
        });
      });
      sync();
    }
    function selectAll(on) {
      all(".grid .pick").forEach(function (box) { box.checked = on; });
      var box = one("#select-all");
      if (box) { box.checked = on; }
    }
    function bump(id) {
      var el = one(id);
      if (el) { el.textContent = String(parseInt(el.textContent, 10) + 1); }
    }

    all(".reveal-form").forEach(function (revealForm) {
      revealForm.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(revealForm.action, {method: "POST", body: new FormData(revealForm),
                                  credentials: "same-origin", redirect: "manual"})
          .then(function (response) {
            if (!(response.ok || response.type === "opaqueredirect")) { return; }
            var id = revealForm.id.replace("reveal-", "");
            var item = one("#item-" + id);
            var img = item && one("img", item);
            if (item && !img) {
              // A known item shows its verdict, not a picture, until it is revealed.
              img = document.createElement("img");
              img.alt = item.querySelector(".caption strong").textContent;
              img.width = 160;
              img.height = 160;
              var frame = one(".frame", item);
              frame.textContent = "";
              frame.appendChild(img);
            }
            if (img) {
              img.removeAttribute("data-src");
              img.src = revealForm.getAttribute("data-revealed");
              img.className = "revealed";
            }
            var button = item && one("button.reveal", item);
            if (button) { button.remove(); }
            bump("#reveals-session");
            bump("#reveals-today");
          });
      });
    });

    var selectAllBox = one("#select-all");
    if (selectAllBox) {
      selectAllBox.addEventListener("change", function () { selectAll(selectAllBox.checked); });
    }
    all("[data-bulk]").forEach(function (button) {
      button.addEventListener("click", function () { grade(button.getAttribute("data-bulk"), null); });
    });
    all("[data-quick]").forEach(function (button) {
      button.addEventListener("click", function () {
        grade("csam", JSON.parse(button.getAttribute("data-classification")));
      });
    });
    var apply = one("#bulk-apply");
    if (apply) {
      apply.addEventListener("click", function () {
        var chosen = {};
        all("[data-bulk-scheme]").forEach(function (s) {
          if (s.value) { chosen[s.getAttribute("data-bulk-scheme")] = [s.value]; }
        });
        grade("csam", chosen);
      });
    }
    function nextGroup() {
      // The first required group of the panel with nothing chosen yet (per-item groups count
      // only when no item is graded CSAM).
      var csam = all('select[data-scheme="verdict"]').some(function (s) { return s.value === "csam"; });
      var groups = all("#assess-form .schemes fieldset").filter(function (group) {
        return one(".required", group) && !(csam && group.classList.contains("per-item")) &&
          !all("input", group).some(function (input) { return input.checked; });
      });
      if (!groups.length) { return; }
      var closed = groups[0].closest("details");
      if (closed) { closed.open = true; }
      var first = one("input", groups[0]);
      if (first) { first.focus(); }
    }
    all('select[data-scheme="verdict"]').forEach(function (s) { s.addEventListener("change", sync); });
    items.forEach(function (item, i) { item.addEventListener("focusin", function () { current = i; }); });

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var tag = (event.target.tagName || "").toLowerCase();
      var type = (event.target.type || "").toLowerCase();
      if (tag === "textarea" || tag === "select" || (tag === "input" && type !== "checkbox" && type !== "radio")) { return; }
      var key = event.key;
      var handled = true;
      if (key === "j") { focusItem(current + 1); }
      else if (key === "k") { focusItem(current - 1); }
      else if (key === "x" && current >= 0) {
        var pick = one(".pick", items[current]);
        if (pick) { pick.checked = !pick.checked; }
      }
      else if (key === "a") { selectAll(!all(".grid .pick").every(function (b) { return b.checked; })); }
      else if (key === "c") { grade("csam", null); }
      else if (key === "n") { grade("not_illegal", null); }
      else if (/^[1-9]$/.test(key) && one('[data-quick="' + key + '"]')) {
        grade("csam", JSON.parse(one('[data-quick="' + key + '"]').getAttribute("data-classification")));
      }
      else if (key === "r" && current >= 0) {
        var reveal = one("#reveal-" + items[current].getAttribute("data-item"));
        if (reveal) { reveal.requestSubmit(); }
      }
      else if (key === "g" && form) { nextGroup(); }
      else if (key === "s" && form) {
        var save = one("#save-next", form) || one("#save", form);
        if (save) { save.click(); }
      }
      else { handled = false; }
      if (handled) { event.preventDefault(); }
    });
  });
}());
