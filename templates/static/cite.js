// Fills the date of access into citations and adds a copy button; the page works without it.
(function () {
  var d = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var today = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  document.querySelectorAll("[data-access-date]").forEach(function (el) { el.textContent = today; });
  document.querySelectorAll("[data-copy]").forEach(function (block) {
    if (!navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = block.getAttribute("data-copy");
    button.addEventListener("click", function () {
      var target = document.getElementById(block.getAttribute("data-copy-target"));
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = block.getAttribute("data-copied");
      });
    });
    block.appendChild(button);
  });
})();
