// Aperçu Atelier LLM : recharge la page après chaque construction réussie, affiche les erreurs sinon.
(function () {
  "use strict";
  var generation = null;
  var overlay = null;

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "atelier-erreurs";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-labelledby", "atelier-erreurs-titre");
    var s = overlay.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = "rgba(20, 20, 20, 0.92)"; s.color = "#fff"; s.padding = "2rem";
    s.font = "15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var title = document.createElement("h2");
    title.id = "atelier-erreurs-titre";
    title.textContent = "La construction a échoué";
    title.style.color = "#ff8a80"; title.style.marginTop = "0";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      item.style.margin = "0.5rem 0"; item.style.whiteSpace = "pre-wrap";
      list.appendChild(item);
    });
    overlay.appendChild(list);
    var note = document.createElement("p");
    note.textContent = "La page affichée est le dernier site valide. Corrigez puis enregistrez : " +
      "l'aperçu se met à jour tout seul.";
    overlay.appendChild(note);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Fermer";
    close.addEventListener("click", hide);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  var source = new EventSource("/__atelier/evenements");
  source.addEventListener("etat", function (event) {
    var state = JSON.parse(event.data);
    if (state.erreurs.length) {
      show(state.erreurs);
    } else {
      hide();
      if (generation !== null && state.generation !== generation) { location.reload(); }
    }
    generation = state.generation;
  });
})();
