"""Every interface string a learner reads, in one place (French, accented).

They go through the same typography pass as the prose (``text.french``): no-break spaces before « : ; ! ? »
and inside guillemets, curly apostrophes. Write them with ordinary spaces and straight apostrophes.
"""

from ..text import french

_WRITTEN: dict[str, str] = {
    "skip_link": "Aller au contenu",
    "contents": "Sommaire",
    "on_this_page": "Sur cette page",
    "previous": "Précédent",
    "next": "Suivant",
    "home": "Accueil",
    "not_found_title": "Page introuvable",
    "not_found_text": "La page demandée n'existe pas ou a été déplacée.",
    "back_home": "Retour à l'accueil",
    "chapter": "Chapitre",
    "preface": "Préface",
    "by": "par",
    "published": "Publié le",
    "start": "Commencer la lecture",
    "download": "Télécharger le cours :",
    "course_nav": "Navigation du cours",
    "pager_nav": "Chapitres précédent et suivant",
    "toc_nav": "Sur cette page",
    "menu": "Menu",
    "theme_toggle": "Changer de thème",
    "theme_light": "Thème clair",
    "theme_dark": "Thème sombre",
    "footer": "Cours publié avec Atelier LLM, sans traceur ni ressource externe.",
    "source": "Source",
    "glossary": "Glossaire",
    "glossary_intro": "Les termes du cours, avec leur équivalent anglais. Dans les chapitres, la première apparition de chaque terme renvoie ici.",
    "glossary_used_in": "Employé dans :",
    "search_title": "Recherche",
    "search_label": "Rechercher dans le cours",
    "search_quick": "Recherche rapide",
    "search_placeholder": "Rechercher… (/)",
    "search_button": "Rechercher",
    "search_results": "Résultats de la recherche",
    "search_needs_js": "La recherche a besoin de JavaScript et d'un serveur web (en local : python build.py serve).",
}

UI: dict[str, str] = {key: french(text) for key, text in _WRITTEN.items()}
