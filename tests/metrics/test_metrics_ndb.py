"""NDB: the per-bin test against scipy's chi-square test, and its behaviour on mode dropping."""

import numpy as np
import pytest
import scipy.stats
import torch

from ganhacks.errors import UserError
from ganhacks.metrics.ndb import js_divergence, ndb, two_proportion_pvalues


def test_two_proportion_test_equals_the_chi_square_test_of_the_2x2_table():
    c_fake, c_real, n_fake, n_real = torch.tensor([30, 55, 12]), torch.tensor([40, 45, 30]), 500, 600
    p = two_proportion_pvalues(c_fake, n_fake, c_real, n_real)
    for i in range(3):  # z^2 of the pooled test is the Pearson chi-square statistic (no continuity correction)
        table = [[c_fake[i], n_fake - c_fake[i]], [c_real[i], n_real - c_real[i]]]
        ref = scipy.stats.chi2_contingency(np.array(table), correction=False).pvalue
        assert float(p[i]) == pytest.approx(ref, rel=1e-9)


def test_js_divergence_closed_forms():
    assert js_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])) == pytest.approx(np.log(2))
    assert js_divergence(torch.tensor([2.0, 2.0]), torch.tensor([5.0, 5.0])) == pytest.approx(0.0)


def _blobs(n, centres, gen):
    which = torch.randint(0, len(centres), (n,), generator=gen)
    return centres[which] + 0.1 * torch.randn(n, centres.shape[1], generator=gen)


def test_ndb_is_near_alpha_for_one_distribution_and_high_when_modes_drop():
    g = torch.Generator().manual_seed(0)
    centres = 3 * torch.randn(10, 4, generator=g)
    real = _blobs(4000, centres, g)
    same = ndb(_blobs(4000, centres, g), real, bins=20)
    dropped = ndb(_blobs(4000, centres[:5], g), real, bins=20)  # half the modes missing
    assert same["ndb_fraction"] <= 0.25
    assert dropped["ndb"] >= 15  # every bin is either empty or doubled
    assert dropped["ndb_js"] > 5 * same["ndb_js"]


def test_ndb_needs_a_real_sample_per_bin():
    with pytest.raises(UserError, match=r"at least 100 real samples.*got 40"):
        ndb(torch.randn(200, 3), torch.randn(40, 3), bins=100)
