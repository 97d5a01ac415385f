"""The tips catalog: the spine of ganhacks (data only).

Every tip from "How to Train a GAN?" (Chintala, Denton, Arjovsky, Mathieu; NIPS 2016 workshop
talk and the github.com/soumith/ganhacks list) has a stable id ``T01``..``T17``; the later
stabilisers have ids ``S01``... The advice is paraphrased in the project's own words, with the
source that argues for it.

Everything else refers to tips by id: a trick's docstring names the tip it implements, a doctor
rule names the tip it checks, a monitor symptom names the tips that remedy it, a bench ablation
names the tip it measures. ``implemented_by`` holds dotted names of the code implementing each
tip; the test suite imports every one of them, and a tip with no code must say why in
``no_code_reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ganhacks.errors import UserError
from ganhacks.registry import did_you_mean

TALK = (
    "Chintala, Denton, Arjovsky & Mathieu, 'How to Train a GAN?', NIPS 2016 workshop talk; github.com/soumith/ganhacks"
)


@dataclass(frozen=True)
class Tip:
    """One entry of the catalog."""

    id: str  # stable id: T01..T17 for the numbered tips, S01.. for later stabilisers
    title: str  # a few words
    advice: str  # what to do, in the project's words
    why: str  # why it helps
    source: str  # paper or talk
    implemented_by: tuple[str, ...] = ()  # dotted names of ganhacks code that implements it
    no_code_reason: str = ""  # required when implemented_by is empty or partial
    caveat: str = ""  # e.g. the talk's own "[not sure]" marks


TIPS: tuple[Tip, ...] = (
    Tip(
        "T01",
        "Normalise inputs to [-1, 1]",
        "Scale real data into [-1, 1] and end the generator with tanh, so real and fake live on the same bounded "
        "range.",
        "D cannot tell real from fake by range alone, and tanh keeps G's output where the data is.",
        TALK,
        ("ganhacks.data.scaling.to_signed_unit", "ganhacks.data.scaling.check_signed_unit"),
    ),
    Tip(
        "T02",
        "Non-saturating generator loss",
        "Train G to maximise log D(G(z)) (equivalently: label fakes as real for G's step) instead of minimising "
        "log(1 - D(G(z))).",
        "Early on D rejects fakes confidently; log(1 - D) then has a vanishing gradient while -log D still has a "
        "strong one.",
        "Goodfellow et al. 2014, 'Generative Adversarial Nets'; " + TALK,
        ("ganhacks.tricks.losses.g_nonsaturating", "ganhacks.tricks.losses.g_minimax"),
    ),
    Tip(
        "T03",
        "Spherical (Gaussian) z",
        "Draw z from a Gaussian, not a uniform box, and interpolate between codes along great circles (slerp) rather"
        " than straight lines.",
        "High-dimensional Gaussian samples concentrate on a shell; linear paths cut through the unlikely centre, "
        "slerp stays on the shell.",
        "White 2016, 'Sampling Generative Networks', arXiv:1609.04468; " + TALK,
        (
            "ganhacks.tricks.latent.sample_gaussian",
            "ganhacks.tricks.latent.slerp",
            "ganhacks.tricks.latent.truncated_gaussian",
        ),
    ),
    Tip(
        "T04",
        "Separate real and fake batches for BatchNorm",
        "Pass real and fake samples through D in separate mini-batches; where batch norm is not an option use "
        "instance norm.",
        "A mixed batch lets batch statistics leak which samples are fake, and the mix ratio shifts the statistics D "
        "depends on.",
        TALK,
        ("ganhacks.tricks.steps.discriminate", "ganhacks.tricks.layers.norm_layer"),
    ),
    Tip(
        "T05",
        "Avoid sparse gradients",
        "Prefer LeakyReLU to ReLU in G and D; downsample with average pooling or strided convolution, upsample with "
        "PixelShuffle or strided transposed convolution, not max pooling.",
        "ReLU and max pooling pass gradient to few units, which starves parts of the network and destabilises the "
        "game.",
        "Shi et al. 2016 (PixelShuffle), arXiv:1609.05158; " + TALK,
        (
            "ganhacks.tricks.layers.activation",
            "ganhacks.tricks.layers.downsample",
            "ganhacks.tricks.layers.PixelShuffleUp",
        ),
    ),
    Tip(
        "T06",
        "Soft and noisy labels",
        "Replace hard targets with soft ones (real about 0.7-1.2, fake about 0.0-0.3, or one-sided: real 0.9) and "
        "flip a small fraction of D's labels.",
        "Soft and occasionally wrong targets stop D from becoming over-confident, which keeps its gradients useful "
        "to G.",
        "Salimans et al. 2016, 'Improved Techniques for Training GANs', arXiv:1606.03498; " + TALK,
        (
            "ganhacks.tricks.labels.one_sided",
            "ganhacks.tricks.labels.two_sided",
            "ganhacks.tricks.labels.flip",
            "ganhacks.tricks.labels.LabelMaker",
        ),
    ),
    Tip(
        "T07",
        "DCGAN, or a hybrid model",
        "Start from the DCGAN architecture; if no GAN is stable, add a VAE-style encoder (KL and reconstruction "
        "terms) to G.",
        "DCGAN's choices were found stable by extensive search; a reconstruction term anchors G to the data when the"
        " adversarial signal is unreliable.",
        "Radford et al. 2015, arXiv:1511.06434; Larsen et al. 2016 (VAE-GAN), arXiv:1512.09300; " + TALK,
        (
            "ganhacks.models.dcgan.DCGANGenerator",
            "ganhacks.models.dcgan.DCGANDiscriminator",
            "ganhacks.models.encoder.ConvEncoder",
            "ganhacks.models.encoder.MLPEncoder",
            "ganhacks.tricks.hybrid.reparameterize",
            "ganhacks.tricks.hybrid.kl_to_standard_normal",
            "ganhacks.tricks.hybrid.reconstruction_loss",
        ),
    ),
    Tip(
        "T08",
        "Stability tricks from RL",
        "Keep a replay buffer of past fakes and show some to D; keep past G/D weights and occasionally swap one in "
        "for a few steps.",
        "Both stop the players from chasing each other's latest move, the same oscillation that replay damps in "
        "actor-critic RL.",
        "Pfau & Vinyals 2016, 'Connecting GANs and Actor-Critic Methods', arXiv:1610.01945; " + TALK,
        ("ganhacks.tricks.replay.ReplayBuffer", "ganhacks.tricks.replay.SnapshotPool"),
    ),
    Tip(
        "T09",
        "Use Adam",
        "Use Adam (DCGAN: lr 2e-4, beta1 0.5); SGD for D with Adam for G is a known alternative.",
        "Adam's per-parameter step sizes cope with the non-stationary gradients of the game; a low beta1 reacts "
        "faster to the opponent.",
        "Radford et al. 2015, arXiv:1511.06434; " + TALK,
        ("ganhacks.tricks.optim.make_optimizers", "ganhacks.tricks.optim.OptimConfig"),
    ),
    Tip(
        "T10",
        "Track failures early",
        "Watch for D loss going to 0, gradient norms above ~100, a spiky high-variance D loss, and a G loss that "
        "keeps falling while samples stay bad.",
        "Each is an early sign of a run that will not recover; catching it early saves the compute spent after.",
        TALK,
        (
            "ganhacks.monitor.Monitor",
            "ganhacks.monitor.SYMPTOMS",
            "ganhacks.train.callbacks.MonitorCallback",
            "ganhacks.monitor.report.build_report",
        ),
    ),
    Tip(
        "T11",
        "Do not balance G and D by loss thresholds",
        "Avoid schedules such as 'train D while its loss > A, then G while its loss > B'; if you must, have a "
        "principled reason.",
        "Loss values of the two players are not comparable measures of progress; threshold schedules tend to "
        "oscillate or stall.",
        TALK,
        ("ganhacks.tricks.steps.ThresholdBalancer",),
        caveat="The balancer exists only as an explicit opt-in that warns, so the tip's advice can be measured.",
    ),
    Tip(
        "T12",
        "If you have labels, use them",
        "With class labels, let D also classify samples (auxiliary classifier GAN) or condition D by projection.",
        "The extra task gives D richer features and G a class-wise signal, which reduces mode dropping.",
        "Odena et al. 2017 (AC-GAN), arXiv:1610.09585; Miyato & Koyama 2018 (projection D), arXiv:1802.05637; " + TALK,
        (
            "ganhacks.tricks.conditional.ACGANHead",
            "ganhacks.tricks.conditional.acgan_loss",
            "ganhacks.tricks.conditional.ProjectionHead",
        ),
    ),
    Tip(
        "T13",
        "Instance noise, decayed over time",
        "Add Gaussian noise to D's inputs, real and fake alike, and shrink its scale towards zero as training "
        "proceeds.",
        "Noise makes the real and fake distributions overlap, so D's gradient is informative early; decaying it "
        "recovers sharp samples later.",
        "Arjovsky & Bottou 2017, arXiv:1701.04862; Sønderby et al. 2017, arXiv:1610.04490; " + TALK,
        ("ganhacks.tricks.noise.InstanceNoise", "ganhacks.tricks.noise.decay"),
    ),
    Tip(
        "T14",
        "Train D more (sometimes)",
        "Several D steps per G step (n_critic) can help, especially with instance noise or a Wasserstein critic.",
        "A better-trained D gives G a more accurate gradient; WGAN needs a near-optimal critic.",
        TALK + "; Arjovsky et al. 2017 (WGAN), arXiv:1701.07875",
        ("ganhacks.tricks.steps.StepSchedule",),
        caveat="Marked [not sure] in the talk: no good schedule is known in general.",
    ),
    Tip(
        "T15",
        "Minibatch discrimination",
        "Let D see statistics across the batch (minibatch discrimination, or the simpler minibatch standard "
        "deviation).",
        "A collapsed G produces a batch with too little variety, which D can then detect and punish.",
        "Salimans et al. 2016, arXiv:1606.03498; Karras et al. 2018, arXiv:1710.10196; " + TALK,
        ("ganhacks.tricks.layers.MinibatchDiscrimination", "ganhacks.tricks.layers.MinibatchStdDev"),
        caveat="Marked [not sure] in the talk: mixed results.",
    ),
    Tip(
        "T16",
        "Discrete conditions as embedding channels",
        "Feed a discrete condition through a small embedding, upsample it to the image size and append it as extra "
        "channels.",
        "A low-dimensional learned embedding is easier for convolutions to use than a one-hot vector tiled over many"
        " channels.",
        TALK,
        ("ganhacks.tricks.layers.ConditionChannels",),
    ),
    Tip(
        "T17",
        "Dropout in G at train and test time",
        "Use dropout in some G layers and keep it active at inference too, as a source of noise.",
        "It gives G stochasticity that it cannot learn to ignore the way it can ignore an input z (as in pix2pix).",
        "Isola et al. 2017 (pix2pix), arXiv:1611.07004; " + TALK,
        ("ganhacks.tricks.layers.AlwaysDropout",),
    ),
    Tip(
        "S01",
        "Spectral normalisation",
        "Divide each weight of D by its largest singular value (torch's spectral-norm parametrization on every conv "
        "and linear).",
        "It bounds D's Lipschitz constant cheaply, which keeps its gradients well scaled without a penalty.",
        "Miyato et al. 2018, 'Spectral Normalization for GANs', arXiv:1802.05957",
        ("ganhacks.tricks.layers.spectral_norm_all",),
    ),
    Tip(
        "S02",
        "Gradient penalty (WGAN-GP)",
        "With a Wasserstein critic, penalise the distance of the critic's gradient norm from 1 at points between "
        "real and fake (one-sided: only above 1).",
        "It enforces the Lipschitz constraint softly, avoiding the capacity loss and explosions of weight clipping.",
        "Gulrajani et al. 2017, arXiv:1704.00028; Petzka et al. 2018 (one-sided), arXiv:1709.08894",
        (
            "ganhacks.tricks.penalties.wgan_gp",
            "ganhacks.tricks.penalties.interpolate",
            "ganhacks.tricks.losses.d_wasserstein",
            "ganhacks.tricks.losses.g_wasserstein",
        ),
    ),
    Tip(
        "S03",
        "R1 / R2 zero-centred penalties",
        "Penalise the squared gradient norm of D on real data (R1) or on fake data (R2).",
        "Zero-centred penalties make the game locally convergent where unregularised GANs may circle the equilibrium.",
        "Mescheder et al. 2018, 'Which Training Methods for GANs do actually Converge?', arXiv:1801.04406",
        ("ganhacks.tricks.penalties.r1", "ganhacks.tricks.penalties.r2"),
    ),
    Tip(
        "S04",
        "Two time-scale update rule (TTUR)",
        "Give D and G separate learning rates, typically a larger one for D.",
        "With separate step sizes the updates provably converge to a local Nash equilibrium under mild assumptions.",
        "Heusel et al. 2017, arXiv:1706.08500",
        ("ganhacks.tricks.optim.OptimConfig", "ganhacks.tricks.optim.make_optimizers"),
    ),
    Tip(
        "S05",
        "Progressive growing",
        "Train at low resolution first and add layers to G and D one at a time, fading each new layer in.",
        "Coarse structure is learnt on an easy problem before fine detail, which stabilises high-resolution training.",
        "Karras et al. 2018, arXiv:1710.10196",
        (
            "ganhacks.tricks.layers.fade_in",
            "ganhacks.tricks.layers.grow_alpha",
            "ganhacks.models.dcgan.DCGANGenerator",
            "ganhacks.models.dcgan.DCGANDiscriminator",
        ),
        no_code_reason="The trainer grows one step (tricks.grow_steps: half resolution, then the last stage fades in); "
        "a schedule that starts at 4x4 and adds every stage in turn is not implemented.",
    ),
    Tip(
        "S06",
        "Multi-scale gradients (MSG-GAN)",
        "Connect G's intermediate resolutions to D's matching layers, and give D an image pyramid of real data.",
        "D's gradient reaches every scale of G directly, so all resolutions train at once without progressive growing.",
        "Karnewar & Wang 2020, arXiv:1903.06048",
        (
            "ganhacks.models.dcgan.DCGANGenerator",
            "ganhacks.models.dcgan.DCGANDiscriminator",
            "ganhacks.tricks.layers.image_pyramid",
            "ganhacks.tricks.layers.pack_pyramid",
        ),
    ),
    Tip(
        "S07",
        "Exponential moving average of G",
        "Keep an EMA copy of G's weights (and buffers) and sample from it.",
        "Averaging damps the oscillation of the weights around the equilibrium and gives steadier, better samples.",
        "Yazici et al. 2019, arXiv:1806.04498; Karras et al. 2018, arXiv:1710.10196",
        ("ganhacks.tricks.ema.EMA",),
    ),
    Tip(
        "S08",
        "Lower the learning rate against mode collapse",
        "When G collapses to a few modes, reduce the learning rates (and roll back to a healthy point).",
        "Smaller steps reduce the overshooting that lets G jump between a few modes D currently under-rates.",
        "Practitioners' lessons collected in the seeds (towardsdatascience, '10 lessons I learned training GANs for "
        "a year')",
        ("ganhacks.tricks.optim.scale_lr", "ganhacks.tricks.optim.schedule_lr"),
    ),
    Tip(
        "S09",
        "Noise on both real and fake inputs",
        "When adding noise to D's inputs, add it to real and fake samples alike.",
        "Noise on one side only gives D a trivial cue; on both it makes D's task harder without a giveaway.",
        "Sønderby et al. 2017, arXiv:1610.04490; practitioners' lessons in the seeds",
        ("ganhacks.tricks.noise.InstanceNoise",),
    ),
    Tip(
        "S10",
        "Start with a simple loss",
        "Large studies find small differences between GAN losses; start simple (non-saturating or hinge) and change "
        "loss last.",
        "Tuning matters more than the loss choice; a simple baseline makes other problems easier to see.",
        "Lucic et al. 2018, 'Are GANs Created Equal?', arXiv:1711.10337; Mao et al. 2017 (LSGAN); Lim & Ye 2017 "
        "(hinge); Jolicoeur-Martineau 2018 (relativistic); Huang et al. 2024, 'The GAN is dead; long live the "
        "GAN!' (RpGAN + R1 + R2)",
        (
            "ganhacks.tricks.losses.LOSSES",
            "ganhacks.tricks.losses.d_hinge",
            "ganhacks.tricks.losses.d_least_squares",
            "ganhacks.tricks.losses.d_relativistic_average",
            "ganhacks.tricks.losses.d_relativistic_pairing",
        ),
    ),
    Tip(
        "S11",
        "Keep G and D updates balanced",
        "Default to one D step per G step; extra D steps are for Wasserstein critics, not a general fix.",
        "Unbalanced update schedules rarely improve stability and cost compute.",
        "Practitioners' lessons collected in the seeds (towardsdatascience, '10 lessons I learned training GANs for "
        "a year')",
        ("ganhacks.tricks.steps.StepSchedule",),
    ),
    Tip(
        "S12",
        "Let G learn from its best fakes only (top-k)",
        "In G's update, drop the share of the batch that D scores as least realistic; start with the whole "
        "batch and shrink the share kept as training goes on.",
        "The gradient through a fake D finds hopeless can drag that sample further from its nearest mode; "
        "leaving those samples out of G's loss keeps the pull towards the modes and costs nothing.",
        "Sinha et al. 2020, 'Top-k Training of GANs: Improving GAN Performance by Throwing Away Bad Samples', "
        "NeurIPS 2020, arXiv:2002.06224",
        ("ganhacks.tricks.topk.top_k", "ganhacks.tricks.topk.top_k_share"),
    ),
    Tip(
        "S13",
        "Let D judge samples in packs (PacGAN)",
        "Feed D a few samples at once, all real or all fake, joined along the features or channels, and "
        "train it to give one verdict per pack; two per pack is the usual start.",
        "A G that keeps to a few modes makes packs whose members look alike, which a D that sees one sample "
        "at a time cannot notice; a pack makes that lack of variety part of what D rejects. Only D's first "
        "layer grows.",
        "Lin et al. 2018, 'PacGAN: The power of two samples in generative adversarial networks', NeurIPS 2018, "
        "arXiv:1712.04086",
        ("ganhacks.tricks.packing.pack", "ganhacks.tricks.packing.Packed"),
    ),
)

TIPS_BY_ID: dict[str, Tip] = {t.id: t for t in TIPS}


def get_tip(tip_id: str) -> Tip:
    """Return the tip with ``tip_id`` (case-insensitive), or raise a :class:`UserError`."""
    key = tip_id.strip().upper()
    if m := re.fullmatch(r"([TS])(\d)", key):  # "T2" -> "T02"
        key = f"{m[1]}0{m[2]}"
    if key not in TIPS_BY_ID:
        raise UserError(
            f"unknown tip '{tip_id}'.{did_you_mean(key, list(TIPS_BY_ID))} Valid ids: {', '.join(TIPS_BY_ID)}"
        )
    return TIPS_BY_ID[key]
