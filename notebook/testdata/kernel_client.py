"""Talks to the GoNB kernel the way Jupyter does (jupyter_client), for the
notebook tests and the latency figures in the README.

    kernel_client.py time NOTEBOOK [RUNS]
        runs the notebook's code cells RUNS times (default 1) in one kernel,
        in order, and prints a JSON list of {"cell", "run", "seconds"}: the
        wall time from execute_request to the kernel's idle status.
    kernel_client.py run NOTEBOOK [CAPTURE]
        runs the code cells in order and stops at the first that fails, as
        Jupyter's "Run All" does; with CAPTURE, the notebook's capturePath is
        replaced first. Prints a JSON list of {"cell", "status", "output"}:
        everything the cell printed or displayed, as text.
    kernel_client.py complete NOTEBOOK CODE...
        runs the notebook's first two code cells (set-up), waits until gopls
        answers (it loads the packages when the kernel starts: up to a
        minute on a cold cache), then for each CODE asks for completions
        (Tab) and for inspection (Shift-Tab) at the cursor, written "@@" in
        CODE (default: the end); prints a JSON list of {"code", "matches",
        "inspect", "wait_s"}.

The kernel starts in the notebook's folder, as Jupyter starts it.
"""
import json
import os
import sys
import time

import jupyter_client
import nbformat

TIMEOUT = 600  # seconds for one cell; the first cell on a cold build cache takes about 50


def start(notebook):
    km = jupyter_client.KernelManager(kernel_name="gonb")
    km.start_kernel(cwd=os.path.dirname(os.path.abspath(notebook)))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def code_cells(notebook):
    nb = nbformat.read(notebook, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def execute(kc, code, output=None):
    """Runs code, returns (seconds, error text or None); appends what the
    cell printed or displayed to output."""
    t0 = time.monotonic()
    msg_id = kc.execute(code)
    error = None
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "error":
            error = content.get("ename", "") + ": " + content.get("evalue", "")
        if output is not None:
            if kind == "stream":
                output.append(content["text"])
            elif kind in ("display_data", "execute_result"):
                data = content["data"]
                output.append(data.get("text/html") or data.get("text/plain", ""))
            elif kind == "error":
                output.append("ERROR " + error + "\n")
        if kind == "status" and content["execution_state"] == "idle":
            break
    seconds = time.monotonic() - t0
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    if reply["content"].get("status") == "error" and error is None:
        error = reply["content"].get("ename", "error")
    return seconds, error


def request(kc, send, code):
    pos = code.find("@@")
    if pos < 0:
        pos = len(code)
    code = code.replace("@@", "", 1)
    msg_id = send(code, pos)
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def main(argv):
    mode, notebook = argv[1], argv[2]
    km, kc = start(notebook)
    try:
        cells = code_cells(notebook)
        out = []
        if mode == "time":
            runs = int(argv[3]) if len(argv) > 3 else 1
            for run in range(runs):
                for i, code in enumerate(cells):
                    seconds, error = execute(kc, code)
                    out.append({"cell": i, "run": run, "seconds": round(seconds, 3), "error": error})
        elif mode == "run":
            for i, code in enumerate(cells):
                if len(argv) > 3:
                    code = code.replace('var capturePath = "../testdata/sample.pcapng"', 'var capturePath = %s' % json.dumps(argv[3]))
                output = []
                _, error = execute(kc, code, output)
                out.append({"cell": i, "status": "error" if error else "ok", "output": "".join(output)})
                if error:
                    break
        elif mode == "complete":
            for code in cells[:2]:
                execute(kc, code)
            t0 = time.monotonic()
            while time.monotonic() - t0 < 120 and not request(kc, kc.complete, "%%\nc := notebook.Open(capturePath)\nc.Flo").get("matches"):
                time.sleep(1)
            wait = round(time.monotonic() - t0, 1)
            for code in argv[3:]:
                done = request(kc, kc.complete, code)
                info = request(kc, kc.inspect, code)
                data = info.get("data", {}) if info.get("found") else {}
                text = data.get("text/markdown") or data.get("text/plain", "")
                out.append({"code": code, "matches": done.get("matches", []), "inspect": text, "wait_s": wait})
        else:
            raise SystemExit("unknown mode " + mode)
        json.dump(out, sys.stdout, indent=1)
        print()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


if __name__ == "__main__":
    main(sys.argv)
