"""DiffRIS reference implementation: synthetic referring-aerial corpus, model, training, export."""
