"""Expressions for real labelled imagery: each mask is what its words say, absent ones are empty
and at most a fifth, held-out paraphrases only where asked for."""
import numpy as np
import pytest

from diffris.corpus.real_expressions import FRAMES, HELD_OUT, WORDINGS, check_no_held_out_words, \
    expressions, tree_objects


def image():
    h = w = 40
    building = np.zeros((h, w), bool)
    labels = np.zeros((h, w), np.int32)
    labels[5:15, 5:15] = 1      # large, north-west, inside
    labels[25:28, 30:33] = 2    # small, south-east
    labels[30:33, 5:8] = 3      # small, south-west
    building[labels > 0] = True
    road = np.zeros((h, w), bool)
    road[20, :] = True
    water = np.zeros((h, w), bool)
    return {"building": building, "road": road, "water": water}, {"building": labels}


def test_every_mask_is_what_its_words_say():
    masks, objects = image()
    exprs = expressions(masks, objects, np.random.default_rng(1), held_out=False, absent_share=0.5)
    by_kind = {}
    for e in exprs:
        by_kind.setdefault(e.kind, []).append(e)
        if e.kind == "category":
            # a trained wording in one of the frames ("find X", "X seen from above", ...)
            assert e.text in {f.format(w=w) for f in FRAMES for w in WORDINGS[e.cls][0]}
            assert np.array_equal(e.mask, masks[e.cls])
        if e.kind == "absent":
            assert not e.mask.any() and e.cls == "water"
        if e.kind == "size":
            assert "largest" in e.text or "biggest" in e.text
            assert np.array_equal(e.mask, objects["building"] == 1)
        if e.kind == "region":
            region = e.text.split(" in the ")[1].split(" ")[0]
            ys, xs = np.nonzero(e.mask)
            cy, cx = ys.mean() / 40, xs.mean() / 40
            if "south" in region:
                assert cy >= 0.5
            if "north" in region:
                assert cy < 0.5
            if "east" in region:
                assert cx >= 0.5
            if "west" in region:
                assert cx < 0.5
    assert {"category", "absent"} <= set(by_kind)
    assert not any(e.held_out for e in exprs)
    check_no_held_out_words(e.text for e in exprs)


def test_a_largest_object_cut_by_the_edge_or_not_clearly_largest_is_not_named():
    masks, objects = image()
    labels = objects["building"].copy()
    labels[0:12, 0:12] = 1      # now it touches the edge
    exprs = expressions({"building": labels > 0}, {"building": labels}, np.random.default_rng(0))
    assert not [e for e in exprs if e.kind == "size"]
    labels = objects["building"].copy()
    labels[25:33, 30:38] = 2    # runner-up 64 px against 100: under 1.5x
    exprs = expressions({"building": labels > 0}, {"building": labels}, np.random.default_rng(0))
    assert not [e for e in exprs if e.kind == "size"]


def test_absent_expressions_are_at_most_the_share():
    masks = {c: np.zeros((8, 8), bool) for c in ("water", "road", "vegetation", "land")}
    masks["building"] = np.ones((8, 8), bool)
    for seed in range(20):
        exprs = expressions(masks, rng=np.random.default_rng(seed), absent_share=0.2)
        absent = sum(e.kind == "absent" for e in exprs)
        assert absent <= 0.2 * len(exprs)
    assert absent == 0  # one present expression leaves room for none at a fifth


def test_held_out_paraphrases_only_where_asked():
    masks, objects = image()
    val = expressions(masks, objects, np.random.default_rng(3), held_out=True, absent_share=0.5)
    held = [e for e in val if e.held_out]
    assert {e.text for e in held if e.cls == "building" and e.kind == "category"} == set(HELD_OUT["building"])
    for e in held:
        assert np.array_equal(e.mask, masks[e.cls])
    with pytest.raises(ValueError, match="held-out"):
        check_no_held_out_words(["all the rooftops"])
    check_no_held_out_words(["the roads", "buildings in the north"])


def test_trees_from_points_are_disks_and_the_nearer_centre_wins():
    labels = tree_objects([(5.5, 5.5), (9.5, 5.5)], (12, 16), radius_px=3)
    assert labels[5, 5] == 1 and labels[5, 9] == 2
    assert labels[5, 7] == 1 and labels[5, 8] == 2     # the middle goes to the nearer centre
    assert labels[0, 0] == 0 and labels[5, 13] == 0
    # 29 pixel centres lie within 3 px of (5.5, 5.5); the one 3 px east is nearer the second tree
    assert (labels == 1).sum() == 28
    assert not tree_objects([], (4, 4), 2).any()


def test_category_queries_come_in_many_wordings_and_frames_none_held_out():
    masks, objects = image()
    texts = {e.text for seed in range(200)
             for e in expressions(masks, objects, np.random.default_rng(seed))
             if e.kind == "category"}
    assert len(texts) > 100, len(texts)
    assert any(t.startswith("find ") for t in texts) and any(t in WORDINGS["building"][0] for t in texts)
    check_no_held_out_words(texts)
    check_no_held_out_words([f.format(w=w) for f in FRAMES for words, _ in WORDINGS.values()
                             for w in words])
