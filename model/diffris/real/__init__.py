"""Real labelled imagery (../shared/real-imagery) turned into benchmark cases, and their scoring.

Nothing here ships any of that data: the builders read it from a folder given to them and write
their rasters outside the repository (the data's README forbids committing it or crops of it).
"""
