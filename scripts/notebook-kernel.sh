#!/usr/bin/env bash
# Installs the Go notebook kernel (GoNB, pinned in go.mod as a tool) for
# Jupyter, with goimports (also pinned), which GoNB runs on every cell.
#
#   scripts/notebook-kernel.sh
#
# Needs Jupyter (Debian: apt-get install jupyter-notebook jupyter-nbconvert
# jupyter-client python3-ipykernel). The kernel binary is copied into the
# kernel's folder, and the kernel is given a PATH that finds go and goimports.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jupyter >/dev/null || { echo "notebook-kernel: jupyter is not installed (apt-get install jupyter-notebook jupyter-nbconvert jupyter-client python3-ipykernel)" >&2; exit 1; }
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
go install golang.org/x/tools/cmd/goimports # the version go.mod pins
export PATH="$gobin:$(dirname "$(command -v go)"):$PATH"
# gopls (completion in the editor) is optional: --force_deps installs without it.
go tool gonb --install --force_copy --force_deps 2>&1 | grep -v '^[IW][0-9]' || true
spec=$(jupyter kernelspec list 2>/dev/null | awk '$1 == "gonb" {print $2}')
[ -n "$spec" ] || { echo "notebook-kernel: the gonb kernel was not installed" >&2; exit 1; }
python3 - "$spec/kernel.json" "$PATH" <<'PY'
import json, sys
path, env_path = sys.argv[1], sys.argv[2]
k = json.load(open(path))
k.setdefault("env", {})["PATH"] = env_path
json.dump(k, open(path, "w"), indent=1)
PY
echo "GoNB kernel installed in $spec"
