# Burnrate: `make run` opens the app, `make test` runs every check headless.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Qt needs these even offscreen; a real window under X also needs the xcb ones.
QT_PACKAGES := libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libegl1 libgl1
X_PACKAGES := xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 \
	libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
# Workbook tests recalculate exported files in LibreOffice; desktop tests validate the
# launcher entry and query the file-type association.
DESKTOP_PACKAGES := desktop-file-utils xdg-utils shared-mime-info
TEST_PACKAGES := $(QT_PACKAGES) libreoffice-calc-nogui $(DESKTOP_PACKAGES)
RUN_PACKAGES := $(QT_PACKAGES) $(X_PACKAGES)

.PHONY: run test bench lint system-packages-run system-packages-test clean

run: system-packages-run $(STAMP)
	$(BIN)/python main.py

test: system-packages-test $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: system-packages-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-packages-run:
	@sh resources/ensure-packages.sh $(RUN_PACKAGES)

system-packages-test:
	@sh resources/ensure-packages.sh $(TEST_PACKAGES)

clean:
	rm -rf $(VENV) build *.egg-info
