# Cases for golden/gen_torch.py: every flag combination of each rule, with hyperparameters and
# data scales away from the defaults, and for the newer rules seeded random hyperparameters.
# Only optimizers.json is kept from the output; schedule cases live elsewhere.
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

# ---- Adagrad -------------------------------------------------------------------------------
# Each rule's block starts its own seeds and its own random hyperparameters, so that blocks
# added before it leave its cases as they are.
_seed[0] = 1000
_R = random.Random(1000)

# maximize x weight decay x lr_decay x initial_accumulator_value
for maximize in (False, True):
    for wd in (0.0, 0.05):
        for lr_decay in (0.0, 0.02):
            for initial in (0.0, 0.1):
                hyper = {"lr": 0.05}
                if wd:
                    hyper["weight_decay"] = wd
                if lr_decay:
                    hyper["lr_decay"] = lr_decay
                if initial:
                    hyper["initial_accumulator_value"] = initial
                if maximize:
                    hyper["maximize"] = True
                _case("adagrad%s%s%s%s" % ("-wd" if wd else "", "-decay" if lr_decay else "",
                                           "-initial" if initial else "", "-max" if maximize else ""),
                      "Adagrad", hyper)

# defaults, eps, decay, rates and data scales
_case("adagrad-all-defaults", "Adagrad", {}, steps=20)
_case("adagrad-eps-zero", "Adagrad", {"lr": 0.01, "eps": 0.0})  # 0/0 where the gradients were all 0
_case("adagrad-eps-zero-initial", "Adagrad", {"lr": 0.01, "eps": 0.0, "initial_accumulator_value": 1e-3})
_case("adagrad-large-eps", "Adagrad", {"lr": 0.05, "eps": 1.0})
_case("adagrad-fast-decay", "Adagrad", {"lr": 0.5, "lr_decay": 1.0}, steps=20)
_case("adagrad-large-initial", "Adagrad", {"lr": 1.0, "initial_accumulator_value": 100.0})
_case("adagrad-large-lr", "Adagrad", {"lr": 2.0, "weight_decay": 0.3}, steps=20)
_case("adagrad-small-lr", "Adagrad", {"lr": 1e-6, "lr_decay": 1e-3}, steps=20)
_case("adagrad-tiny-grads", "Adagrad", {"lr": 0.01}, grad_scale=1e-7)
_case("adagrad-huge-grads", "Adagrad", {"lr": 0.01, "weight_decay": 0.01}, grad_scale=1e5)
_case("adagrad-large-params", "Adagrad", {"lr": 0.1, "weight_decay": 0.05, "maximize": True},
      init_scale=1e3)
_case("adagrad-long", "Adagrad", {"lr": 0.02, "lr_decay": 0.01, "weight_decay": 1e-3,
                                  "initial_accumulator_value": 0.01}, n=101, steps=30)

# random hyperparameters
for _k in range(8):
    _case("adagrad-random-%d" % _k, "Adagrad",
          {"lr": round(10 ** _R.uniform(-4, 0), 6), "lr_decay": _R.choice([0.0, round(10 ** _R.uniform(-4, 0), 6)]),
           "weight_decay": _R.choice([0.0, round(10 ** _R.uniform(-4, -1), 6)]),
           "initial_accumulator_value": _R.choice([0.0, round(10 ** _R.uniform(-3, 1), 6)]),
           "eps": _R.choice([1e-10, 1e-8, 1e-6]), "maximize": _R.choice([False, True])},
          n=_R.randint(1, 80), steps=_R.randint(1, 40), grad_scale=10 ** _R.uniform(-3, 2))
# ---- end of Adagrad ------------------------------------------------------------------------

# ---- RMSprop -------------------------------------------------------------------------------
_seed[0] = 1100
_R = random.Random(1100)

# maximize x weight decay x momentum x centered
for maximize in (False, True):
    for wd in (0.0, 0.05):
        for momentum in (0.0, 0.9):
            for centered in (False, True):
                hyper = {"lr": 0.01}
                if wd:
                    hyper["weight_decay"] = wd
                if momentum:
                    hyper["momentum"] = momentum
                if centered:
                    hyper["centered"] = True
                if maximize:
                    hyper["maximize"] = True
                _case("rmsprop%s%s%s%s" % ("-wd" if wd else "", "-momentum" if momentum else "",
                                           "-centered" if centered else "", "-max" if maximize else ""),
                      "RMSprop", hyper)

# defaults, alpha, eps, momentum, rates and data scales
_case("rmsprop-all-defaults", "RMSprop", {}, steps=20)
_case("rmsprop-alpha-zero", "RMSprop", {"lr": 0.01, "alpha": 0.0})
_case("rmsprop-low-alpha-centered", "RMSprop", {"lr": 0.01, "alpha": 0.5, "centered": True})
_case("rmsprop-high-alpha", "RMSprop", {"lr": 0.003, "alpha": 0.9999, "momentum": 0.5}, steps=30)
_case("rmsprop-alpha-above-one", "RMSprop", {"lr": 1e-3, "alpha": 1.01})  # PyTorch only asks alpha >= 0
_case("rmsprop-large-eps", "RMSprop", {"lr": 0.01, "eps": 1.0, "centered": True})
_case("rmsprop-tiny-eps", "RMSprop", {"lr": 0.01, "eps": 1e-12, "momentum": 0.9})
_case("rmsprop-momentum-above-one", "RMSprop", {"lr": 1e-4, "momentum": 1.1}, steps=20)
_case("rmsprop-large-lr", "RMSprop", {"lr": 1.0, "weight_decay": 0.3}, steps=20)
_case("rmsprop-small-lr", "RMSprop", {"lr": 1e-6, "momentum": 0.99, "centered": True}, steps=20)
_case("rmsprop-tiny-grads", "RMSprop", {"lr": 0.001, "eps": 1e-10}, grad_scale=1e-6)
_case("rmsprop-huge-grads", "RMSprop", {"lr": 0.001, "momentum": 0.9, "centered": True}, grad_scale=1e5)
_case("rmsprop-large-params", "RMSprop", {"lr": 0.1, "weight_decay": 0.05, "maximize": True},
      init_scale=1e3)
_case("rmsprop-long", "RMSprop", {"lr": 0.002, "alpha": 0.95, "weight_decay": 0.02, "momentum": 0.8,
                                  "centered": True}, n=101, steps=30)

# random hyperparameters
for _k in range(8):
    _case("rmsprop-random-%d" % _k, "RMSprop",
          {"lr": round(10 ** _R.uniform(-5, -1), 7), "alpha": round(_R.uniform(0.5, 0.999), 4),
           "eps": _R.choice([1e-10, 1e-8, 1e-6]), "weight_decay": _R.choice([0.0, round(10 ** _R.uniform(-4, -1), 6)]),
           "momentum": _R.choice([0.0, round(_R.uniform(0.1, 0.99), 4)]), "centered": _R.choice([False, True]),
           "maximize": _R.choice([False, True])},
          n=_R.randint(1, 80), steps=_R.randint(1, 40), grad_scale=10 ** _R.uniform(-3, 2))
# ---- end of RMSprop ------------------------------------------------------------------------

# ---- Adadelta ------------------------------------------------------------------------------
_seed[0] = 1200
_R = random.Random(1200)

# maximize x weight decay, at PyTorch's lr and a smaller one
for maximize in (False, True):
    for wd in (0.0, 0.05):
        for lr in (1.0, 0.1):
            hyper = {"lr": lr}
            if wd:
                hyper["weight_decay"] = wd
            if maximize:
                hyper["maximize"] = True
            _case("adadelta-lr%g%s%s" % (lr, "-wd" if wd else "", "-max" if maximize else ""),
                  "Adadelta", hyper)

# defaults, rho, eps, rates and data scales
_case("adadelta-all-defaults", "Adadelta", {}, steps=20)
_case("adadelta-rho-zero", "Adadelta", {"lr": 1.0, "rho": 0.0})
_case("adadelta-rho-one", "Adadelta", {"lr": 0.01, "rho": 1.0})  # nothing is averaged: p - lr*g
_case("adadelta-low-rho", "Adadelta", {"lr": 1.0, "rho": 0.5})
_case("adadelta-high-rho", "Adadelta", {"lr": 1.0, "rho": 0.999}, steps=30)
_case("adadelta-large-eps", "Adadelta", {"lr": 0.1, "eps": 0.1})
_case("adadelta-tiny-eps", "Adadelta", {"lr": 1.0, "eps": 1e-10})
_case("adadelta-large-lr", "Adadelta", {"lr": 50.0, "weight_decay": 0.3}, steps=20)
_case("adadelta-small-lr", "Adadelta", {"lr": 1e-4, "rho": 0.8}, steps=20)
_case("adadelta-tiny-grads", "Adadelta", {"lr": 1.0, "eps": 1e-8}, grad_scale=1e-6)
_case("adadelta-huge-grads", "Adadelta", {"lr": 1.0}, grad_scale=1e5)
_case("adadelta-large-params", "Adadelta", {"lr": 1.0, "weight_decay": 0.05, "maximize": True},
      init_scale=1e3)
_case("adadelta-long", "Adadelta", {"lr": 2.0, "rho": 0.95, "weight_decay": 0.02}, n=101, steps=30)

# random hyperparameters
for _k in range(8):
    _case("adadelta-random-%d" % _k, "Adadelta",
          {"lr": round(10 ** _R.uniform(-2, 1), 6), "rho": round(_R.uniform(0.0, 1.0), 4),
           "eps": _R.choice([1e-8, 1e-6, 1e-4]), "weight_decay": _R.choice([0.0, round(10 ** _R.uniform(-4, -1), 6)]),
           "maximize": _R.choice([False, True])},
          n=_R.randint(1, 80), steps=_R.randint(1, 40), grad_scale=10 ** _R.uniform(-3, 2))
# ---- end of Adadelta -----------------------------------------------------------------------

# ---- Adamax --------------------------------------------------------------------------------
_seed[0] = 1300
_R = random.Random(1300)

# maximize x weight decay, at two rates
for maximize in (False, True):
    for wd in (0.0, 0.05):
        for lr in (0.002, 0.02):
            hyper = {"lr": lr}
            if wd:
                hyper["weight_decay"] = wd
            if maximize:
                hyper["maximize"] = True
            _case("adamax-lr%g%s%s" % (lr, "-wd" if wd else "", "-max" if maximize else ""),
                  "Adamax", hyper)

# defaults, betas, eps, rates and data scales
_case("adamax-all-defaults", "Adamax", {}, steps=20)
_case("adamax-beta1-zero", "Adamax", {"lr": 0.01, "betas": [0.0, 0.999]})
_case("adamax-beta2-zero", "Adamax", {"lr": 0.01, "betas": [0.9, 0.0]})
_case("adamax-low-betas", "Adamax", {"lr": 0.01, "betas": [0.5, 0.6]})
_case("adamax-high-betas", "Adamax", {"lr": 0.003, "betas": [0.99, 0.99999]}, steps=30)
_case("adamax-eps-zero", "Adamax", {"lr": 0.01, "eps": 0.0})  # 0/0 where the gradients were all 0
_case("adamax-large-eps", "Adamax", {"lr": 0.01, "eps": 1.0})
_case("adamax-large-lr", "Adamax", {"lr": 1.0, "weight_decay": 0.3}, steps=20)
_case("adamax-small-lr", "Adamax", {"lr": 1e-6, "betas": [0.8, 0.99]}, steps=20)
_case("adamax-tiny-grads", "Adamax", {"lr": 0.002, "eps": 1e-10}, grad_scale=1e-6)
_case("adamax-huge-grads", "Adamax", {"lr": 0.002}, grad_scale=1e5)
_case("adamax-large-params", "Adamax", {"lr": 0.1, "weight_decay": 0.05, "maximize": True},
      init_scale=1e3)
_case("adamax-long", "Adamax", {"lr": 0.002, "betas": [0.85, 0.995], "weight_decay": 0.02},
      n=101, steps=30)

# random hyperparameters
for _k in range(8):
    _case("adamax-random-%d" % _k, "Adamax",
          {"lr": round(10 ** _R.uniform(-5, -1), 7),
           "betas": [round(_R.uniform(0.0, 0.99), 4), round(_R.uniform(0.5, 0.99999), 5)],
           "eps": _R.choice([1e-10, 1e-8, 1e-6]), "weight_decay": _R.choice([0.0, round(10 ** _R.uniform(-4, -1), 6)]),
           "maximize": _R.choice([False, True])},
          n=_R.randint(1, 80), steps=_R.randint(1, 40), grad_scale=10 ** _R.uniform(-3, 2))
# ---- end of Adamax -------------------------------------------------------------------------

# ---- NAdam (torch 1.13: no maximize, no decoupled_weight_decay) -----------------------------
_seed[0] = 2000
_rng = random.Random(2000)
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
# ---- end of NAdam ------------------------------------------------------------------------

# ---- RAdam (torch 1.13: no maximize, no decoupled_weight_decay) -----------------------------
# rho_t > 5 from step 6 on for beta2 >= 0.9, from step 8 for 0.75; never for beta2 < 2/3.
_seed[0] = 2100
_rng = random.Random(2100)
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
# ---- end of RAdam ------------------------------------------------------------------------

# ---- ASGD --------------------------------------------------------------------------------------
# t0 = 1e6 (the default) never averages; with a small t0, ax averages from step t0 + 2 on.
_seed[0] = 2200
_rng = random.Random(2200)
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
# ---- end of ASGD ------------------------------------------------------------------------

# ---- Rprop -------------------------------------------------------------------------------------
_seed[0] = 2300
_rng = random.Random(2300)
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
# ---- end of Rprop ------------------------------------------------------------------------

SCHEDULE_CASES = []
