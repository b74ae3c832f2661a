"""Training: corpus loading, backbone pre-training (stage 1), segmentation training (stage 2)."""


def progress(step, steps, elapsed, minutes):
    """How far a stage is, 0 to 1: the larger of its steps and its time, or its steps alone when
    `minutes` is 0 (no time limit: the run is the same on any machine, as tests need)."""
    by_steps = step / steps
    return by_steps if not minutes else max(by_steps, elapsed / (minutes * 60))
