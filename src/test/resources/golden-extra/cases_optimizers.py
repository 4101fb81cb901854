# Cases for golden/gen_torch.py: every flag combination of SGD, Adam and AdamW, with
# hyperparameters and data scales away from the defaults. Only optimizers.json is kept from
# the output; schedule cases live elsewhere.
#
#   /usr/bin/python3 src/test/resources/golden/gen_torch.py \
#       src/test/resources/golden-extra/cases_optimizers.py /tmp/out
#   cp /tmp/out/optimizers.json src/test/resources/golden-extra/
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

SCHEDULE_CASES = []
