"""Weight files as people download them: safetensors, and SD 1.5's two layouts (sd15.py)."""
