# Cases for golden/gen_clipping.py beyond the public set: other norm types, a non-finite norm
# without the error, infinities, zero and huge limits, one tensor, tiny and huge gradients.
#
#   /usr/bin/python3 src/test/resources/golden/gen_clipping.py \
#       src/test/resources/golden-extra/cases_clipping.py src/test/resources/golden-extra
import random

_r = random.Random(2026)
CLIPPING_CASES = [
    {"id": "norm3", "kind": "norm", "seed": 101, "shapes": [40, 9], "args": {"max_norm": 2.0, "norm_type": 3.0}},
    {"id": "norm-half", "kind": "norm", "seed": 102, "shapes": [17, 33], "args": {"max_norm": 50.0, "norm_type": 0.5}},
    {"id": "norm2-one-tensor", "kind": "norm", "seed": 103, "shapes": [1000], "args": {"max_norm": 3.0}},
    {"id": "norm2-zero-limit", "kind": "norm", "seed": 104, "shapes": [10, 10], "args": {"max_norm": 0.0}},
    {"id": "norm2-inf-limit", "kind": "norm", "seed": 105, "shapes": [10, 10], "args": {"max_norm": float("inf")}},
    {"id": "norm2-nan-no-error", "kind": "norm", "seed": 106, "shapes": [20, 20],
     "poison": [[[0, 5], float("nan")]], "args": {"max_norm": 1.0}},
    {"id": "norm2-inf-no-error", "kind": "norm", "seed": 107, "shapes": [20, 20],
     "poison": [[[1, 2], float("inf")]], "args": {"max_norm": 1.0}},
    {"id": "norm-inf-inf-error", "kind": "norm", "seed": 108, "shapes": [20, 20],
     "poison": [[[1, 2], float("-inf")]], "args": {"max_norm": 1.0, "norm_type": "inf", "error_if_nonfinite": True}},
    {"id": "norm1-tiny-grads", "kind": "norm", "seed": 109, "shapes": [64, 64], "grad_scale": 1e-20,
     "args": {"max_norm": 1e-19, "norm_type": 1.0}},
    {"id": "norm2-large-grads", "kind": "norm", "seed": 110, "shapes": [64, 64], "grad_scale": 1e15,
     "args": {"max_norm": 1.0}},
    {"id": "value-zero", "kind": "value", "seed": 111, "shapes": [31], "args": {"clip_value": 0.0}},
    {"id": "value-nan-inf", "kind": "value", "seed": 112, "shapes": [31, 8],
     "poison": [[[0, 1], float("nan")], [[1, 3], float("inf")], [[1, 4], float("-inf")]], "args": {"clip_value": 0.5}},
]
for k in range(12):
    shapes = [_r.randint(1, 300) for _ in range(_r.randint(1, 5))]
    norm = _r.choice([1.0, 2.0, "inf", 1.5, 4.0])
    CLIPPING_CASES.append({"id": "random-norm-%d" % k, "kind": "norm", "seed": 200 + k, "shapes": shapes,
                           "grad_scale": 10 ** _r.uniform(-3, 3),
                           "args": {"max_norm": round(10 ** _r.uniform(-2, 2), 6), "norm_type": norm}})
for k in range(4):
    shapes = [_r.randint(1, 300) for _ in range(_r.randint(1, 4))]
    CLIPPING_CASES.append({"id": "random-value-%d" % k, "kind": "value", "seed": 300 + k, "shapes": shapes,
                           "args": {"clip_value": round(10 ** _r.uniform(-2, 1), 6)}})
