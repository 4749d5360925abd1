# Shared set-up steps for scripts/*.sh (sourced, not run).

# ensure_venv DIR REQUIREMENTS...: create DIR with python3 -m venv and install the pinned requirements,
# again only when a requirements file changed (a stamp keeps their hash).
ensure_venv() {
  local dir="$1"; shift
  local python="${PYTHON:-python3}"
  if [ ! -x "$dir/bin/python" ]; then
    echo "Création de l'environnement virtuel $dir…"
    "$python" -m venv "$dir"
  fi
  local stamp="$dir/.requirements.sha256"
  local want
  want="$(cat "$@" requirements*.txt | sha256sum | cut -d' ' -f1)-$*"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installation des dépendances ($*) dans $dir…"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' "$@")
    echo "$want" > "$stamp"
  fi
}

# ensure_chromium: Debian's Chromium for the browser tests (never a browser downloaded by Playwright).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  echo "Installation de Chromium (paquet Debian)…"
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}
