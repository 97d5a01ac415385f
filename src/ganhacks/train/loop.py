"""The reference training loop.

Read :meth:`Trainer.fit` top to bottom: each iteration asks the step schedule which phases to
run (``D``, ``D``, ..., ``G``: steps as data, T14), runs them, updates the EMA of G, and hands the
reported values to the callbacks. :meth:`Trainer.d_step` and :meth:`Trainer.g_step` call the pure
functions of the tricks modules; the loop never knows what the callbacks do, and the networks
never own a training step.

All randomness flows from ``train.seed`` through explicit generators (data order, z, labels,
instance noise, replay, snapshot swaps, the encoder's samples) plus torch's global generator
(dropout), and every stateful part is in :meth:`Trainer.state_dict`, so a resumed run continues
exactly.

Two model options change what flows through the steps:

* ``model.encoder`` (T07, hybrid VAE-GAN): an encoder E maps the D step's real batch to
  ``q(z|x)``; the G step adds ``(recon_weight * recon(x, G(z_e)) + kl_weight * KL(q || N(0, I))) / d``
  to G's loss, ``d`` being the number of elements of one sample (both terms are per-sample sums,
  so this is the per-element scale of the negative ELBO, comparable to the adversarial loss at
  any resolution). E has its own optimiser (same kind and settings as G's). E is initialised
  and samples from its own random streams, so turning it on changes nothing else in the run.
* ``model.msg`` (S06, MSG-GAN): G emits a pyramid and D reads one. Inside the loop a pyramid is
  carried packed into one ``(N, P)`` tensor (:func:`ganhacks.tricks.layers.pack_pyramid`), so replay,
  instance noise (same sigma at every scale), batching and the gradient penalties work
  unchanged: a penalty differentiates with respect to the packed tensor, i.e. it uses the joint
  gradient norm over all scales, ``sqrt(sum_k ||grad_{x_k} D||^2)`` (R1/R2: the sum of the
  per-scale squared norms; WGAN-GP/LP: one interpolation weight per sample for all scales, and
  the joint norm is pushed to 1).

``tricks.grow_steps`` (S05, progressive growing) fades the last stage of G and the first of D in:
each iteration sets both networks' ``alpha`` from :func:`ganhacks.tricks.layers.grow_alpha` (a function of
the step, so resuming needs nothing more), and D's real batches are blended the same way,
``fade_in(avg_pool(x), x, alpha)``, as in Karras et al. 2018.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganhacks.data import BatchIterator, Dataset, batches, data_family, load_dataset
from ganhacks.errors import UserError
from ganhacks.models import build_encoder, build_models
from ganhacks.monitor.signals import d_output_stats
from ganhacks.train.callbacks.base import Callback
from ganhacks.train.config import RunConfig, to_dict
from ganhacks.train.distributed import average_gradients, broadcast_buffers
from ganhacks.train.terms import Seen, Term, d_terms, g_terms
from ganhacks.tricks.ema import EMA
from ganhacks.tricks.labels import LabelMaker
from ganhacks.tricks.latent import SAMPLERS
from ganhacks.tricks.layers import fade_in, grow_alpha, image_pyramid, pack_pyramid, unpack_pyramid
from ganhacks.tricks.losses import get_loss
from ganhacks.tricks.noise import InstanceNoise
from ganhacks.tricks.norm_freeze import hold_batch_stats, holds_at
from ganhacks.tricks.optim import OPTIMIZERS, OptimConfig, make_optimizers, schedule_lr
from ganhacks.tricks.penalties import PENALTIES
from ganhacks.tricks.replay import ReplayBuffer, SnapshotPool
from ganhacks.tricks.steps import StepSchedule, ThresholdBalancer, discriminate
from ganhacks.tricks.topk import top_k, top_k_share

SAMPLE_GRID = 64  # samples in the fixed-z grid (points: 1000)
ENCODER_SEED_OFFSET = 7919  # E's weights and samples use train.seed + this, apart from every other stream


def select_device(name: str, option: str = "train.device") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; anything else as given (validated).

    ``option`` is how the user set it (``train.device``, ``--device``), named in the error.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UserError(f"unknown device '{name}' for {option}; use auto, cpu or cuda[:N]") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        sep = " " if option.startswith("-") else "="
        raise UserError(f"{option}{sep}{name} but CUDA is not available; use {option}{sep}cpu or auto")
    return device


def rng_state() -> dict[str, Any]:
    """Global RNG states (dropout and other ops that draw from torch's default generator)."""
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore :func:`rng_state`."""
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def grad_norm(module: nn.Module) -> Tensor:
    """Total L2 norm of ``module``'s gradients (tip T10 watches it), as a 0-dim tensor."""
    norms = [p.grad.detach().norm(2) for p in module.parameters() if p.grad is not None]
    return torch.stack(norms).norm(2) if norms else torch.zeros(())


def make_encoder_optimizer(encoder: nn.Module, config: OptimConfig) -> torch.optim.Optimizer:
    """E's optimiser for the hybrid VAE-GAN (T07): G's kind, learning rate, betas and decay."""
    params = [p for p in encoder.parameters() if p.requires_grad]
    return OPTIMIZERS.get(config.g_optimizer)(
        params, config.g_lr, tuple(config.betas), config.momentum, config.weight_decay
    )


def load_data(config: RunConfig) -> Dataset:
    """The run's data set, as ``config.data`` says."""
    d = config.data
    is_mixture_or_generated = data_family(d.name) == "points"
    return load_dataset(
        d.name,
        image_size=d.image_size or None,
        n=d.points if is_mixture_or_generated else None,
        seed=config.train.seed,
        stream=d.stream,
        workers=d.workers,
    )


@contextlib.contextmanager
def _stop_between_iterations():
    """Turn the first Ctrl-C into a flag checked after each iteration; a second one interrupts at once."""
    flag = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        if flag["hit"]:
            raise KeyboardInterrupt
        flag["hit"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: flag["hit"]
    finally:
        signal.signal(signal.SIGINT, previous)


class Trainer:
    """Trains a GAN as a :class:`RunConfig` says.

    Example:
        >>> trainer = Trainer(preset_config("recommended"))   # doctest: +SKIP
        >>> trainer.fit()
    """

    def __init__(
        self,
        config: RunConfig,
        callbacks: Sequence[Callback] = (),
        dataset: Dataset | None = None,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.config = config
        tc, tr = config.train, config.tricks
        self.rank, self.world_size = rank, world_size
        self.device = select_device(tc.device)
        self.callbacks = list(callbacks)
        self.dataset = dataset if dataset is not None else load_data(config)
        self.total_steps = tc.steps
        self.step = 0  # finished iterations
        self.stop_reason: str | None = None  # set by request_stop(): the loop ends after this iteration
        self._void = False  # set by rewind(): the rest of this iteration's callbacks must not run

        torch.manual_seed(tc.seed)  # weights: identical on every rank
        self.grow_steps = tr.grow_steps  # S05
        if config.model.pack > 1 and (tc.batch_size % config.model.pack or self.grow_steps):
            raise UserError(
                f"model.pack={config.model.pack} (S13) needs train.batch_size divisible by it "
                f"(got {tc.batch_size}) and no progressive growing (tricks.grow_steps=0)"
            )
        self.G, self.D = build_models(
            config.model, self.dataset.sample_shape, self.dataset.num_classes, grow=self.grow_steps > 0
        )
        if self.grow_steps:
            self._set_alpha()
        self.G.to(self.device)
        self.D.to(self.device)
        self.opt_g, self.opt_d = make_optimizers(self.G, self.D, config.optim)
        self.loss = get_loss(config.loss.name)
        self.labels = LabelMaker(smoothing=config.loss.smoothing, flip_p=config.loss.flip_p)
        self.sample_z = SAMPLERS.get(tr.latent)
        self.schedule = StepSchedule(n_critic=tr.n_critic, g_every=tr.g_every)
        self.noise = (
            InstanceNoise(tr.noise_start, tr.noise_end, tr.noise_steps, tr.noise_kind) if tr.noise_start > 0 else None
        )
        self.balancer = (  # T11's counter-example, opt-in: a threshold of 0 leaves that player alone
            ThresholdBalancer(tr.balance_d_threshold or None, tr.balance_g_threshold or None, tr.balance_max_repeats)
            if tr.balance_d_threshold or tr.balance_g_threshold
            else None
        )
        self.replay = ReplayBuffer(tr.replay_capacity, tr.replay_p, seed=tc.seed + 1) if tr.replay_p > 0 else None
        self.snapshots = SnapshotPool(seed=tc.seed + 2) if tr.snapshot_every > 0 else None
        self.ema = EMA(self.G, decay=tr.ema_decay) if tr.ema_decay > 0 else None
        self.acgan = config.model.conditioning == "acgan" and self.dataset.conditional
        self.conditional = self.dataset.conditional and config.model.conditioning != "none"
        self.E, self.opt_e, self.gen_e = self._build_encoder() if config.model.encoder else (None, None, None)
        # S06: per-sample shapes of the pyramid levels, finest first (empty without MSG)
        c_r = self.dataset.sample_shape
        self.scales = [(c_r[0], c_r[1] >> k, c_r[2] >> k) for k in range(self.G.num_scales)] if config.model.msg else []

        self.last_fake: Tensor | None = None  # G's newest training batch (finest scale), for observers
        self.carried_real: tuple[Tensor, Tensor | None] | None = None  # D step -> G step (relativistic losses)
        self.carried_clean: tuple[Tensor, Tensor | None] | None = None  # D step -> G step (T07 encoder)
        self.gen = torch.Generator().manual_seed(tc.seed * 1000 + rank)  # z, labels, noise, swaps
        self.data: BatchIterator = batches(  # a large image folder streams from disk (data.stream)
            self.dataset,
            tc.batch_size,
            seed=tc.seed,
            rank=rank,
            world_size=world_size,
            pin_memory=self.device.type == "cuda",
        )
        fixed = torch.Generator().manual_seed(tc.seed + 12345)  # the sample grid's z never moves
        n_grid = SAMPLE_GRID if self.dataset.kind == "images" else 1000
        self.fixed_z = self.sample_z(n_grid, config.model.z_dim, generator=fixed)
        self.fixed_y = torch.arange(n_grid) % self.dataset.num_classes if self.conditional else None
        self.autocast = (
            torch.autocast("cuda", dtype=torch.bfloat16)
            if tc.amp and self.device.type == "cuda"
            else contextlib.nullcontext()
        )
        if tc.compile:
            self.G_fwd, self.D_fwd = torch.compile(self.G), torch.compile(self.D)
            self.E_fwd = torch.compile(self.E) if self.E is not None else None
        else:
            self.G_fwd, self.D_fwd, self.E_fwd = self.G, self.D, self.E

        # the steps as data (train/terms.py): chosen once here, read by d_step/g_step
        self.penalty_on = PENALTIES.get(config.loss.penalty).on if config.loss.penalty != "none" else None
        self.d_terms, self.g_terms = d_terms(self), g_terms(self)
        self.penalty = next((t for t in self.d_terms if t.log == "loss/penalty"), None)  # its inputs need grads
        if tr.topk_keep < 1 and self.loss.g_needs_real:
            raise UserError(
                f"tricks.topk_keep (S12) drops fakes from G's loss, but loss.name={config.loss.name} pairs each fake "
                "with a real; use a per-sample loss (nonsaturating, hinge, least_squares, ...) or tricks.topk_keep=1"
            )
        # (log name, network, optimiser) of the players each step updates; E learns with G (T07)
        self.d_players = [("d", self.D, self.opt_d)]
        self.g_players = [("g", self.G, self.opt_g)] + ([("e", self.E, self.opt_e)] if self.E is not None else [])

    def _build_encoder(self) -> tuple[nn.Module, torch.optim.Optimizer, torch.Generator]:
        """E, its optimiser and its sampling generator (T07), from streams no other part uses."""
        if self.config.tricks.latent != "gaussian":
            raise UserError(
                f"model.encoder=true (T07) pulls q(z|x) towards N(0, I), but tricks.latent="
                f"'{self.config.tricks.latent}'; set tricks.latent=gaussian"
            )
        seed = self.config.train.seed + ENCODER_SEED_OFFSET
        with torch.random.fork_rng(devices=[]):  # E's initialisation leaves the global stream (dropout) alone
            torch.manual_seed(seed)
            encoder = build_encoder(self.config.model, self.dataset.sample_shape).to(self.device)
        generator = torch.Generator().manual_seed(seed * 1000 + self.rank)
        return encoder, make_encoder_optimizer(encoder, self.config.optim), generator

    # ------------------------------------------------------------------ helpers

    def describe(self) -> str:
        """One line: preset, data, models, device."""
        n_g = sum(p.numel() for p in self.G.parameters())
        n_d = sum(p.numel() for p in self.D.parameters())
        n_e = f", E {sum(p.numel() for p in self.E.parameters()):,} params" if self.E is not None else ""
        return (
            f"preset={self.config.preset} on {self.dataset.describe()}; G {n_g:,} params, D {n_d:,} params{n_e}; "
            f"{self.total_steps} steps on {self.device}"
        )

    def _to(self, t: Tensor | None) -> Tensor | None:
        return None if t is None else t.to(self.device, non_blocking=True)

    def _z(self, n: int) -> tuple[Tensor, Tensor | None]:
        z = self.sample_z(n, self.config.model.z_dim, generator=self.gen)
        y = torch.randint(self.dataset.num_classes, (n,), generator=self.gen) if self.conditional else None
        return self._to(z), self._to(y)

    def _g(self, z: Tensor, y: Tensor | None) -> Tensor:
        """G's output as D takes it in the loop: the image, or with MSG the packed pyramid (S06)."""
        if not self.scales:
            return self.G_fwd(z, y)
        return pack_pyramid(self.G_fwd(z, y, pyramid=True))  # (N, P)

    def _real(self, x: Tensor) -> Tensor:
        """A real batch as D takes it in the loop: itself, or with MSG its packed pyramid (S06)."""
        return pack_pyramid(image_pyramid(x, len(self.scales))) if self.scales else x

    def _d(self, x: Tensor, y: Tensor | None = None) -> Any:
        x_in = unpack_pyramid(x, self.scales) if self.scales else x
        return self.D_fwd(x_in, y, with_classes=True) if self.acgan else self.D_fwd(x_in, y)

    def discriminate_one(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """D's ``(logits, class logits or None)`` on one batch as the loop carries it."""
        with self.autocast:
            return self._split(self._d(x, y))

    def _noisy(self, x: Tensor) -> Tensor:
        if self.noise is None:
            return x
        sigma = self.noise.sigma(self.step)
        return x + sigma * torch.randn(x.shape, generator=self.gen).to(x) if sigma else x

    def _faded(self, real: Tensor) -> Tensor:
        """S05: while the last stage fades in, reals are blended like G's output."""
        alpha = float(self.D.alpha) if self.grow_steps else 1.0
        return fade_in(F.avg_pool2d(real, 2), real, alpha) if alpha < 1 else real

    @staticmethod
    def _split(out: Any) -> tuple[Tensor, Tensor | None]:
        return out if isinstance(out, tuple) else (out, None)

    def _add_terms(self, loss: Tensor, terms: list[Term], seen: Seen) -> tuple[Tensor, dict[str, Tensor]]:
        """``loss + sum_k weight_k * term_k(seen)``, and the unweighted terms to log."""
        logs: dict[str, Tensor] = {}
        for term in terms:
            if not term.due(self.step):  # a lazy term skips this iteration (loss.penalty_every)
                continue
            value = term.fn(seen)
            loss = loss + term.weight_at(self.step / self.total_steps) * value
            logs[term.log] = value.detach()
        logs.update(seen.logs)
        return loss, logs

    def _update(self, players: list[tuple[str, nn.Module, torch.optim.Optimizer]], loss: Tensor) -> dict[str, Tensor]:
        """Back-propagate ``loss`` and step each player's optimiser; returns their gradient norms (T10)."""
        for _, _, opt in players:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        norms = {}
        for name, module, opt in players:
            if self.world_size > 1:
                average_gradients(module)
            norms[f"grad_norm/{name}"] = grad_norm(module)
            opt.step()
        return norms

    # ------------------------------------------------------------------ the two steps

    def d_step(self) -> dict[str, Tensor]:
        """One update of D on a fresh real batch and a batch of fakes:
        ``loss_D = adversarial(D(x), D(G(z))) + sum_k weight_k * term_k``."""
        real, y_real = next(self.data)
        real, y_real = self._faded(self._to(real)), self._to(y_real)  # S05
        self.carried_clean = (real.detach(), y_real)  # T07: the batch E encodes in the next G step
        z, y_fake = self._z(real.shape[0])
        with torch.no_grad(), self.autocast:
            fake = self._g(z, y_fake).float()
        real = self._real(real)  # S06: its pyramid
        if self.replay is not None:  # T08: some fakes replaced by past ones (labels kept for simplicity)
            fake = self.replay.mix(fake)
        real_in, fake_in = self._noisy(real), self._noisy(fake)  # T13/S09: same sigma on both
        penalize = self.penalty is not None and self.penalty.due(self.step)  # a lazy penalty skips the rest
        if penalize and self.penalty_on in ("real", "both"):  # R1 differentiates D at the reals, R2 at the fakes (S03)
            real_in.requires_grad_(True)
        if penalize and self.penalty_on in ("fake", "both"):
            fake_in.requires_grad_(True)
        labels = (y_real, y_fake) if self.conditional else (None, None)
        with self.autocast:
            real_out, fake_out = discriminate(self._d, real_in, fake_in, self.config.tricks.separate_batches, *labels)
        real_logits, real_cls = self._split(real_out)
        fake_logits, fake_cls = self._split(fake_out)
        seen = Seen(real_in, fake_in, real_logits.float(), fake_logits.float(), real_cls, fake_cls, *labels)
        loss, logs = self._add_terms(self._d_adversarial(seen), self.d_terms, seen)
        logs.update(self._update(self.d_players, loss))
        self.carried_real = (real_in.detach(), y_real)
        logs["loss/d"] = loss.detach()
        logs.update(d_output_stats(seen.real_logits, seen.fake_logits))  # the names the monitor reads (T10)
        return logs

    def _d_adversarial(self, seen: Seen) -> Tensor:
        """D's adversarial loss, against soft or flipped targets when the loss takes them (T06)."""
        if not self.loss.accepts_targets:
            return self.loss.d(seen.real_logits, seen.fake_logits)
        n = seen.real_logits.shape[0]
        real_t, fake_t = self.labels(n, n, generator=self.gen)
        return self.loss.d(seen.real_logits, seen.fake_logits, self._to(real_t), self._to(fake_t))

    def g_step(self) -> dict[str, Tensor]:
        """One update of G through D (D's weights are not stepped):
        ``loss_G = adversarial(D(G(z))[, D(x)]) + sum_k weight_k * term_k``."""
        z, y_fake = self._z(self.config.train.batch_size)
        with self.autocast:
            fake = self._g(z, y_fake)
        fake_in = self._noisy(fake.float())
        fake_logits, fake_cls = self.discriminate_one(fake_in, y_fake)
        # observers (the monitor's diversity signal) may look at what G just made, at no extra cost
        self.last_fake = (unpack_pyramid(fake, self.scales)[0] if self.scales else fake).detach()
        real_logits = None
        if self.loss.g_needs_real:  # relativistic losses compare with D on the D step's reals
            real_logits = self.discriminate_one(*self.carried_real)[0].float()
        seen = Seen(None, fake_in, real_logits, fake_logits.float(), None, fake_cls, None, y_fake)
        adversarial_logits = seen.fake_logits
        keep = self.config.tricks.topk_keep
        if keep < 1:  # S12: G learns only from the fakes D rates most realistic
            adversarial_logits = top_k(
                seen.fake_logits, top_k_share(self.step / self.total_steps, keep, self.config.tricks.topk_ramp)
            )
        loss, logs = self._add_terms(self.loss.g(adversarial_logits, real_logits), self.g_terms, seen)
        logs.update(self._update(self.g_players, loss))
        self.D.zero_grad(set_to_none=True)  # G's backward left gradients in D; they must not leak into D's step
        logs["loss/g"] = loss.detach()
        return logs

    # ------------------------------------------------------------------ the loop

    def run_iteration(self) -> dict[str, Tensor]:
        """All D and G steps of one iteration, as the schedule plans them."""
        logs: dict[str, Tensor] = {}
        if self.grow_steps:
            logs["grow/alpha"] = torch.tensor(self._set_alpha())
        oc = self.config.optim
        if oc.lr_schedule != "constant":  # S08: a function of the step, so a resumed run follows it exactly
            progress = self.step / self.total_steps
            for _, _, opt in self.d_players + self.g_players:
                logs["lr/factor"] = torch.tensor(schedule_lr(opt, oc.lr_schedule, progress, oc.lr_decay_start))
        if self.config.model.g_norm_freeze < 1.0:  # a function of the step, re-set as sampling resets G's modes
            held = holds_at(self.step, self.total_steps, self.config.model.g_norm_freeze)
            if hold_batch_stats(self.G, held):
                logs["g/norm_held"] = torch.tensor(float(held))
        d_frozen = self.snapshots is not None and self.snapshots.swapped  # T08: an old D is only an opponent
        for phase in self.schedule.plan(self.step):
            if phase == "D" and d_frozen:
                continue
            step, key = (self.d_step, "loss/d") if phase == "D" else (self.g_step, "loss/g")
            logs.update(step())
            done = 1
            while self.balancer is not None and self.balancer.repeat(phase, float(logs[key]), done):  # T11, opt-in
                logs.update(step())
                done += 1
        if self.world_size > 1:
            broadcast_buffers(self.G)
            broadcast_buffers(self.D)
            if self.E is not None:
                broadcast_buffers(self.E)
        if self.ema is not None:
            self.ema.update(self.G)
        self._maybe_snapshot()
        if self.noise is not None:
            logs["noise/sigma"] = torch.tensor(self.noise.sigma(self.step))
        return logs

    def _set_alpha(self) -> float:
        """S05: put G and D at this step's point of the fade-in; returns alpha."""
        alpha = grow_alpha(self.step, self.grow_steps)
        self.G.alpha.fill_(alpha)
        self.D.alpha.fill_(alpha)
        return alpha

    def _maybe_snapshot(self) -> None:
        tr = self.config.tricks
        if self.snapshots is None:
            return
        self.snapshots.step(self.D)
        if (self.step + 1) % tr.snapshot_every == 0 and not self.snapshots.swapped:
            self.snapshots.add(self.D)
        if not self.snapshots.swapped and self.snapshots.snapshots and tr.snapshot_swap_p > 0:
            if torch.rand((), generator=self.gen) < tr.snapshot_swap_p:
                self.snapshots.swap_in(self.D, tr.snapshot_swap_steps)

    def fit(self) -> None:
        """Train until ``train.steps`` iterations are done (continuing from :attr:`step`)."""
        self.G.train()
        self.D.train()
        for cb in self.callbacks:
            cb.on_fit_start(self)
        try:
            with _stop_between_iterations() as interrupted:
                while self.step < self.total_steps and self.stop_reason is None:
                    logs = self.run_iteration()
                    self.step += 1
                    self._void = False
                    for cb in self.callbacks:
                        cb.on_step_end(self, self.step, logs)
                        if self._void:  # a callback rewound the run: this iteration's record is void
                            break
                    if interrupted():
                        raise KeyboardInterrupt  # at an iteration boundary, so a checkpoint now is consistent
        except BaseException as exc:
            for cb in self.callbacks:
                cb.on_exception(self, exc)
            raise
        for cb in self.callbacks:
            cb.on_fit_end(self)

    def request_stop(self, reason: str) -> None:
        """End the run after the current iteration (callbacks' fit-end hooks still run)."""
        self.stop_reason = reason

    def rewind(self, state: dict[str, Any]) -> None:
        """Restore an earlier :meth:`state_dict` (without its callbacks: every observer keeps its own
        state) from inside a callback; the rest of the iteration's hooks are skipped."""
        self.load_state_dict({k: v for k, v in state.items() if k != "callbacks"})
        self._void = True

    def fixed_samples(self) -> Tensor:
        """Samples at the fixed z of the sample grid, from the EMA of G when there is one."""
        return self._generate(self.fixed_z, self.fixed_y)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` fresh samples (EMA of G when there is one), on the CPU."""
        gen = generator or torch.Generator().manual_seed(0)
        z = self.sample_z(n, self.config.model.z_dim, generator=gen)
        y = torch.randint(self.dataset.num_classes, (n,), generator=gen) if self.conditional else None
        return self._generate(z, y)

    @torch.no_grad()
    def _generate(self, z: Tensor, y: Tensor | None, chunk: int = 1024) -> Tensor:
        """G's (or its EMA's) images of ``z`` (and labels ``y``) in eval mode, in chunks, on the CPU.

        Torch's global random state is forked: always-on dropout (T17) draws from it, and sampling
        must not change the run.
        """
        g = self.ema.module if self.ema is not None else self.G
        was_training = g.training
        g.eval()
        with torch.random.fork_rng(devices=[self.device] if self.device.type == "cuda" else []):
            out = torch.cat(
                [
                    g(self._to(zc), self._to(y[i : i + chunk]) if y is not None else None).float().cpu()
                    for i, zc in zip(range(0, len(z), chunk), z.split(chunk))
                ]
            )
        g.train(was_training)
        return out

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs to continue exactly."""
        parts = {"replay": self.replay, "snapshots": self.snapshots, "ema": self.ema}
        return {
            "step": self.step,
            "config": to_dict(self.config),
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "data": self.data.state_dict(),
            "gen": self.gen.get_state(),
            "rng": rng_state(),
            **{k: v.state_dict() for k, v in parts.items() if v is not None},
            **(
                {"E": self.E.state_dict(), "opt_e": self.opt_e.state_dict(), "gen_e": self.gen_e.get_state()}
                if self.E is not None
                else {}
            ),
            # batches the D step hands to the next G step (a relativistic G loss, T07's encoder): a run
            # resumed while an old D is swapped in (T08) has no D step before its first G step
            "carried": {k: list(v) for k, v in (("real", self.carried_real), ("clean", self.carried_clean)) if v},
            "callbacks": [cb.state_dict() for cb in self.callbacks],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`state_dict`."""
        if (self.E is None) != ("E" not in state):
            has = "has no" if "E" not in state else "has an"
            raise UserError(
                f"the checkpoint {has} encoder but this config sets model.encoder={self.E is not None} (T07); "
                "resume with the run's own config.json"
            )
        try:
            self.G.load_state_dict(state["G"])
            self.D.load_state_dict(state["D"])
            if self.E is not None:
                self.E.load_state_dict(state["E"])
        except RuntimeError as exc:
            raise UserError(
                f"the checkpoint's networks do not match this config ({str(exc).splitlines()[0]}); "
                "resume with the run's own config.json"
            ) from None
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.E is not None:
            self.opt_e.load_state_dict(state["opt_e"])
            self.gen_e.set_state(state["gen_e"])
        self.data.load_state_dict(state["data"])
        self.gen.set_state(state["gen"])
        set_rng_state(state["rng"])
        for key in ("replay", "snapshots", "ema"):
            part = getattr(self, key)
            if part is not None and key in state:
                part.load_state_dict(state[key])
        for key, pair in state.get("carried", {}).items():
            setattr(self, f"carried_{key.removeprefix('_last_')}", (self._to(pair[0]), self._to(pair[1])))
        for cb, cb_state in zip(self.callbacks, state.get("callbacks", [])):
            cb.load_state_dict(cb_state)
        self.step = int(state["step"])

    def with_steps(self, steps: int) -> None:
        """Change the total number of iterations (e.g. to extend a resumed run)."""
        self.config = replace(self.config, train=replace(self.config.train, steps=steps))
        self.total_steps = steps
        self.stop_reason = None
