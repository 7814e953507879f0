# Installs the Debian packages discountd needs when they are missing.
# Sourced by scripts/run and scripts/test; `ensure_packages build|test`.

ensure_packages() {
    local want=() pkg
    # To build and run: libprotobuf-c (found through pkg-config).
    command -v pkg-config >/dev/null || want+=(pkg-config)
    pkg-config --exists libprotobuf-c 2>/dev/null || want+=(libprotobuf-c-dev)
    if [ "${1:-build}" = test ]; then
        # The drift check regenerates the codec; the interop test uses
        # containerd's own Go ttrpc client, built offline from Debian.
        command -v protoc >/dev/null || want+=(protobuf-compiler)
        command -v protoc-c >/dev/null || want+=(protobuf-c-compiler)
        /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null || want+=(python3-protobuf)
        command -v go >/dev/null || want+=(golang-go)
        [ -d /usr/share/gocode/src/github.com/containerd/ttrpc ] || want+=(golang-github-containerd-ttrpc-dev)
    fi
    [ ${#want[@]} -eq 0 ] && return 0

    echo "installing missing packages: ${want[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null
}
