"""Weight files as people download them: safetensors (and, later, the layouts of SD 1.5)."""
