#!/bin/sh
# Fails when a file of core/ includes a header from a layer above its own, or when two core
# headers share a name (includes are by bare name, resolved through one -I per layer folder,
# as nginx does). The layers, lowest first, are the folders listed in core/README. Known
# violations still being removed are listed in tests/layers-allow.txt ("file: header").
exec python3 "$(dirname "$0")/check_layers.py" "${srcdir:-$(dirname "$0")/..}"
