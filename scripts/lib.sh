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

# ensure_debian COMMAND PACKAGE [COMMAND PACKAGE ...]: install each Debian package whose command is
# missing (Chromium for the browser tests, never a browser downloaded by Playwright; Java for the
# Nu HTML Checker; Node.js for the npm test tools).
ensure_debian() {
  local missing=()
  while [ "$#" -gt 0 ]; do
    if ! command -v "$1" >/dev/null 2>&1; then missing+=("$2"); fi
    shift 2
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  echo "Installation des paquets Debian : ${missing[*]}…"
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null  # env: sudo resets it
}

# ensure_node_modules: the pinned npm test tools (axe-core, vnu-jar) from package-lock.json.
ensure_node_modules() {
  local stamp="node_modules/.package-lock.sha256"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installation des outils de test npm (package-lock.json)…"
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    echo "$want" > "$stamp"
  fi
}
