"""Every tip as code: small pure functions and stateful parts with ``state_dict()``.

One module per concept, each naming the tips it serves:

* :mod:`~ganhacks.tricks.losses` — GAN losses on logits (T02, S02, S10)
* :mod:`~ganhacks.tricks.penalties` — WGAN-GP, R1, R2 (S02, S03)
* :mod:`~ganhacks.tricks.labels` — soft labels and label flips (T06)
* :mod:`~ganhacks.tricks.latent` — z samplers, slerp, truncation (T03)
* :mod:`~ganhacks.tricks.noise` — instance noise with a decaying sigma (T13, S09)
* :mod:`~ganhacks.tricks.replay` — past fakes and past weights (T08)
* :mod:`~ganhacks.tricks.layers` — minibatch std/discrimination, PixelShuffle, fade-in, ...
  (T04, T05, T15-T17, S01, S05, S06)
* :mod:`~ganhacks.tricks.ema` — EMA of G (S07)
* :mod:`~ganhacks.tricks.optim` — Adam/SGD set-ups, TTUR, lowering the LR (T09, S04, S08)
* :mod:`~ganhacks.tricks.conditional` — AC-GAN and projection heads (T12)
* :mod:`~ganhacks.tricks.hybrid` — VAE-GAN pieces (T07)
* :mod:`~ganhacks.tricks.steps` — D/G step schedule, separate real/fake batches (T04, T11, T14)
* :mod:`~ganhacks.tricks.topk` — G learns from the fakes D rates best (S12)
* :mod:`~ganhacks.tricks.packing` — D judges packs of samples (S13, PacGAN)
* :mod:`~ganhacks.tricks.norm_freeze` — G's batch-norm statistics held for the end of a run (the recipe)

Tricks never import the trainer: the trainer assembles them.
"""
