import json

import pytest

from ganhacks.cli import main
from ganhacks.tips import TIPS


def test_tips_json_lists_every_tip_with_its_code(capsys):
    assert main(["tips", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in records] == [t.id for t in TIPS]
    by_id = {r["id"]: r for r in records}
    assert "ganhacks.tricks.losses.g_nonsaturating" in by_id["T02"]["implemented_by"]
    for r in records:
        assert {"checked_by", "monitored_by", "measured_by"} <= set(r)


def test_tips_table_shows_code(capsys):
    assert main(["tips", "T06"]) == 0
    out = capsys.readouterr().out
    assert "labels.two_sided" in out and "T06" in out and "T07" not in out


def test_unknown_tip_is_one_line_exit_2(capsys):
    assert main(["tips", "T99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown tip 'T99'" in err


def test_unknown_verb_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["trian"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
