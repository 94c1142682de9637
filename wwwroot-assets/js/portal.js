// ConfigPortal: small helpers for the pages (no inline scripts: the CSP forbids them).
window.configPortal = {
  scrollIntoView: function (id) {
    const el = document.getElementById(id);
    if (el) el.scrollIntoView({ block: "center" });
  }
};
