"""Training: corpus loading, backbone pre-training (stage 1), segmentation training (stage 2)."""
