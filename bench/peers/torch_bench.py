#!/usr/bin/python3
"""PyTorch CPU, one thread, on the six workloads of `npm run bench:peers` (called by run.mjs).

  torch_bench.py export-onnx DIR          write W2.onnx and W5.onnx (nn.LSTM) for onnxruntime-web
  torch_bench.py bench [--only W1,W3] [--quick]
                                           time the workloads; one JSON object on stdout
  torch_bench.py blas                      which BLAS a matrix product loads (JSON)

Same shapes and maths as the JavaScript runners: time-major [T, B, F] tensors (nn.LSTM/nn.GRU's
default), softmax cross-entropy / MSE, torch.optim.Adam(lr=1e-3). Each timed call reads its result
back with .item(). The BLAS is whatever libblas.so.3 the dynamic loader finds (run.mjs points
LD_LIBRARY_PATH at OpenBLAS); the report names the library that is actually mapped.
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

WORKLOADS = {
    "W1": dict(V=65, H=128, T=64, B=32),
    "W2": dict(D=64, H=256, T=100, B=1, layers=2),
    "W3": dict(D=1, H=32, T=24, B=64),
    "W4": dict(V=1000, E=64, H=64, T=20, B=32, tags=10),
    "W5": dict(D=512, H=512, T=50, B=64),
    "W6": dict(V=65, E=64, H=256, T=100, B=32, clip_norm=5.0),
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def measure(fn, quick):
    """Warm-up, then samples of >= `sample` s until >= `min_time` s and >= `min_samples` samples."""
    warmup, sample, min_time, min_samples = (0.3, 0.25, 1.0, 2) if quick else (1.0, 0.5, 3.0, 3)
    start = time.perf_counter()
    while True:
        fn()
        if time.perf_counter() - start >= warmup:
            break
    per_call = []
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or len(per_call) < min_samples:
        s0 = time.perf_counter()
        n = 0
        while True:
            fn()
            n += 1
            if time.perf_counter() - s0 >= sample:
                break
        per_call.append((time.perf_counter() - s0) / n)
        calls += n
    median = statistics.median(per_call)
    return dict(
        secondsPerCall=median,
        bestSecondsPerCall=min(per_call),
        spread=(max(per_call) - min(per_call)) / median,
        samples=len(per_call),
        calls=calls,
        seconds=time.perf_counter() - start,
    )


def train_step(model, loss_fn, opt, clip_norm=None):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], clip_norm)
        opt.step()
        value = loss.item()
        if value != value:
            raise RuntimeError("loss is NaN")
    return step


def w1():
    p = WORKLOADS["W1"]
    V, H, T, B = p["V"], p["H"], p["T"], p["B"]
    g = torch.Generator().manual_seed(11)
    tokens = torch.randint(0, V, (T + 1, B), generator=g)
    x = torch.nn.functional.one_hot(tokens[:-1], V).float()  # [T, B, V]
    y = tokens[1:].reshape(-1)
    lstm, head = torch.nn.LSTM(V, H), torch.nn.Linear(H, V)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ce = torch.nn.CrossEntropyLoss()
    loss = lambda: ce(head(lstm(x)[0]).reshape(-1, V), y)
    return ("one-hot floats [64, 32, 65] -> nn.LSTM(65, 128) -> nn.Linear(128, 65), CrossEntropyLoss every step, Adam",
            train_step(lstm, loss, opt))


def w2():
    p = WORKLOADS["W2"]
    lstm = torch.nn.LSTM(p["D"], p["H"], num_layers=p["layers"]).eval()
    x = torch.rand(p["T"], 1, p["D"]) * 2 - 1

    def fwd():
        with torch.inference_mode():
            lstm(x)[0][-1, 0, 0].item()
    return "nn.LSTM(64, 256, num_layers=2)(x [100, 1, 64]) under inference_mode", fwd


def w3():
    p = WORKLOADS["W3"]
    D, H, T, B = p["D"], p["H"], p["T"], p["B"]
    gru, head = torch.nn.GRU(D, H), torch.nn.Linear(H, 1)
    x = torch.rand(T, B, D) * 2 - 1
    y = torch.rand(B, 1) * 2 - 1
    opt = torch.optim.Adam(list(gru.parameters()) + list(head.parameters()), lr=1e-3)
    mse = torch.nn.MSELoss()
    loss = lambda: mse(head(gru(x)[0][-1]), y)
    return "nn.GRU(1, 32), last step -> nn.Linear(32, 1), MSELoss, Adam", train_step(gru, loss, opt)


def w4():
    p = WORKLOADS["W4"]
    V, E, H, T, B, tags = p["V"], p["E"], p["H"], p["T"], p["B"], p["tags"]
    g = torch.Generator().manual_seed(41)
    x = torch.randint(0, V, (T, B), generator=g)
    y = torch.randint(0, tags, (T * B,), generator=g)
    emb, lstm, head = torch.nn.Embedding(V, E), torch.nn.LSTM(E, H, bidirectional=True), torch.nn.Linear(2 * H, tags)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ce = torch.nn.CrossEntropyLoss()
    loss = lambda: ce(head(lstm(emb(x))[0]).reshape(-1, tags), y)
    return ("nn.Embedding(1000, 64) -> nn.LSTM(64, 64, bidirectional=True) -> nn.Linear(128, 10), CrossEntropyLoss every step, Adam",
            train_step(lstm, loss, opt))


def w5():
    p = WORKLOADS["W5"]
    lstm = torch.nn.LSTM(p["D"], p["H"]).eval()
    x = torch.rand(p["T"], p["B"], p["D"]) * 2 - 1

    def fwd():
        with torch.inference_mode():
            lstm(x)[0][-1, 0, 0].item()
    return "nn.LSTM(512, 512)(x [50, 64, 512]) under inference_mode", fwd


def w6():
    p = WORKLOADS["W6"]
    V, E, H, T, B = p["V"], p["E"], p["H"], p["T"], p["B"]
    g = torch.Generator().manual_seed(61)
    tokens = torch.randint(0, V, (T + 1, B), generator=g)
    x, y = tokens[:-1], tokens[1:].reshape(-1)
    emb, lstm, head = torch.nn.Embedding(V, E), torch.nn.LSTM(E, H), torch.nn.Linear(H, V)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ce = torch.nn.CrossEntropyLoss()
    loss = lambda: ce(head(lstm(emb(x))[0]).reshape(-1, V), y)
    return ("ids [100, 32] -> nn.Embedding(65, 64) -> nn.LSTM(64, 256) -> nn.Linear(256, 65), CrossEntropyLoss every step, Adam, clip_grad_norm_ 5",
            train_step(lstm, loss, opt, p["clip_norm"]))


RUNNERS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}


def blas_info():
    """The BLAS library mapped into this process after a matrix product, and OpenBLAS's own report."""
    a = torch.ones(64, 64)
    (a @ a).sum().item()
    torch.nn.functional.linear(a, a).sum().item()
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(name)
            if "blas" in base or "mkl" in base:
                paths.add(os.path.realpath(name))
    info = dict(libraries=sorted(paths))
    for path in sorted(paths):
        if "openblas" in os.path.basename(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                lib.openblas_get_corename.restype = ctypes.c_char_p
                info["openblas"] = dict(
                    config=lib.openblas_get_config().decode(),
                    core=lib.openblas_get_corename().decode(),
                    path=path,
                )
            except (OSError, AttributeError) as e:
                info["error"] = str(e)
    openblas = info.get("openblas")
    if openblas:
        words = openblas["config"].split()
        version = words[1] if len(words) > 1 and words[0] == "OpenBLAS" else ""
        info["name"] = f"OpenBLAS {version} {openblas['core']}".replace("  ", " ")
    elif any("libblas.so" in p and "/blas/" in p for p in paths):
        info["name"] = "reference BLAS (netlib)"
    else:
        info["name"] = ", ".join(os.path.basename(p) for p in sorted(paths)) or "none mapped"
    return info


def export_onnx(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    import warnings
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    specs = {
        "W2": (torch.nn.LSTM(64, 256, num_layers=2), (100, 1, 64)),
        "W5": (torch.nn.LSTM(512, 512), (50, 64, 512)),
    }
    for name, (module, shape) in specs.items():
        path = os.path.join(out_dir, f"{name}.onnx")
        torch.onnx.export(module.eval(), (torch.zeros(*shape),), path, input_names=["x"],
                          output_names=["y", "h", "c"], opset_version=14)
        log(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def bench(only, quick):
    out = dict(
        version=torch.__version__,
        threads=torch.get_num_threads(),
        blas=blas_info(),
        env={k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "LD_LIBRARY_PATH")},
        results=[],
    )
    log(f"PyTorch {out['version']}, {out['threads']} thread, BLAS: {out['blas']['name']}")
    for wid in only:
        what, fn = RUNNERS[wid]()
        m = measure(fn, quick)
        m.update(id=wid, what=what)
        out["results"].append(m)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export-onnx")
    exp.add_argument("dir")
    b = sub.add_parser("bench")
    b.add_argument("--only", default=",".join(WORKLOADS))
    b.add_argument("--quick", action="store_true")
    sub.add_parser("blas")
    args = parser.parse_args()
    if args.command == "export-onnx":
        export_onnx(args.dir)
    elif args.command == "blas":
        print(json.dumps(blas_info()))
    else:
        only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in only if w not in RUNNERS]
        if unknown:
            parser.error(f"unknown workloads {unknown}; known: {list(RUNNERS)}")
        bench(only, args.quick)


if __name__ == "__main__":
    main()
