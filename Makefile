# Burnrate: `make run` opens the app, `make test` runs every check headless.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Qt needs these even offscreen; a real window under X also needs the xcb ones.
QT_PACKAGES := 'libglib2.0-0t64|libglib2.0-0' libfontconfig1 libdbus-1-3 libxkbcommon0 libegl1 libgl1
X_PACKAGES := xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 \
	libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
# Workbook tests recalculate exported files in LibreOffice and in Gnumeric; desktop tests
# validate the launcher entry and query the file-type association.
DESKTOP_PACKAGES := desktop-file-utils xdg-utils shared-mime-info libglib2.0-bin
TEST_PACKAGES := $(QT_PACKAGES) libreoffice-calc-nogui gnumeric $(DESKTOP_PACKAGES)
RUN_PACKAGES := $(QT_PACKAGES) $(X_PACKAGES)

.PHONY: run test bench lint system-packages-run system-packages-test clean \
	install-desktop uninstall-desktop bundle bundle-test

# `run` and `bench` byte-compile first, as an installed copy is: where the environment
# forbids writing bytecode (PYTHONDONTWRITEBYTECODE), every start would compile the source.
run: system-packages-run $(STAMP)
	$(BIN)/python -m compileall -q planner ui
	$(BIN)/python main.py

# The suite runs on every core, a test file per worker at a time, so that a file's
# costly fixtures (a LibreOffice session, an exported workbook) are built once.
test: system-packages-test $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --dist loadfile

bench: system-packages-test $(STAMP)
	$(BIN)/python -m compileall -q planner ui
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The launcher entry, icons and .burnrate file type for the current user (no root).
install-desktop: $(STAMP)
	$(BIN)/burnrate --install-desktop

uninstall-desktop: $(STAMP)
	$(BIN)/burnrate --uninstall-desktop

# A one-folder build in dist/burnrate that runs without Python; see README.
BUNDLE_STAMP := $(VENV)/.bundle-installed
$(BUNDLE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bundle]'
	touch $(BUNDLE_STAMP)

bundle: system-packages-test $(BUNDLE_STAMP)
	rm -rf build/burnrate dist/burnrate
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build \
		resources/burnrate.spec
	@du -sm dist/burnrate | awk '{print "bundle_size_mb: " $$1 " MB (dist/burnrate)"}'

# Runs the built executable with a bare environment (no virtualenv, no PYTHONPATH).
bundle-test: system-packages-test $(STAMP)
	@test -x dist/burnrate/burnrate || { echo "no bundle in dist/burnrate: run make bundle" >&2; exit 1; }
	rm -f build/bundle-screenshot.png
	mkdir -p build/bundle-home
	env -i PATH=/usr/bin:/bin HOME=$(CURDIR)/build/bundle-home LANG=C.UTF-8 \
		QT_QPA_PLATFORM=offscreen dist/burnrate/burnrate --screenshot build/bundle-screenshot.png
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.check_screenshot build/bundle-screenshot.png

system-packages-run:
	@sh resources/ensure-packages.sh $(RUN_PACKAGES)

system-packages-test:
	@sh resources/ensure-packages.sh $(TEST_PACKAGES)

clean:
	rm -rf $(VENV) build *.egg-info
