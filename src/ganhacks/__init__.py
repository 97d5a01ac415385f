"""ganhacks: make GAN training work reliably.

The "How to Train a GAN?" tips (NIPS 2016) and later stabilisers as tested code, plus a
trainer, a doctor for your own code, a monitor for failing runs, metrics and evidence.
See :mod:`ganhacks.tips` for the catalog that ties them together.
"""

__version__ = "0.1.0"
