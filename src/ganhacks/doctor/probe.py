"""Model probe (opt-in): run the user's G and D once and check them against the tips.

Unlike the static audit this *does* execute the user's objects: one forward pass of G and D
on a small batch and one backward pass of each loss. Gradients, training modes and the RNG
state are restored afterwards, and no optimiser steps. Each check returns a
:class:`~ganhacks.doctor.verdict.Verdict` naming its tip::

    from ganhacks.doctor import probe
    unit = probe(G, D, real_batch, lambda n: torch.randn(n, 64), opt_g=opt_g, opt_d=opt_d)
    for v in unit.verdicts: print(v.tip, v.verdict, v.message)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ganhacks.doctor.report import UnitReport
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.errors import UserError

# tip id -> dotted names of the probe checks (shown by ``ganhacks tips`` under "checked by").
PROBE_CHECKS: dict[str, list[str]] = {
    "T01": ["ganhacks.doctor.probe.check_output_range"],
    "T02": ["ganhacks.doctor.probe.check_g_loss_saturation"],
    "T03": ["ganhacks.doctor.probe.check_z_distribution"],
    "T04": ["ganhacks.doctor.probe.check_batchnorm_batches"],
    "T05": ["ganhacks.doctor.probe.check_sparse_modules"],
    "T09": ["ganhacks.doctor.probe.check_optimisers"],
    "T10": ["ganhacks.doctor.probe.check_initial_grad_norms"],
    "T17": ["ganhacks.doctor.probe.check_dropout_at_eval"],
}
_TOL = 1e-3  # slack on the [-1, 1] range checks
CONFIDENT_LOGIT = -8.0  # D's logit for a fake it rejects confidently: sigmoid(-8) ~ 3e-4
SATURATION = 1e-2  # |dL/dlogit| per sample below this means the G loss has saturated (T02)
GRAD_NORM_LIMIT = 100.0  # tip 10: "if they are over 100 things are screwing up"

LossOnD = Callable[[torch.Tensor], torch.Tensor]  # D's output on fakes -> scalar G loss
DLoss = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]  # (D, real, fake) -> scalar


def _v(tip: str, verdict: str, check: str, message: str, fix: str = "", where: list[str] | None = None) -> Verdict:
    ev = tuple(Evidence("<probe>", 0, w) for w in (where or []))
    return Verdict(tip, verdict, f"ganhacks.doctor.probe.{check}", message, fix, ev)


def _leaf_modules(model: nn.Module, kinds: tuple[type, ...]) -> list[str]:
    return [
        f"{name or type(model).__name__}: {type(m).__name__}"
        for name, m in model.named_modules()
        if isinstance(m, kinds)
    ]


def _ends_with_sigmoid(d: nn.Module, real: torch.Tensor) -> bool:
    """Whether D's last executed leaf module is a Sigmoid (D returns probabilities, not logits)."""
    order: list[nn.Module] = []
    hooks = [
        m.register_forward_hook(lambda mod, i, o: order.append(mod)) for m in d.modules() if not list(m.children())
    ]
    try:
        with torch.no_grad():
            d(real[:2])
    finally:
        for h in hooks:
            h.remove()
    return bool(order) and isinstance(order[-1], nn.Sigmoid)


def check_output_range(fake: torch.Tensor, real: torch.Tensor, g_last: nn.Module | None) -> list[Verdict]:
    """T01: the data lies in [-1, 1] (using the negative half) and G's output range matches it."""
    lo, hi = float(real.min()), float(real.max())
    fix = "scale the data to [-1, 1] and end G with nn.Tanh()"
    if hi > 1 + _TOL or lo < -1 - _TOL:
        return [
            _v("T01", "fail", "check_output_range", f"the real batch spans [{lo:.3g}, {hi:.3g}], outside [-1, 1]", fix)
        ]
    if lo >= 0:
        return [
            _v(
                "T01",
                "fail",
                "check_output_range",
                f"the real batch spans [{lo:.3g}, {hi:.3g}]: data in [0, 1], not [-1, 1]",
                fix,
            )
        ]
    if isinstance(g_last, nn.Sigmoid) or float(fake.min()) >= 0:
        return [
            _v(
                "T01",
                "fail",
                "check_output_range",
                "G's outputs are non-negative (sigmoid-like) while the data uses [-1, 1]",
                fix,
            )
        ]
    if float(fake.abs().max()) > 1 + _TOL:
        return [
            _v(
                "T01",
                "fail",
                "check_output_range",
                f"G's outputs reach {float(fake.abs().max()):.3g}, beyond the data range [-1, 1]",
                fix,
            )
        ]
    last = type(g_last).__name__ if g_last is not None else "?"
    return [
        _v("T01", "pass", "check_output_range", f"data and G's outputs both lie in [-1, 1] (G's last module: {last})")
    ]


def check_z_distribution(z: torch.Tensor) -> Verdict:
    """T03: z looks Gaussian (excess kurtosis near 0), not uniform (excess kurtosis -1.2)."""
    x = z.detach().double().flatten()
    x = (x - x.mean()) / x.std().clamp_min(1e-12)
    kurt = float((x**4).mean() - 3.0)  # excess kurtosis: 0 for a Gaussian, -1.2 for a uniform
    if kurt < -0.8:
        return _v(
            "T03",
            "fail",
            "check_z_distribution",
            f"z looks uniform (excess kurtosis {kurt:.2f}, Gaussian ~0)",
            "sample z with torch.randn",
        )
    if abs(kurt) < 0.5:
        return _v("T03", "pass", "check_z_distribution", f"z looks Gaussian (excess kurtosis {kurt:.2f})")
    return _v(
        "T03", "absent", "check_z_distribution", f"z is neither Gaussian nor uniform (excess kurtosis {kurt:.2f})"
    )


def check_batchnorm_batches(d: nn.Module, real: torch.Tensor, fake: torch.Tensor, d_loss: DLoss | None) -> Verdict:
    """T04: no BatchNorm layer of D sees a batch mixing real and fake samples during ``d_loss``."""
    bns = [m for m in d.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return _v("T04", "na", "check_batchnorm_batches", "D has no BatchNorm")
    if d_loss is None:
        return _v(
            "T04",
            "absent",
            "check_batchnorm_batches",
            "D has BatchNorm; pass d_loss=(D, real, fake) -> loss to check its batches",
        )
    sizes: list[int] = []
    hooks = [m.register_forward_pre_hook(lambda mod, inp: sizes.append(inp[0].shape[0])) for m in bns]
    try:
        d_loss(d, real, fake).backward()
    finally:
        for h in hooks:
            h.remove()
    mixed = len(real) + len(fake)
    if mixed in sizes and mixed not in {len(real), len(fake)}:
        return _v(
            "T04",
            "fail",
            "check_batchnorm_batches",
            f"D's BatchNorm saw a batch of {mixed} = real + fake",
            "call D on real and fake separately",
            [type(bns[0]).__name__],
        )
    return _v(
        "T04", "pass", "check_batchnorm_batches", f"D's BatchNorm saw separate batches (sizes {sorted(set(sizes))})"
    )


def check_sparse_modules(g: nn.Module, d: nn.Module) -> Verdict:
    """T05: no ReLU or max pooling modules in D, no max pooling in G."""
    relu = (nn.ReLU, nn.ReLU6)
    pool = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d)
    bad = [f"D.{w}" for w in _leaf_modules(d, relu + pool)] + [f"G.{w}" for w in _leaf_modules(g, pool)]
    if bad:
        return _v(
            "T05",
            "fail",
            "check_sparse_modules",
            "sparse-gradient modules: " + ", ".join(bad[:4]),
            "use LeakyReLU(0.2) and strided conv / AvgPool2d",
            bad,
        )
    return _v("T05", "pass", "check_sparse_modules", "no ReLU/MaxPool modules in D")


def check_g_loss_saturation(g_loss: LossOnD, d_outputs_probabilities: bool, n: int = 8) -> Verdict:
    """T02: the G loss keeps a gradient when D confidently rejects the fakes.

    The loss is evaluated at logits x = CONFIDENT_LOGIT (D(G(z)) = sigmoid(-8) ~ 3e-4).
    Non-saturating -log sigmoid(x) has dL/dx = sigmoid(x) - 1 ~ -1 per sample; the minimax
    log(1 - sigmoid(x)) has dL/dx = -sigmoid(x) ~ -3e-4: no signal for G.
    """
    x = torch.full((n, 1), CONFIDENT_LOGIT, requires_grad=True)
    out = torch.sigmoid(x) if d_outputs_probabilities else x
    g_loss(out).backward()
    per_sample = float(x.grad.abs().mean()) * n  # undo the batch mean
    if per_sample < SATURATION:
        return _v(
            "T02",
            "fail",
            "check_g_loss_saturation",
            f"the G loss saturates: |dL/dlogit| = {per_sample:.2g} per sample when D rejects fakes",
            "use the non-saturating loss -log D(G(z)) (ganhacks.tricks.losses.g_nonsaturating)",
        )
    return _v(
        "T02",
        "pass",
        "check_g_loss_saturation",
        f"the G loss keeps a gradient ({per_sample:.2g} per sample) when D rejects fakes",
    )


def check_optimisers(opt_g: torch.optim.Optimizer | None, opt_d: torch.optim.Optimizer | None) -> Verdict:
    """T09: G's optimiser is Adam-family (SGD for D is fine); reports lr and betas."""
    if opt_g is None and opt_d is None:
        return _v("T09", "na", "check_optimisers", "no optimisers given")
    adam = (torch.optim.Adam, torch.optim.AdamW, torch.optim.Adamax, torch.optim.NAdam, torch.optim.RAdam)
    desc = []
    for who, opt in (("G", opt_g), ("D", opt_d)):
        if opt is not None:
            grp = opt.param_groups[0]
            desc.append(f"{who}: {type(opt).__name__}(lr={grp.get('lr')}, betas={grp.get('betas', '-')})")
    if opt_g is not None and not isinstance(opt_g, adam):
        return _v(
            "T09",
            "fail",
            "check_optimisers",
            f"G is optimised with {type(opt_g).__name__}, not Adam",
            "torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))",
            desc,
        )
    return _v("T09", "pass", "check_optimisers", "; ".join(desc), "", desc)


def _grad_norm(model: nn.Module) -> float:
    norms = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    return float(torch.stack(norms).norm()) if norms else 0.0  # sqrt(sum ||g_i||^2)


def check_initial_grad_norms(g_norm: float, d_norm: float) -> Verdict:
    """T10: the first gradient norms of G and D are finite and below 100."""
    bad = {k: v for k, v in (("G", g_norm), ("D", d_norm)) if v != v or v > GRAD_NORM_LIMIT}
    msg = f"initial gradient norms: G {g_norm:.3g}, D {d_norm:.3g}"
    if bad:
        return _v(
            "T10",
            "fail",
            "check_initial_grad_norms",
            msg + f" (above {GRAD_NORM_LIMIT:g} or NaN)",
            "check initialisation, input scaling and the learning rate; clip or normalise",
        )
    return _v("T10", "pass", "check_initial_grad_norms", msg)


def check_dropout_at_eval(g: nn.Module, z: torch.Tensor) -> Verdict:
    """T17: G in eval mode is still stochastic (dropout kept on) when it has dropout."""
    has_dropout = bool(_leaf_modules(g, (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)))
    with torch.no_grad():
        a, b = g(z), g(z)
    stochastic = not torch.equal(a, b)
    if stochastic:
        return _v("T17", "pass", "check_dropout_at_eval", "G stays stochastic in eval mode (dropout kept on)")
    if has_dropout:
        return _v(
            "T17",
            "fail",
            "check_dropout_at_eval",
            "G has dropout but eval() switches it off",
            "keep dropout on at test time (ganhacks.tricks.layers.AlwaysDropout)",
        )
    return _v("T17", "absent", "check_dropout_at_eval", "G has no dropout")


def _default_g_loss(out: torch.Tensor) -> torch.Tensor:
    return nn.functional.softplus(-out).mean()  # -log sigmoid(x)


def probe(
    generator: nn.Module,
    discriminator: nn.Module,
    real: torch.Tensor,
    sample_z: Callable[[int], torch.Tensor],
    *,
    g_loss: LossOnD | None = None,
    d_loss: DLoss | None = None,
    opt_g: torch.optim.Optimizer | None = None,
    opt_d: torch.optim.Optimizer | None = None,
    z_samples: int = 4096,
) -> UnitReport:
    """Run G and D once and check T01, T02, T03, T04, T05, T09, T10 and T17 on the live objects.

    Args:
        generator: G; ``generator(sample_z(n))`` returns a batch shaped like ``real``.
        discriminator: D; returns logits, or probabilities when it ends with ``nn.Sigmoid``.
        real: a batch of real data, scaled as in training.
        sample_z: ``n -> z`` (the latent sampler used in training).
        g_loss: D's output on fakes -> scalar G loss (default: non-saturating softplus(-x)).
        d_loss: ``(D, real, fake) -> scalar`` D loss, run once to see which batches D's BatchNorm gets.
        opt_g, opt_d: the optimisers, if any (their settings are read, they never step).
        z_samples: how many z values to draw for the distribution check.

    Returns:
        A :class:`UnitReport` named "probe" with one verdict per checked tip.

    Raises:
        UserError: ``real`` is empty, or G's output shape differs from ``real``'s.
    """
    if not isinstance(real, torch.Tensor) or real.ndim == 0 or len(real) == 0:
        raise UserError("probe: real must be a non-empty batch tensor (B, ...)")
    n = len(real)
    modes = {m: m.training for m in (*generator.modules(), *discriminator.modules())}
    grads = {
        p: (None if p.grad is None else p.grad.clone()) for p in (*generator.parameters(), *discriminator.parameters())
    }
    rng = torch.random.get_rng_state()
    try:
        generator.train()
        discriminator.train()
        z = sample_z(n)
        order: list[nn.Module] = []
        hooks = [
            m.register_forward_hook(lambda mod, i, o: order.append(mod))
            for m in generator.modules()
            if not list(m.children())
        ]
        try:
            fake = generator(z)
        finally:
            for h in hooks:
                h.remove()
        if fake.shape != real.shape:
            raise UserError(
                f"probe: G's output shape {tuple(fake.shape)} differs from the real batch {tuple(real.shape)}"
            )
        probs = _ends_with_sigmoid(discriminator, real)
        verdicts = check_output_range(fake.detach(), real, order[-1] if order else None)
        verdicts.append(check_g_loss_saturation(g_loss or _default_g_loss, probs))
        zs = [z.detach()]
        while sum(t.numel() for t in zs) < z_samples and len(zs) < 64:
            zs.append(sample_z(n).detach())
        verdicts.append(check_z_distribution(torch.cat([t.flatten() for t in zs])))
        verdicts.append(check_batchnorm_batches(discriminator, real, fake.detach(), d_loss))
        verdicts.append(check_sparse_modules(generator, discriminator))
        verdicts.append(check_optimisers(opt_g, opt_d))
        for p in grads:
            p.grad = None
        out = discriminator(fake)
        loss = (g_loss or _default_g_loss)(out)
        loss.backward()
        g_norm = _grad_norm(generator)
        discriminator.zero_grad(set_to_none=True)
        if d_loss is not None:
            d_loss(discriminator, real, fake.detach()).backward()
        else:
            d_real, d_fake = discriminator(real), discriminator(fake.detach())
            if probs:  # -log D(x) - log(1 - D(G(z))) on probabilities
                loss_d = -(d_real.clamp_min(1e-7).log().mean() + (1 - d_fake).clamp_min(1e-7).log().mean())
            else:  # the same on logits: softplus(-x_real) + softplus(x_fake)
                loss_d = nn.functional.softplus(-d_real).mean() + nn.functional.softplus(d_fake).mean()
            loss_d.backward()
        verdicts.append(check_initial_grad_norms(g_norm, _grad_norm(discriminator)))
        generator.eval()
        verdicts.append(check_dropout_at_eval(generator, z))
    finally:
        for m, mode in modes.items():
            m.training = mode
        for p, g in grads.items():
            p.grad = g
        torch.random.set_rng_state(rng)
    verdicts.sort(key=lambda v: v.tip)
    return UnitReport("probe", (), verdicts)
