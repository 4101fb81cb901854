# Cases for gen_torch.py: schedule edge cases and other hyperparameters, beyond cases_public.py.
#   /usr/bin/python3 ../golden/gen_torch.py cases_schedules.py OUT && cp OUT/schedules.json .
import math
import random

OPTIMIZER_CASES = []


def noisy_loss(n, seed, floor=0.2):
    # a loss that falls, flattens and wobbles: deterministic, no RNG needed
    return [floor + math.exp(-k / 15.0) + 0.02 * math.sin(seed * k * 1.7) for k in range(n)]


def accuracy(n):
    # rises in bursts and stalls: exercises mode max
    return [min(0.95, 0.5 + 0.05 * (k // 7) + 0.001 * (k % 3)) for k in range(n)]


SCHEDULE_CASES = [
    # StepLR / MultiStepLR / ExponentialLR
    {"id": "step-size1-gamma-above1", "scheduler": "StepLR", "base_lr": 0.01, "steps": 30,
     "args": {"step_size": 1, "gamma": 1.1}},
    {"id": "step-default-gamma", "scheduler": "StepLR", "base_lr": 0.3, "steps": 50,
     "args": {"step_size": 13}},
    {"id": "multistep-repeats-unsorted", "scheduler": "MultiStepLR", "base_lr": 0.2, "steps": 40,
     "args": {"milestones": [20, 5, 5, 30], "gamma": 0.5}},
    {"id": "multistep-milestone0", "scheduler": "MultiStepLR", "base_lr": 0.2, "steps": 20,
     "args": {"milestones": [0, 10], "gamma": 0.3}},
    {"id": "multistep-empty", "scheduler": "MultiStepLR", "base_lr": 0.2, "steps": 10,
     "args": {"milestones": []}},
    {"id": "exponential-long", "scheduler": "ExponentialLR", "base_lr": 1.0, "steps": 500,
     "args": {"gamma": 0.99}},
    {"id": "exponential-growth", "scheduler": "ExponentialLR", "base_lr": 1e-4, "steps": 60,
     "args": {"gamma": 1.05}},
    # ConstantLR / LinearLR / PolynomialLR
    {"id": "constant-defaults", "scheduler": "ConstantLR", "base_lr": 0.05, "steps": 12, "args": {}},
    {"id": "constant-total0", "scheduler": "ConstantLR", "base_lr": 0.05, "steps": 8,
     "args": {"factor": 0.5, "total_iters": 0}},
    {"id": "constant-factor1", "scheduler": "ConstantLR", "base_lr": 0.05, "steps": 8,
     "args": {"factor": 1.0, "total_iters": 3}},
    {"id": "linear-decay", "scheduler": "LinearLR", "base_lr": 0.1, "steps": 30,
     "args": {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 25}},
    {"id": "linear-defaults", "scheduler": "LinearLR", "base_lr": 0.1, "steps": 10, "args": {}},
    {"id": "linear-total1", "scheduler": "LinearLR", "base_lr": 0.1, "steps": 5,
     "args": {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 1}},
    {"id": "polynomial-linear", "scheduler": "PolynomialLR", "base_lr": 0.1, "steps": 15,
     "args": {"total_iters": 10}},
    {"id": "polynomial-sqrt", "scheduler": "PolynomialLR", "base_lr": 0.1, "steps": 40,
     "args": {"total_iters": 33, "power": 0.5}},
    # CosineAnnealingLR: past T_max, eta_min, T_max 1
    {"id": "cosine-past-tmax", "scheduler": "CosineAnnealingLR", "base_lr": 0.1, "steps": 120,
     "args": {"T_max": 20, "eta_min": 0.0}},
    {"id": "cosine-etamin-past-tmax", "scheduler": "CosineAnnealingLR", "base_lr": 0.5, "steps": 100,
     "args": {"T_max": 30, "eta_min": 0.05}},
    {"id": "cosine-tmax1", "scheduler": "CosineAnnealingLR", "base_lr": 0.1, "steps": 10,
     "args": {"T_max": 1, "eta_min": 0.01}},
    {"id": "cosine-long", "scheduler": "CosineAnnealingLR", "base_lr": 3e-4, "steps": 1000,
     "args": {"T_max": 1000, "eta_min": 1e-6}},
    # CosineAnnealingWarmRestarts
    {"id": "restarts-tmult1", "scheduler": "CosineAnnealingWarmRestarts", "base_lr": 0.1, "steps": 50,
     "args": {"T_0": 7}},
    {"id": "restarts-tmult3-etamin", "scheduler": "CosineAnnealingWarmRestarts", "base_lr": 0.1,
     "steps": 130, "args": {"T_0": 3, "T_mult": 3, "eta_min": 0.002}},
    {"id": "restarts-t0-1", "scheduler": "CosineAnnealingWarmRestarts", "base_lr": 0.1, "steps": 20,
     "args": {"T_0": 1, "T_mult": 2}},
    # CyclicLR: every mode, momentum, asymmetric, Adam without momentum cycling
    {"id": "cyclic-triangular2-momentum", "scheduler": "CyclicLR", "base_lr": 0.1, "steps": 100,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 8, "mode": "triangular2",
              "base_momentum": 0.75, "max_momentum": 0.95}},
    {"id": "cyclic-exp-range-asymmetric", "scheduler": "CyclicLR", "base_lr": 0.1, "steps": 90,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.5}, "record_momentum": True,
     "args": {"base_lr": 0.001, "max_lr": 0.05, "step_size_up": 5, "step_size_down": 12,
              "mode": "exp_range", "gamma": 0.97}},
    {"id": "cyclic-no-momentum", "scheduler": "CyclicLR", "base_lr": 0.1, "steps": 40,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"base_lr": 0.02, "max_lr": 0.08, "step_size_up": 3, "step_size_down": 1,
              "cycle_momentum": False}},
    {"id": "cyclic-adam", "scheduler": "CyclicLR", "base_lr": 0.001, "steps": 30,
     "optimizer": "Adam", "optimizer_hyper": {"lr": 0.001}, "record_momentum": True,
     "args": {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 6, "cycle_momentum": False,
              "scale_mode": "iterations"}},
    {"id": "cyclic-up1", "scheduler": "CyclicLR", "base_lr": 0.1, "steps": 20,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 1, "mode": "triangular2"}},
    # OneCycleLR: three phases, linear, epochs x steps_per_epoch, Adam's beta1, no momentum
    {"id": "onecycle-three-phase", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 80,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"max_lr": 0.3, "total_steps": 80, "three_phase": True}},
    {"id": "onecycle-linear", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 57,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"max_lr": 0.2, "total_steps": 57, "anneal_strategy": "linear", "pct_start": 0.4,
              "div_factor": 10.0, "final_div_factor": 100.0}},
    {"id": "onecycle-linear-three-phase", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 45,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"max_lr": 0.2, "total_steps": 45, "anneal_strategy": "linear", "three_phase": True,
              "base_momentum": 0.8, "max_momentum": 0.99}},
    {"id": "onecycle-epochs-adam", "scheduler": "OneCycleLR", "base_lr": 0.001, "steps": 60,
     "optimizer": "Adam", "optimizer_hyper": {"lr": 0.001, "betas": [0.9, 0.99]},
     "record_momentum": True,
     "args": {"max_lr": 0.01, "epochs": 4, "steps_per_epoch": 15, "pct_start": 0.25}},
    {"id": "onecycle-no-momentum", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 30,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.7}, "record_momentum": True,
     "args": {"max_lr": 0.5, "total_steps": 30, "cycle_momentum": False}},
    {"id": "onecycle-tiny-pct", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 20,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"max_lr": 0.5, "total_steps": 20, "pct_start": 0.02}},
    # ReduceLROnPlateau: every option
    {"id": "plateau-max-abs-cooldown", "scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "steps": 80,
     "args": {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.01,
              "threshold_mode": "abs", "cooldown": 3}, "metrics": accuracy(80)},
    {"id": "plateau-min-lr-floor", "scheduler": "ReduceLROnPlateau", "base_lr": 0.1, "steps": 60,
     "args": {"factor": 0.3, "patience": 0, "min_lr": 0.004}, "metrics": [1.0] * 60},
    {"id": "plateau-eps-blocks", "scheduler": "ReduceLROnPlateau", "base_lr": 1e-6, "steps": 40,
     "args": {"factor": 0.5, "patience": 1, "eps": 1e-7}, "metrics": [1.0] * 40},
    {"id": "plateau-rel-threshold", "scheduler": "ReduceLROnPlateau", "base_lr": 0.2, "steps": 100,
     "args": {"factor": 0.7, "patience": 4, "threshold": 0.05, "cooldown": 2},
     "metrics": noisy_loss(100, 3)},
    {"id": "plateau-max-rel", "scheduler": "ReduceLROnPlateau", "base_lr": 0.2, "steps": 70,
     "args": {"mode": "max", "patience": 3, "threshold": 0.02}, "metrics": accuracy(70)},
    # SequentialLR: 3 children, a closed-form child, restart children
    {"id": "sequential-three", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 60,
     "args": {"milestones": [5, 25]},
     "children": [
         {"scheduler": "ConstantLR", "args": {"factor": 0.1, "total_iters": 5}},
         {"scheduler": "ExponentialLR", "args": {"gamma": 0.9}},
         {"scheduler": "CosineAnnealingLR", "args": {"T_max": 20, "eta_min": 0.001}}]},
    {"id": "sequential-linear-step", "scheduler": "SequentialLR", "base_lr": 0.05, "steps": 50,
     "args": {"milestones": [10]},
     "children": [
         {"scheduler": "LinearLR", "args": {"start_factor": 0.2, "total_iters": 10}},
         {"scheduler": "StepLR", "args": {"step_size": 6, "gamma": 0.7}}]},
    {"id": "sequential-warmup-restarts", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 70,
     "args": {"milestones": [8]},
     "children": [
         {"scheduler": "LinearLR", "args": {"start_factor": 0.05, "total_iters": 8}},
         {"scheduler": "CosineAnnealingWarmRestarts", "args": {"T_0": 10, "T_mult": 2, "eta_min": 0.001}}]},
    {"id": "sequential-cosine-then-multistep", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 60,
     "args": {"milestones": [30]},
     "children": [
         {"scheduler": "CosineAnnealingLR", "args": {"T_max": 20}},
         {"scheduler": "MultiStepLR", "args": {"milestones": [0, 10, 10], "gamma": 0.5}}]},
    {"id": "sequential-cyclic-first", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 40,
     "args": {"milestones": [20]},
     "children": [
         {"scheduler": "CyclicLR", "args": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5,
                                            "cycle_momentum": False}},
         {"scheduler": "ExponentialLR", "args": {"gamma": 0.8}}]},
    {"id": "sequential-onecycle-second", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 40,
     "args": {"milestones": [10]},
     "children": [
         {"scheduler": "LinearLR", "args": {"start_factor": 0.5, "total_iters": 10}},
         {"scheduler": "OneCycleLR", "args": {"max_lr": 0.4, "total_steps": 31, "cycle_momentum": False}}]},
    {"id": "sequential-momentum-untouched", "scheduler": "SequentialLR", "base_lr": 0.1, "steps": 30,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.8}, "record_momentum": True,
     "args": {"milestones": [3, 4]},
     "children": [
         {"scheduler": "ConstantLR", "args": {"factor": 0.5, "total_iters": 2}},
         {"scheduler": "PolynomialLR", "args": {"total_iters": 10, "power": 3.0}},
         {"scheduler": "CosineAnnealingLR", "args": {"T_max": 8, "eta_min": 0.02}}]},
    {"id": "onecycle-half-div5", "scheduler": "OneCycleLR", "base_lr": 0.1, "steps": 64,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"max_lr": 1.0, "total_steps": 64, "pct_start": 0.5, "div_factor": 5.0,
              "final_div_factor": 50.0, "base_momentum": 0.6, "max_momentum": 0.9}},
    {"id": "cyclic-float-steps", "scheduler": "CyclicLR", "base_lr": 0.1, "steps": 50,
     "optimizer_hyper": {"lr": 0.1, "momentum": 0.9}, "record_momentum": True,
     "args": {"base_lr": 0.05, "max_lr": 0.5, "step_size_up": 4.0, "step_size_down": 7.0,
              "mode": "exp_range", "gamma": 0.9}},
    {"id": "plateau-abs-min-patience0", "scheduler": "ReduceLROnPlateau", "base_lr": 0.5, "steps": 50,
     "args": {"threshold": 0.05, "threshold_mode": "abs", "patience": 0, "factor": 0.8, "min_lr": 0.1},
     "metrics": noisy_loss(50, 5, floor=0.5)},
    # ChainedScheduler: products of multiplicative forms
    {"id": "chained-exp-step", "scheduler": "ChainedScheduler", "base_lr": 1.0, "steps": 40,
     "children": [
         {"scheduler": "ExponentialLR", "args": {"gamma": 0.95}},
         {"scheduler": "StepLR", "args": {"step_size": 10, "gamma": 0.5}}]},
    {"id": "chained-constant-cosine", "scheduler": "ChainedScheduler", "base_lr": 0.1, "steps": 31,
     "children": [
         {"scheduler": "ConstantLR", "args": {"factor": 0.25, "total_iters": 4}},
         {"scheduler": "CosineAnnealingLR", "args": {"T_max": 30}}]},
    {"id": "chained-linear-multistep-poly", "scheduler": "ChainedScheduler", "base_lr": 0.1, "steps": 30,
     "children": [
         {"scheduler": "LinearLR", "args": {"start_factor": 0.1, "total_iters": 5}},
         {"scheduler": "MultiStepLR", "args": {"milestones": [8, 16], "gamma": 0.5}},
         {"scheduler": "PolynomialLR", "args": {"total_iters": 40, "power": 1.5}}]},
]


# Random hyperparameters (seeded, so the file is reproducible): 8 cases of each public form.
R = random.Random(7)


def lr():
    return round(10 ** R.uniform(-4, 0), 6)


def g(lo, hi):
    return round(R.uniform(lo, hi), 4)


def add(sched, args, steps, **kw):
    c = {"id": f"random-{sched}-{len(SCHEDULE_CASES)}", "scheduler": sched, "base_lr": kw.pop("base_lr", lr()),
         "steps": steps, "args": args}
    c.update(kw)
    SCHEDULE_CASES.append(c)


for _ in range(8):
    add("StepLR", {"step_size": R.randint(1, 20), "gamma": g(0.05, 1.5)}, R.randint(1, 120))
    ms = sorted(R.sample(range(0, 80), R.randint(1, 5)))
    add("MultiStepLR", {"milestones": ms, "gamma": g(0.05, 0.99)}, R.randint(1, 100))
    add("ExponentialLR", {"gamma": g(0.8, 1.05)}, R.randint(1, 300))
    add("ConstantLR", {"factor": g(0.01, 1), "total_iters": R.randint(0, 20)}, R.randint(1, 40))
    add("LinearLR", {"start_factor": g(0.01, 1), "end_factor": g(0, 1), "total_iters": R.randint(1, 30)}, R.randint(1, 50))
    add("PolynomialLR", {"total_iters": R.randint(1, 50), "power": g(0.1, 4)}, R.randint(1, 80))
    add("CosineAnnealingLR", {"T_max": R.randint(1, 60), "eta_min": R.choice([0.0, g(0, 1e-3)])}, R.randint(1, 250))
    add("CosineAnnealingWarmRestarts", {"T_0": R.randint(1, 20), "T_mult": R.randint(1, 3), "eta_min": R.choice([0.0, g(0, 1e-3)])}, R.randint(1, 200))
    b = lr(); m = round(b * R.uniform(1, 20), 6)
    add("CyclicLR", {"base_lr": b, "max_lr": m, "step_size_up": R.randint(1, 15), "step_size_down": R.choice([None, R.randint(1, 15)]),
                     "mode": R.choice(["triangular", "triangular2", "exp_range"]), "gamma": g(0.9, 1.0),
                     "base_momentum": g(0.5, 0.85), "max_momentum": g(0.86, 0.99)}, R.randint(1, 150),
        optimizer_hyper={"lr": 0.1, "momentum": 0.9}, record_momentum=True)
    total = R.randint(10, 200)
    pct = R.choice([g(0.05, 0.6), 0.3])
    if abs(pct * total - 1) < 1e-9: pct = 0.3
    opt = R.choice(["SGD", "Adam"])
    extra = {"optimizer": "Adam", "optimizer_hyper": {"lr": 0.001}} if opt == "Adam" else {"optimizer_hyper": {"lr": 0.1, "momentum": 0.9}}
    add("OneCycleLR", {"max_lr": lr(), "total_steps": total, "pct_start": pct, "anneal_strategy": R.choice(["cos", "linear"]),
                       "three_phase": R.choice([False, True]), "div_factor": g(2, 50), "final_div_factor": g(10, 1e4),
                       "base_momentum": g(0.7, 0.85), "max_momentum": g(0.86, 0.98), "cycle_momentum": R.choice([True, True, False])},
        R.randint(1, total), record_momentum=True, **extra)
    n = R.randint(20, 120)
    metrics = [round(1.0 / (1 + 0.1 * k) + R.uniform(-0.05, 0.05), 4) for k in range(n)]
    add("ReduceLROnPlateau", {"mode": R.choice(["min", "max"]), "factor": g(0.1, 0.9), "patience": R.randint(0, 6),
                              "threshold": R.choice([1e-4, g(0, 0.1)]), "threshold_mode": R.choice(["rel", "abs"]),
                              "cooldown": R.randint(0, 4), "min_lr": R.choice([0, g(0, 1e-3)]), "eps": R.choice([1e-8, 1e-4])}, n, metrics=metrics)
    w = R.randint(1, 15)
    add("SequentialLR", {"milestones": [w]}, R.randint(1, 120), children=[
        {"scheduler": "LinearLR", "args": {"start_factor": g(0.01, 1), "end_factor": 1.0, "total_iters": w}},
        {"scheduler": "CosineAnnealingLR", "args": {"T_max": R.randint(1, 100), "eta_min": R.choice([0.0, g(0, 1e-4)])}}])
