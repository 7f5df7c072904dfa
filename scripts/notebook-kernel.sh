#!/usr/bin/env bash
# Installs the Go notebook kernel (GoNB) for Jupyter with the two programs
# it runs: goimports (on every cell) and gopls (Tab completion and Shift-Tab
# inspection). All three are pinned in go.mod as tools. Then it compiles the
# packages the notebooks import, so that the first cell on a fresh machine
# does not wait for them (about 45 s on a cold build cache, 2 cores).
#
#   scripts/notebook-kernel.sh
#
# Needs Jupyter (Debian: apt-get install jupyter-notebook jupyter-nbconvert
# jupyter-client python3-ipykernel). The kernel binary is copied into the
# kernel's folder; the kernel is given a PATH that finds go, goimports and
# gopls, and writes its log to a file instead of the terminal (Jupyter's
# terminal would show its start-up test lines, "Error message" among them).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jupyter >/dev/null || { echo "notebook-kernel: jupyter is not installed (apt-get install jupyter-notebook jupyter-nbconvert jupyter-client python3-ipykernel)" >&2; exit 1; }
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
echo "notebook-kernel: installing goimports and gopls (the versions go.mod pins) into $gobin"
go install golang.org/x/tools/cmd/goimports golang.org/x/tools/gopls
export PATH="$gobin:$(dirname "$(command -v go)"):$PATH"
# GoNB logs through klog: keep the installer's lines that are not log lines.
go tool gonb --install --force_copy 2>&1 | grep -v '^[IWE][0-9]' || true
spec=$(jupyter kernelspec list 2>/dev/null | awk '$1 == "gonb" {print $2}')
[ -n "$spec" ] || { echo "notebook-kernel: the gonb kernel was not installed" >&2; exit 1; }
log="${XDG_CACHE_HOME:-$HOME/.cache}/pcaplab/gonb-kernel.log"
mkdir -p "$(dirname "$log")"
python3 - "$spec/kernel.json" "$PATH" "$log" <<'PY'
import json, sys
path, env_path, log = sys.argv[1:4]
k = json.load(open(path))
k.setdefault("env", {})["PATH"] = env_path
# The log goes to a file of at most 10 MB; only a fatal error reaches the
# terminal (cell errors are shown in the notebook).
quiet = {"-logtostderr": "false", "-alsologtostderr": "false", "-stderrthreshold": "FATAL", "-log_file": log,
         "-log_file_max_size": "10"}
argv = [a for a in k["argv"] if a.split("=", 1)[0] not in quiet]
k["argv"] = argv + [f"{name}={value}" for name, value in quiet.items()]
json.dump(k, open(path, "w"), indent=1)
PY
echo "notebook-kernel: GoNB kernel installed in $spec (its log: $log)"
echo "notebook-kernel: compiling what the notebooks import, so that their first cell starts at once"
start=$(date +%s)
go build ./notebook gonum.org/v1/plot/plotter github.com/go-gota/gota/dataframe
echo "notebook-kernel: done in $(($(date +%s) - start)) s; the notebooks are ready (jupyter notebook notebooks/user-traffic.ipynb)"
