// Applies the reader's saved theme before the page paints (no flash); site.js has the toggle.
(function () {
  try {
    var saved = window.localStorage.getItem("theme");
    if (saved === "dark" || saved === "light") document.documentElement.setAttribute("data-theme", saved);
  } catch (e) { /* storage blocked: the system preference applies */ }
})();
