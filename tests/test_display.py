import math

from ganhacks.display import feature_space, format_metric, metric_label


def test_names_carry_their_feature_space():
    assert metric_label("fid", feature_space("digits-cnn (64-d penultimate layer)")) == "fid[digits-cnn]"
    assert metric_label("fid", feature_space("inception-v3 pool3")) == "fid[inception]"
    assert feature_space("identity") == "raw" and feature_space("user module MyNet (128-d)") == "MyNet"


def test_values_are_rounded_for_reading():
    assert format_metric(1.2316887699758445) == "1.232" and format_metric(10.0) == "10"
    assert format_metric(0.000123456) == "0.0001235" and format_metric(123456.7) == "123457"
    assert format_metric(0.0000123456) == "1.235e-05"
    assert format_metric(math.nan) == "nan" and format_metric(None) == "None"
