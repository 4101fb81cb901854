#!/usr/bin/env python3
"""Weight averages as torch 1.13's swa_utils.AveragedModel computes them.

Usage:  /usr/bin/python3 gen_averaging.py OUT_DIR   (writes OUT_DIR/averaging.json)

Each case folds a sequence of parameter values (float32, several tensors) into an AveragedModel:
`kind` "swa" uses AveragedModel's default avg_fn (the running mean); "ema" passes the avg_fn of
torch 2's get_ema_avg_fn(decay), `decay * ema + (1 - decay) * p`, which torch 1.13 lacks. After
each update_parameters call the averaged tensors are recorded.

    {"meta": {...}, "cases": [{"id", "kind", "decay" (ema only), "shapes", "values": [[...], ...]
      (per update, the tensors concatenated), "expected_f32": [[...], ...] (per update, the
      averages concatenated)}, ...]}

Tolerance: as optimizers.json's (golden/FORMAT.md), D measured from values[0].
"""
import json
import sys

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel

torch.set_num_threads(1)

CASES = [
    {"id": "swa", "kind": "swa", "seed": 1, "shapes": [37, 5], "updates": 12},
    {"id": "swa-long", "kind": "swa", "seed": 2, "shapes": [64], "updates": 60},
    {"id": "ema-0.999", "kind": "ema", "decay": 0.999, "seed": 3, "shapes": [37, 5], "updates": 12},
    {"id": "ema-0.9", "kind": "ema", "decay": 0.9, "seed": 4, "shapes": [101], "updates": 30},
    {"id": "ema-0.5", "kind": "ema", "decay": 0.5, "seed": 5, "shapes": [16, 3], "updates": 8},
]


def ema_avg_fn(decay):
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def run(case):
    rng = np.random.default_rng(case["seed"])
    params = [torch.nn.Parameter(torch.tensor(rng.standard_normal(n).astype(np.float32)))
              for n in case["shapes"]]
    model = torch.nn.ParameterList(params)
    averaged = AveragedModel(model, avg_fn=ema_avg_fn(case["decay"]) if case["kind"] == "ema" else None)
    values, expected = [], []
    for _ in range(case["updates"]):
        with torch.no_grad():
            for p in params:  # a random walk, as training moves the parameters
                p.add_(torch.tensor(rng.standard_normal(p.numel()).astype(np.float32) * 0.1))
        averaged.update_parameters(model)
        values.append([float(x) for p in params for x in p.detach().numpy()])
        expected.append([float(x) for p in averaged.module.parameters() for x in p.detach().numpy()])
    out = {"id": case["id"], "kind": case["kind"], "shapes": case["shapes"], "values": values,
           "expected_f32": expected}
    if case["kind"] == "ema":
        out["decay"] = case["decay"]
    return out


def main():
    cases = [run(c) for c in CASES]
    with open(f"{sys.argv[1]}/averaging.json", "w") as f:
        json.dump({"meta": {"source": "torch " + torch.__version__, "format": "see gen_averaging.py"},
                   "cases": cases}, f, separators=(",", ":"))
    print(f"{len(cases)} averaging cases -> {sys.argv[1]}")


if __name__ == "__main__":
    main()
