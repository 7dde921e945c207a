# The pause (sandbox) binary: build/pause/linux/pause.c from the k8s.io/kubernetes module zip (the Go module proxy),
# compiled static with Debian's gcc. cluster/ packs it as the image localhost/pause:$PAUSE_VERSION.
STEP_REGISTRY=go-proxy STEP_PACKAGE="k8s.io/kubernetes (build/pause)" STEP_VERSION="v$KUBERNETES_VERSION"
step_outputs() { printf '%s\n' "$PAUSE_ROOT"; }
step_inputs() { echo "pause $PAUSE_VERSION k8s.io/kubernetes@v$KUBERNETES_VERSION"; }
step_check() { [ -x "$PAUSE_ROOT/bin/pause" ] && "$PAUSE_ROOT/bin/pause" -v | grep "$PAUSE_VERSION" >/dev/null; }
step_install() {
  local dir
  dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -f "$dir/build/pause/linux/pause.c" ] || fail go-proxy k8s.io/kubernetes "v$KUBERNETES_VERSION" "module zip has no build/pause/linux/pause.c"
  mkdir -p "$PAUSE_ROOT/bin"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$PAUSE_ROOT/bin/pause" "$dir/build/pause/linux/pause.c" \
    || fail debian gcc bookworm "static build of pause.c failed (needs libc6-dev)"
  strip "$PAUSE_ROOT/bin/pause"
}
