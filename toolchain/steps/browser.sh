# Chromium from Debian's archive (bookworm, the machine's own suite), for the report screenshot test: the drill
# report is an HTML page people open in a browser, so a headless browser renders it in `npm test`. The test runs it
# in an empty network namespace: it reads a file:// page and can reach nothing.
STEP_REGISTRY=debian STEP_PACKAGE="chromium fonts-dejavu-core" STEP_VERSION="bookworm"
step_inputs() { echo "chromium bookworm"; }
step_check() { command -v chromium && chromium --version; }
step_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail debian "apt-get update" bookworm "cannot read the package lists"
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core || fail debian chromium bookworm "apt-get install failed"
}
