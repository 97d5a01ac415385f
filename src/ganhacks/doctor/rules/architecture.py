"""The networks: no sparse gradients in D (T05), DCGAN or hybrid models (T07),
minibatch discrimination (T15), dropout in G (T17)."""

from __future__ import annotations

import ast

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.detect import cite, find_ident, trick_idents
from ganhacks.doctor.project import FileFacts, Model, Project
from ganhacks.doctor.rules.registry import rule, verdict
from ganhacks.doctor.source import name_tokens, role_of_name, tail
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.doctor.vocab import MAXPOOL, RELU


@rule("T05")
def check_sparse_gradients(p: Project, cfg: DoctorConfig) -> Verdict:
    """T05: no ReLU or max pooling in D (LeakyReLU, average pooling or strided convs instead)."""
    discs, gens = p.models_with("D"), p.models_with("G")
    if not discs and not gens:
        return verdict("T05", "na", "no generator or discriminator found in this code")
    bad: list[tuple[str, Evidence]] = []
    for m in discs:
        bad += [(f"ReLU in {m.name}", cite(o[2], o[1])) for o in m.ops if o[0] in RELU]
        bad += [(f"max pooling in {m.name}", cite(o[2], o[1])) for o in m.has(*MAXPOOL)]
    relu_g = []
    for m in gens:
        if "D" in m.roles:
            continue
        bad += [(f"max pooling in {m.name}", cite(o[2], o[1])) for o in m.has(*MAXPOOL)]
        relu_g += [(f"ReLU in {m.name}", cite(o[2], o[1])) for o in m.ops if o[0] in RELU]
    if cfg.relu_in_generator == "fail":
        bad += relu_g
    fix = "use nn.LeakyReLU(0.2) and downsample with a stride-2 conv or nn.AvgPool2d"
    if bad:
        what = sorted({w for w, _ in bad})
        return verdict("T05", "fail", "sparse gradients: " + ", ".join(what), fix, [e for _, e in bad])
    note = " (G uses ReLU, as DCGAN does; LeakyReLU is the tip's preference)" if relu_g else ""
    return verdict("T05", "pass", "no ReLU or max pooling in D" + note, "", [e for _, e in relu_g][:2])


@rule("T07")
def check_dcgan_or_hybrid(p: Project, cfg: DoctorConfig) -> Verdict:
    """T07: a DCGAN-style convolutional G/D, or a hybrid (VAE-GAN) model."""
    gens, discs = p.models_with("G"), p.models_with("D")
    if not gens and not discs:
        return verdict("T07", "na", "no generator or discriminator found in this code")
    idents = set().union(*(f.identifiers for f in p.files))
    hybrid = {
        i
        for i in idents
        if set(name_tokens(i)) & {"reparameterize", "reparametrize", "reparam", "logvar", "kld"}
        or i.lower() in {"log_var", "kl_loss", "kl_div", "kl_divergence"}
    }
    up = [
        o
        for m in gens
        for o in m.has(
            "ConvTranspose2d", "PixelShuffle", "Upsample", "interpolate", "conv_transpose2d", "pixel_shuffle"
        )
    ]
    down = [o for m in discs for o in m.has("Conv2d", "conv2d")]
    if up and down:
        return verdict(
            "T07",
            "pass",
            "convolutional G and D (DCGAN family)",
            "",
            [cite(up[0][2], up[0][1]), cite(down[0][2], down[0][1])],
        )
    if hybrid:
        f, line = find_ident(p, sorted(hybrid))
        return verdict(
            "T07", "pass", "hybrid model (VAE-GAN: KL/reparameterisation terms)", "", [cite(f, line)] if f else []
        )
    ev = [cite(m.facts, m.builder.line) for m in gens + discs]
    return verdict(
        "T07",
        "absent",
        "G/D are not DCGAN-style convolutional nets",
        "for images start from DCGAN (ganhacks.models.dcgan)",
        ev,
    )


@rule("T15")
def check_minibatch_discrimination(p: Project, cfg: DoctorConfig) -> Verdict:
    """T15: D sees batch statistics (minibatch discrimination or minibatch standard deviation)."""
    ev = trick_idents(
        p,
        lambda t, low: (
            "mbstd" in low
            or "minibatchstd" in low.replace("_", "")
            or "minibatchdisc" in low.replace("_", "")
            or ("minibatch" in t and t & {"discrimination", "std", "stddev", "disc"})
        ),
    )
    if ev:
        return verdict("T15", "pass", "D uses minibatch discrimination / minibatch stddev", "", ev)
    return verdict(
        "T15",
        "absent",
        "D judges each sample alone",
        "optional: add ganhacks.tricks.layers.MinibatchStdDev near the end of D",
    )


@rule("T17")
def check_dropout_in_g(p: Project, cfg: DoctorConfig) -> Verdict:
    """T17: G uses dropout, and it stays active at test time (G is not put in eval mode)."""
    gens = [m for m in p.models_with("G") if "D" not in m.roles] or p.models_with("G")
    if not gens:
        return verdict("T17", "na", "no generator found in this code")
    modules = [o for m in gens for o in m.has("Dropout", "Dropout2d", "Dropout1d", "AlphaDropout")]
    functional = [o for m in gens for o in m.has("dropout", "dropout2d")]
    always = [o for o in functional if not _follows_training(o, gens)]
    if not modules and not functional:
        return verdict(
            "T17", "absent", "G has no dropout", "optional: add dropout to some G layers and keep it on at test time"
        )
    evals = []
    for cs, f in p.all_calls():
        if cs.method and isinstance(cs.node.func, ast.Attribute):
            owner = tail(cs.node.func.value)
            is_g = role_of_name(owner) == "G" or any(c in {m.name for m in gens} for c in p.bound.get(owner or "", ()))
            off = cs.callee == "eval" or (
                cs.callee == "train"
                and cs.node.args
                and isinstance(cs.node.args[0], ast.Constant)
                and cs.node.args[0].value is False
            )
            if is_g and off:
                evals.append(cite(f, cs.line))
    reenabled = any(
        "Dropout" in (tail(n) or "")
        for f in p.files
        for cs in f.calls
        if cs.callee == "isinstance"
        for n in cs.node.args
    )
    drop_ev = [cite(o[2], o[1]) for o in modules + functional]
    if evals and not always and not reenabled:
        return verdict(
            "T17",
            "fail",
            "G has dropout but is put in eval mode, which switches it off at test time",
            "keep G's dropout on at inference (F.dropout(x, p, training=True) or ganhacks.tricks.layers.AlwaysDropout)",
            evals + drop_ev,
        )
    return verdict("T17", "pass", "G uses dropout and it stays active at test time", "", drop_ev)


def _follows_training(op: tuple[str, int, FileFacts], gens: list[Model]) -> bool:
    """Whether a functional dropout call at ``op`` passes ``training=self.training`` (off in eval)."""
    _, line, f = op
    for cs in f.calls:
        if cs.line == line and cs.callee in {"dropout", "dropout2d"}:
            for kw in cs.node.keywords:
                if kw.arg == "training" and not (isinstance(kw.value, ast.Constant) and kw.value.value is True):
                    return True
    return False
