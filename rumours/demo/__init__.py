"""The bundled demo snapshot: recorded pages of three fictional outlets, read offline."""
