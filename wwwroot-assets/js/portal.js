// ConfigPortal: small helpers for the pages (no inline scripts: the CSP forbids them).
window.configPortal = {
  scrollIntoView: function (id) {
    const el = document.getElementById(id);
    if (el) el.scrollIntoView({ block: "center" });
  },

  // The diff viewer: rows are virtualized with a fixed height, so row i sits at i * rowHeight in its scroll container.
  diff: {
    handlers: {},
    // n / p move to the next / previous change, unless the user is typing somewhere.
    attach: function (containerId, dotnetRef) {
      configPortal.diff.detach(containerId);
      const handler = function (e) {
        if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
        if (e.key !== "n" && e.key !== "p") return;
        const t = e.target;
        if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
        if (!document.getElementById(containerId)) return;
        e.preventDefault();
        dotnetRef.invokeMethodAsync("OnKey", e.key);
      };
      document.addEventListener("keydown", handler);
      configPortal.diff.handlers[containerId] = handler;
    },
    detach: function (containerId) {
      const h = configPortal.diff.handlers[containerId];
      if (h) document.removeEventListener("keydown", h);
      delete configPortal.diff.handlers[containerId];
    },
    // Puts row `index` a third down the viewport of the scroll container.
    scrollToRow: function (containerId, index, rowHeight) {
      const el = document.getElementById(containerId);
      if (!el) return;
      el.scrollTop = Math.max(0, index * rowHeight - Math.floor(el.clientHeight / 3));
    }
  }
};

// Copy buttons: elements with data-copy-url copy the text at that URL (a download endpoint) to the clipboard. The fetch
// runs inside the click, so the browser treats the write as a user gesture; no text travels through the circuit.
document.addEventListener("click", function (e) {
  const el = e.target instanceof Element ? e.target.closest("[data-copy-url]") : null;
  if (!el) return;
  e.preventDefault();
  const url = el.getAttribute("data-copy-url");
  const done = function (state) {
    el.setAttribute("data-copy-state", state);
    setTimeout(function () { el.removeAttribute("data-copy-state"); }, 2500);
  };
  const text = fetch(url, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.text();
  });
  const write = (navigator.clipboard && window.ClipboardItem)
    ? navigator.clipboard.write([new ClipboardItem({ "text/plain": text.then(function (t) { return new Blob([t], { type: "text/plain" }); }) })])
    : text.then(function (t) {
        // Not a secure context (plain http on a host name): the old way, through a hidden text area.
        const area = document.createElement("textarea");
        area.value = t;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        const ok = document.execCommand("copy");
        document.body.removeChild(area);
        if (!ok) throw new Error("copy refused");
      });
  write.then(function () { done("copied"); }, function () { done("failed"); });
});

// Selects marked data-submit-on-change submit their form (the tenant switch); an inline onchange would be blocked by the CSP.
document.addEventListener("change", function (e) {
  const el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-submit-on-change") && el.form) el.form.submit();
});
