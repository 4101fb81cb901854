# Cases for golden/gen_torch.py: every flag combination of every rule, with hyperparameters and
# data scales away from the defaults, and seeded random hyperparameters. Only optimizers.json is kept from
# the output; schedule cases live elsewhere.
#
#   /usr/bin/python3 src/test/resources/golden/gen_torch.py \
#       src/test/resources/golden-extra/cases_optimizers.py /tmp/out
#   cp /tmp/out/optimizers.json src/test/resources/golden-extra/
import random

OPTIMIZER_CASES = []
_seed = [100]


def _case(id, optimizer, hyper, n=17, steps=10, **data):
    _seed[0] += 1
    OPTIMIZER_CASES.append(dict(id=id, optimizer=optimizer, seed=_seed[0], n=n, steps=steps,
                                hyper=hyper, **data))


# SGD: maximize x weight decay x {no momentum, momentum, dampened, fully dampened, nesterov}
_MOMENTUM = {
    "plain": {},
    "momentum": {"momentum": 0.9},
    "dampened": {"momentum": 0.9, "dampening": 0.5},
    "fully-dampened": {"momentum": 0.5, "dampening": 1.0},
    "nesterov": {"momentum": 0.9, "nesterov": True},
}
for maximize in (False, True):
    for wd in (0.0, 0.01):
        for name, extra in _MOMENTUM.items():
            hyper = {"lr": 0.02, **extra}
            if wd:
                hyper["weight_decay"] = wd
            if maximize:
                hyper["maximize"] = True
            _case("sgd-%s%s%s" % (name, "-wd" if wd else "", "-max" if maximize else ""), "SGD", hyper)

# SGD: explicit defaults, momentum above one, extreme rates and data scales
_case("sgd-explicit-defaults", "SGD", {"lr": 0.01, "momentum": 0, "dampening": 0, "weight_decay": 0,
                                       "nesterov": False, "maximize": False})
_case("sgd-momentum-above-one", "SGD", {"lr": 0.001, "momentum": 1.2}, steps=20)
_case("sgd-large-lr", "SGD", {"lr": 1.5, "momentum": 0.5, "weight_decay": 0.1}, steps=20)
_case("sgd-small-lr", "SGD", {"lr": 1e-6, "momentum": 0.99, "nesterov": True}, steps=20)
_case("sgd-tiny-grads", "SGD", {"lr": 0.1, "momentum": 0.9}, grad_scale=1e-7)
_case("sgd-huge-grads", "SGD", {"lr": 1e-4, "momentum": 0.9, "dampening": 0.1}, grad_scale=1e4)
_case("sgd-large-params-wd", "SGD", {"lr": 0.01, "weight_decay": 0.5}, init_scale=1e3)
_case("sgd-long-nesterov-wd", "SGD", {"lr": 0.05, "momentum": 0.95, "nesterov": True,
                                      "weight_decay": 1e-3, "maximize": True}, n=101, steps=30)

# Adam and AdamW: maximize x weight decay x amsgrad
for optimizer in ("Adam", "AdamW"):
    for maximize in (False, True):
        for wd in (0.0, 0.1):
            for amsgrad in (False, True):
                hyper = {"lr": 0.01, "weight_decay": wd}
                if amsgrad:
                    hyper["amsgrad"] = True
                if maximize:
                    hyper["maximize"] = True
                _case("%s%s%s%s" % (optimizer.lower(), "-wd" if wd else "-nowd",
                                    "-amsgrad" if amsgrad else "", "-max" if maximize else ""),
                      optimizer, hyper)

# Adam and AdamW: defaults (AdamW's weight decay is 1e-2, Adam's 0), betas, eps, rates, scales
for optimizer in ("Adam", "AdamW"):
    o = optimizer.lower()
    _case(o + "-all-defaults", optimizer, {}, steps=20)
    _case(o + "-beta1-zero", optimizer, {"lr": 0.01, "betas": [0.0, 0.999]})
    _case(o + "-beta2-zero", optimizer, {"lr": 0.01, "betas": [0.9, 0.0]})
    _case(o + "-low-betas", optimizer, {"lr": 0.01, "betas": [0.5, 0.6], "amsgrad": True})
    _case(o + "-high-betas", optimizer, {"lr": 0.003, "betas": [0.99, 0.99999]}, steps=30)
    _case(o + "-large-eps", optimizer, {"lr": 0.01, "eps": 1.0})
    _case(o + "-tiny-eps", optimizer, {"lr": 0.01, "eps": 1e-12, "amsgrad": True})
    _case(o + "-large-lr", optimizer, {"lr": 1.0, "weight_decay": 0.3}, steps=20)
    _case(o + "-small-lr", optimizer, {"lr": 1e-6, "betas": [0.8, 0.99]}, steps=20)
    _case(o + "-tiny-grads", optimizer, {"lr": 0.001, "eps": 1e-10}, grad_scale=1e-6)
    _case(o + "-huge-grads", optimizer, {"lr": 0.001, "amsgrad": True}, grad_scale=1e5)
    _case(o + "-large-params", optimizer, {"lr": 0.1, "weight_decay": 0.05, "maximize": True},
          init_scale=1e3)
    _case(o + "-long", optimizer, {"lr": 0.002, "betas": [0.85, 0.995], "weight_decay": 0.02,
                                   "amsgrad": True}, n=101, steps=30)

# ---- NAdam (torch 1.13: no maximize, no decoupled_weight_decay) -----------------------------
_seed[0] = 1000
_rng = random.Random(1000)
for wd in (0.0, 0.05):
    for psi in (0.0, 4e-3, 0.1):
        _case("nadam%s-psi%g" % ("-wd" if wd else "", psi), "NAdam",
              {"lr": 0.01, "weight_decay": wd, "momentum_decay": psi})
_case("nadam-all-defaults", "NAdam", {}, steps=20)
_case("nadam-beta1-zero", "NAdam", {"lr": 0.01, "betas": [0.0, 0.999]})
_case("nadam-beta2-zero", "NAdam", {"lr": 0.01, "betas": [0.9, 0.0]})
_case("nadam-large-eps", "NAdam", {"lr": 0.01, "eps": 1.0})
_case("nadam-large-lr", "NAdam", {"lr": 1.0, "weight_decay": 0.3}, steps=20)
_case("nadam-tiny-grads", "NAdam", {"lr": 0.002, "eps": 1e-10}, grad_scale=1e-6)
_case("nadam-huge-grads", "NAdam", {"lr": 0.002}, grad_scale=1e5)
_case("nadam-large-params", "NAdam", {"lr": 0.1, "weight_decay": 0.05}, init_scale=1e3)
_case("nadam-long", "NAdam", {"lr": 0.003, "betas": [0.95, 0.99], "momentum_decay": 0.01,
                              "weight_decay": 0.01}, n=101, steps=60)
for k in range(6):
    _case("nadam-random-%d" % k, "NAdam", {
        "lr": float("%.3g" % 10 ** _rng.uniform(-4, -1)),
        "betas": [float("%.3g" % _rng.uniform(0, 0.99)), float("%.5g" % (1 - 10 ** _rng.uniform(-4, -1)))],
        "eps": _rng.choice([1e-8, 1e-6, 1e-3]),
        "weight_decay": _rng.choice([0.0, float("%.3g" % 10 ** _rng.uniform(-4, -1))]),
        "momentum_decay": float("%.3g" % 10 ** _rng.uniform(-4, -0.5))}, steps=25)
# ---- end NAdam ---------------------------------------------------------------------------------

# ---- RAdam (torch 1.13: no maximize, no decoupled_weight_decay) -----------------------------
# rho_t > 5 from step 6 on for beta2 >= 0.9, from step 8 for 0.75; never for beta2 < 2/3.
_seed[0] = 1100
_rng = random.Random(1100)
for wd in (0.0, 0.05):
    for b2 in (0.6, 0.75, 0.999):
        _case("radam%s-beta2-%g" % ("-wd" if wd else "", b2), "RAdam",
              {"lr": 0.01, "betas": [0.9, b2], "weight_decay": wd}, steps=20)
_case("radam-all-defaults", "RAdam", {}, steps=20)
_case("radam-beta1-zero", "RAdam", {"lr": 0.01, "betas": [0.0, 0.99]}, steps=15)
_case("radam-large-eps", "RAdam", {"lr": 0.01, "eps": 1.0}, steps=15)
_case("radam-large-lr", "RAdam", {"lr": 1.0, "weight_decay": 0.3}, steps=20)
_case("radam-tiny-grads", "RAdam", {"lr": 0.001, "eps": 1e-10}, grad_scale=1e-6, steps=15)
_case("radam-huge-grads", "RAdam", {"lr": 0.001}, grad_scale=1e5, steps=15)
_case("radam-large-params", "RAdam", {"lr": 0.1, "weight_decay": 0.05}, init_scale=1e3, steps=15)
_case("radam-long", "RAdam", {"lr": 0.003, "betas": [0.85, 0.995], "weight_decay": 0.01},
      n=101, steps=60)
for k in range(6):
    _case("radam-random-%d" % k, "RAdam", {
        "lr": float("%.3g" % 10 ** _rng.uniform(-4, -1)),
        "betas": [float("%.3g" % _rng.uniform(0, 0.99)), float("%.5g" % (1 - 10 ** _rng.uniform(-4, -0.3)))],
        "eps": _rng.choice([1e-8, 1e-6, 1e-3]),
        "weight_decay": _rng.choice([0.0, float("%.3g" % 10 ** _rng.uniform(-4, -1))])}, steps=25)
# ---- end RAdam ---------------------------------------------------------------------------------

# ---- ASGD --------------------------------------------------------------------------------------
# t0 = 1e6 (the default) never averages; with a small t0, ax averages from step t0 + 2 on.
_seed[0] = 1200
_rng = random.Random(1200)
for maximize in (False, True):
    for wd in (0.0, 0.01):
        for t0 in (1e6, 0, 5):
            hyper = {"lr": 0.05, "t0": t0, "weight_decay": wd}
            if maximize:
                hyper["maximize"] = True
            _case("asgd-t0-%g%s%s" % (t0, "-wd" if wd else "", "-max" if maximize else ""), "ASGD",
                  hyper, steps=15)
_case("asgd-all-defaults", "ASGD", {}, steps=20)
_case("asgd-no-decay", "ASGD", {"lr": 0.02, "lambd": 0.0, "t0": 3})
_case("asgd-strong-decay", "ASGD", {"lr": 0.1, "lambd": 0.5, "alpha": 1.0, "t0": 2}, steps=20)
_case("asgd-large-lr", "ASGD", {"lr": 1.5, "lambd": 0.01, "t0": 4}, steps=20)
_case("asgd-tiny-grads", "ASGD", {"lr": 0.1, "t0": 1}, grad_scale=1e-7)
_case("asgd-huge-grads", "ASGD", {"lr": 1e-4, "t0": 1}, grad_scale=1e4)
_case("asgd-large-params", "ASGD", {"lr": 0.01, "lambd": 0.1, "weight_decay": 0.5, "t0": 0},
      init_scale=1e3)
_case("asgd-long", "ASGD", {"lr": 0.03, "lambd": 1e-3, "alpha": 0.6, "t0": 10,
                            "weight_decay": 1e-3}, n=101, steps=60)
for k in range(6):
    _case("asgd-random-%d" % k, "ASGD", {
        "lr": float("%.3g" % 10 ** _rng.uniform(-3, 0)),
        "lambd": _rng.choice([0.0, float("%.3g" % 10 ** _rng.uniform(-5, -0.5))]),
        "alpha": float("%.3g" % _rng.uniform(0.3, 1.0)),
        "t0": _rng.choice([0, 1, 3, 8, 1e6]),
        "weight_decay": _rng.choice([0.0, float("%.3g" % 10 ** _rng.uniform(-4, -1))]),
        "maximize": _rng.choice([False, True])}, steps=25)
# ---- end ASGD ----------------------------------------------------------------------------------

# ---- Rprop -------------------------------------------------------------------------------------
_seed[0] = 1300
_rng = random.Random(1300)
for maximize in (False, True):
    for name, extra in (("defaults", {}),
                        ("narrow-range", {"step_sizes": [1e-3, 0.02]}),
                        ("min-above-lr", {"step_sizes": [0.05, 1.0]}),
                        ("soft-etas", {"etas": [0.9, 1.05]}),
                        ("hard-etas", {"etas": [0.1, 3.0]})):
        hyper = {"lr": 0.01, **extra}
        if maximize:
            hyper["maximize"] = True
        _case("rprop-%s%s" % (name, "-max" if maximize else ""), "Rprop", hyper, steps=15)
_case("rprop-all-defaults", "Rprop", {}, steps=20)
_case("rprop-zero-min", "Rprop", {"lr": 0.1, "step_sizes": [0.0, 10.0]}, steps=20)
_case("rprop-large-lr", "Rprop", {"lr": 2.0, "etas": [0.4, 1.3]}, steps=20)
_case("rprop-tiny-grads", "Rprop", {"lr": 0.01}, grad_scale=1e-20)
_case("rprop-huge-grads", "Rprop", {"lr": 0.01}, grad_scale=1e20)
_case("rprop-large-params", "Rprop", {"lr": 1.0, "step_sizes": [1e-6, 100.0]}, init_scale=1e3)
_case("rprop-long", "Rprop", {"lr": 0.005, "etas": [0.6, 1.1], "step_sizes": [1e-5, 0.5]},
      n=101, steps=60)
for k in range(6):
    lo = float("%.3g" % 10 ** _rng.uniform(-7, -3))
    _case("rprop-random-%d" % k, "Rprop", {
        "lr": float("%.3g" % 10 ** _rng.uniform(-4, 0)),
        "etas": [float("%.3g" % _rng.uniform(0.05, 0.95)), float("%.3g" % _rng.uniform(1.01, 3))],
        "step_sizes": [lo, float("%.3g" % (lo + 10 ** _rng.uniform(-3, 2)))],
        "maximize": _rng.choice([False, True])}, steps=25)
# ---- end Rprop ---------------------------------------------------------------------------------

SCHEDULE_CASES = []
