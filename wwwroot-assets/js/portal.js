// ConfigPortal: small helpers for the pages (no inline scripts: the CSP forbids them).
window.configPortal = {
  scrollIntoView: function (id) {
    const el = document.getElementById(id);
    if (el) el.scrollIntoView({ block: "center" });
  }
};

// Selects marked data-submit-on-change submit their form (the tenant switch); an inline onchange would be blocked by the CSP.
document.addEventListener("change", function (e) {
  const el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-submit-on-change") && el.form) el.form.submit();
});
