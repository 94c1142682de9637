// ConfigPortal snapshot browsing: scroll a virtualized config to a line (the row may not be in the DOM yet).
window.configPortal = window.configPortal || {};
window.configPortal.scrollToLine = function (containerId, index, rowHeight) {
  const el = document.getElementById(containerId);
  if (!el) return;
  const top = Math.max(0, index * rowHeight - el.clientHeight / 3);
  el.scrollTop = top;
};
