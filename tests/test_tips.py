import importlib
import re

import pytest

from ganhacks.errors import UserError
from ganhacks.tips import TIPS, TIPS_BY_ID, get_tip


def resolve(dotted: str):
    """Import the longest module prefix of ``dotted`` and getattr the rest."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_all_17_numbered_tips_and_required_stabilisers():
    assert [f"T{i:02d}" for i in range(1, 18)] == [t.id for t in TIPS if t.id.startswith("T")]
    titles = " ".join(t.title.lower() for t in TIPS)
    for needed in (
        "spectral",
        "wgan-gp",
        "r1",
        "two time-scale",
        "progressive",
        "multi-scale",
        "moving average",
        "learning rate",
        "real and fake",
    ):
        assert needed in titles, needed
    assert len(TIPS_BY_ID) == len(TIPS)  # ids unique


@pytest.mark.parametrize("tip", TIPS, ids=lambda t: t.id)
def test_every_tip_is_implemented_or_says_why_not(tip):
    assert tip.implemented_by or tip.no_code_reason, f"{tip.id} has neither code nor a reason"
    for name in tip.implemented_by:
        obj = resolve(name)
        doc = getattr(obj, "__doc__", "") or ""
        assert obj is not None
        if callable(obj) and not name.endswith("LOSSES"):
            assert doc.strip(), f"{name} has no docstring"
    for field in (tip.title, tip.advice, tip.why, tip.source):
        assert field.strip()


def test_implementations_name_their_tip():
    # a trick's docstring (or its module's) names the tip it implements
    for tip in TIPS:
        for name in tip.implemented_by:
            obj = resolve(name)
            module = importlib.import_module(name.rsplit(".", 1)[0])
            text = (getattr(obj, "__doc__", "") or "") + (module.__doc__ or "")
            assert re.search(rf"\b{tip.id}\b", text), f"{name} does not mention {tip.id}"


def test_get_tip():
    assert get_tip("t02").id == "T02" and get_tip("s1").id == "S01"
    with pytest.raises(UserError, match="Valid ids"):
        get_tip("T2x")
