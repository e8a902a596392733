import os

# Qt needs a platform; tests never open a real window.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
