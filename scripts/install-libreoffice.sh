#!/usr/bin/env bash
# Install LibreOffice Calc 25.2 (headless) from Debian bookworm-backports, as shared/design/LIBREOFFICE.md
# describes. The backports entry is derived from the machine's own Debian source entry, so no mirror
# address is written into the repository. Idempotent; needs root (CI runs as root).
set -euo pipefail

if command -v soffice >/dev/null 2>&1 && soffice --version 2>/dev/null | grep -qE 'LibreOffice (2[5-9]|[3-9][0-9])\.'; then
    echo "LibreOffice already installed: $(soffice --version | head -1)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-libreoffice: needs root (apt-get); the in-cell tests skip without LibreOffice" >&2
    exit 1
fi

src=/etc/apt/sources.list.d/debian.sources
bp=/etc/apt/sources.list.d/xl-cashrisk-backports.sources
if [ ! -f "$bp" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    python3 - "$src" "$bp" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
stanzas = open(src, encoding="utf-8").read().split("\n\n")
for st in stanzas:
    lines = st.strip().splitlines()
    if any(l.strip() == "Suites: bookworm bookworm-updates" for l in lines):
        out = ["Suites: bookworm-backports" if l.startswith("Suites:") else l for l in lines]
        open(dst, "w", encoding="utf-8").write("\n".join(out) + "\n")
        break
else:
    sys.exit(f"install-libreoffice: no stanza with 'Suites: bookworm bookworm-updates' in {src}")
PY
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    libreoffice-calc-nogui python3-uno libreoffice-script-provider-python libreoffice-dev >/dev/null
echo "LibreOffice installed: $(soffice --version | head -1)"
