"""RRSIS metrics against values computed by hand."""
import numpy as np
import pytest

from diffris.metrics import RrsisMetrics, intersection_union, passes


def masks_with_counts(i, u, size=20):
    """Prediction and truth on a 1 x size row with I = i and U = u (truth = first u px, prediction = first i)."""
    truth = np.zeros((1, size), dtype=np.uint8)
    truth[0, :u] = 255
    pred = np.zeros_like(truth)
    pred[0, :i] = 1
    return pred, truth


A_TRUTH = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
A_PRED = np.array([[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])   # I = 2, U = 6


def filled():
    m = RrsisMetrics()
    assert m.add(A_PRED, A_TRUTH, "colour") == pytest.approx(1 / 3)
    b = np.zeros((3, 3)); b[0, :3] = 1
    assert m.add(b, b * 255, "plural") == 1.0                                      # I = 3, U = 3
    c = np.zeros((3, 3)); c[1, :] = 1; c[2, :2] = 1
    assert m.add(np.zeros((3, 3)), c, "colour") == 0.0                             # empty prediction: I = 0, U = 5
    assert m.add(*masks_with_counts(7, 10), "plural") == pytest.approx(0.7)         # I = 7, U = 10
    return m


def test_intersection_and_union_counts():
    assert intersection_union(A_PRED, A_TRUTH) == (2, 6)
    assert intersection_union(A_PRED * 255, A_TRUTH.astype(bool)) == (2, 6)


def test_overall_scores_by_hand():
    s = filled().overall()
    assert s.count == 4
    assert s.miou == pytest.approx((1 / 3 + 1 + 0 + 0.7) / 4)
    assert s.oiou == pytest.approx(12 / 24)                 # (2 + 3 + 0 + 7) / (6 + 3 + 5 + 10)
    # IoUs 0.333, 1, 0, 0.7: the 0.7 sample counts at 0.7 (>=) but not at 0.8
    assert s.precision == pytest.approx({0.5: 0.5, 0.6: 0.5, 0.7: 0.5, 0.8: 0.25, 0.9: 0.25})


def test_breakdown_by_expression_type_by_hand():
    t = filled().by_type()
    assert sorted(t) == ["colour", "plural"]
    assert t["colour"].miou == pytest.approx(1 / 6)
    assert t["colour"].oiou == pytest.approx(2 / 11)
    assert t["colour"].precision == pytest.approx({0.5: 0, 0.6: 0, 0.7: 0, 0.8: 0, 0.9: 0})
    assert t["plural"].miou == pytest.approx(0.85)
    assert t["plural"].oiou == pytest.approx(10 / 13)
    assert t["plural"].precision == pytest.approx({0.5: 1, 0.6: 1, 0.7: 1, 0.8: 0.5, 0.9: 0.5})


def test_empty_masks():
    m = RrsisMetrics()
    assert m.add(np.zeros((2, 2)), np.zeros((2, 2))) == 1.0       # both empty: a perfect answer
    s = m.overall()
    assert s.miou == 1.0 and s.oiou == 0.0 and s.precision[0.9] == 1.0
    assert m.add(np.ones((2, 2)), np.zeros((2, 2))) == 0.0        # something predicted, nothing there


def test_thresholds_are_decided_exactly_on_integers():
    assert passes(3, 5, 60) and not passes(29, 50, 60)
    assert passes(9, 10, 90) and not passes(899, 1000, 90)
    m = RrsisMetrics()
    for i, u in ((5, 10), (6, 10), (8, 10), (9, 10)):
        m.add_counts(i, u)
    assert m.overall().precision == pytest.approx({0.5: 1.0, 0.6: 0.75, 0.7: 0.5, 0.8: 0.5, 0.9: 0.25})


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="shape"):
        RrsisMetrics().add(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="intersection <= union"):
        RrsisMetrics().add_counts(5, 4)


def test_report_lists_overall_and_types():
    text = filled().report()
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["type", "n", "mIoU", "oIoU"]
    assert lines[1].split()[:4] == ["all", "4", "50.83", "50.00"]
    assert [l.split()[0] for l in lines[2:]] == ["colour", "plural"]
