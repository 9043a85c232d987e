"""The gazetteer: the clubs, coaches and outlets Benchwatch knows, as data files.

`clubs/*.yaml`, `coaches/*.yaml` and `sources.yaml` live beside this file;
`loading.py` turns them into rows.
"""

from pathlib import Path

GAZETTEER_DIR = Path(__file__).resolve().parent
