# shellcheck shell=bash
# Installs the Debian packages discountd needs when they are missing.
# Sourced by the scripts; `ensure_packages build|python|package|test`:
#   build    what building and running discountd needs;
#   python   that, and what scripts/lib/discountd_py.py needs (protoc, python3-protobuf);
#   package  that, and what scripts/package needs;
#   test     all of that, and what scripts/test runs.

ensure_packages() {
    local want=() lean=() mode=${1:-build}
    # To build and run: libprotobuf-c and jemalloc (found through pkg-config).
    command -v pkg-config >/dev/null || want+=(pkg-config)
    pkg-config --exists libprotobuf-c 2>/dev/null || want+=(libprotobuf-c-dev)
    pkg-config --exists jemalloc 2>/dev/null || want+=(libjemalloc-dev)
    if [ "$mode" = python ] || [ "$mode" = test ]; then
        # discountd_py generates its messages from proto/ and runs under /usr/bin/python3.
        command -v protoc >/dev/null || want+=(protobuf-compiler)
        /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null || want+=(python3-protobuf)
    fi
    if [ "$mode" = test ]; then
        # The drift check regenerates the codec; the interop test uses
        # containerd's own Go ttrpc client, built offline from Debian.
        command -v protoc-c >/dev/null || want+=(protobuf-c-compiler)
        # scripts/test checks every shell script under scripts/.
        command -v shellcheck >/dev/null || want+=(shellcheck)
        # The Prometheus project's parser checks `discountctl stats --prometheus`.
        /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || want+=(python3-prometheus-client)
        command -v go >/dev/null || want+=(golang-go)
        [ -d /usr/share/gocode/src/github.com/containerd/ttrpc ] || want+=(golang-github-containerd-ttrpc-dev)
        # scripts/mcp-test: the official MCP Python client, in its own venv.
        ensure_mcp_client || return 1
        # scripts/systemd-test (systemd-socket-activate), scripts/prometheus-test
        # (a real Prometheus server and promtool), scripts/package-test (lintian).
        # Without recommends: Prometheus's would add the node exporter.
        command -v systemd-socket-activate >/dev/null || lean+=(systemd)
        command -v prometheus >/dev/null || lean+=(prometheus)
        command -v lintian >/dev/null || lean+=(lintian)
    fi
    if [ "$mode" = test ] || [ "$mode" = package ]; then
        # scripts/package: dependencies, man pages from --help, the system user, the .deb.
        command -v dpkg-shlibdeps >/dev/null || lean+=(dpkg-dev)
        command -v help2man >/dev/null || lean+=(help2man)
        command -v patchelf >/dev/null || lean+=(patchelf)
        command -v systemd-sysusers >/dev/null || lean+=(systemd)
        # Linking FoundationNetworking statically (discountctl) takes libcurl.so.
        pkg-config --exists libcurl 2>/dev/null || lean+=(libcurl4-openssl-dev)
    fi
    [ ${#want[@]} -eq 0 ] && [ ${#lean[@]} -eq 0 ] && return 0

    echo "installing missing packages: ${want[*]} ${lean[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    if [ ${#want[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${want[@]}" >/dev/null || return 1
    fi
    if [ ${#lean[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
    fi
}

# The MCP Python client (PyPI `mcp`, pinned) in .build-venv/mcp, for
# scripts/mcp-test; sets MCP_PYTHON. About a minute the first time.
MCP_CLIENT_VERSION=1.26.0
ensure_mcp_client() {
    local venv=.build-venv/mcp
    MCP_PYTHON=$venv/bin/python
    "$MCP_PYTHON" -c "import mcp, sys; from importlib.metadata import version; sys.exit(version('mcp') != '$MCP_CLIENT_VERSION')" \
        2>/dev/null && return 0
    echo "installing the MCP Python client (mcp==$MCP_CLIENT_VERSION) into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install -q --disable-pip-version-check "mcp==$MCP_CLIENT_VERSION" || return 1
}
