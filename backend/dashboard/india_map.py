"""India by state as a tile map, drawn on the server as inline SVG: no tile server, no network,
no map data to license.

Each of the 36 states and union territories (``routing/states.py``, by ISO code) is one equal
square, placed roughly where it lies: a tile grid, honest about being a diagram (sizes, shapes
and borders are not geographic; the page says so). A tile is shaded by its posts (volume) or
by its net sentiment, names its state in its tooltip and links to the page filtered by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from markupsafe import Markup, escape

from routing.states import STATE_BY_CODE, STATE_CODES

# (column, row) of each state's tile, west to east and north to south.
TILES: Final[Mapping[str, tuple[int, int]]] = {
    "JK": (3, 0), "LA": (4, 0),
    "PB": (2, 1), "CH": (3, 1), "HP": (4, 1), "UK": (5, 1), "AR": (9, 1),
    "RJ": (2, 2), "HR": (3, 2), "DL": (4, 2), "UP": (5, 2), "BR": (6, 2), "SK": (7, 2),
    "AS": (8, 2), "NL": (9, 2),
    "GJ": (2, 3), "MP": (3, 3), "CG": (4, 3), "JH": (5, 3), "WB": (6, 3), "ML": (8, 3),
    "MN": (9, 3),
    "DH": (2, 4), "MH": (3, 4), "TS": (4, 4), "OD": (5, 4), "TR": (8, 4), "MZ": (9, 4),
    "GA": (2, 5), "KA": (3, 5), "AP": (4, 5), "AN": (7, 5),
    "LD": (2, 6), "KL": (3, 6), "TN": (4, 6), "PY": (5, 6),
}  # fmt: skip

VOLUME_COLOUR = "#0072B2"  # Okabe-Ito blue, as the charts
NEGATIVE_COLOUR = "#D55E00"  # vermillion
POSITIVE_COLOUR = "#0072B2"
EMPTY_COLOUR = "#eceef1"
_TILE, _GAP, _TOP = 46, 4, 26


def india_map(
    values: Mapping[str, float],
    *,
    mode: str,
    title: str,
    link: Callable[[str], str],
    describe: Callable[[str], str],
) -> Markup:
    """The tile map. ``values`` by canonical state name: posts (``mode`` "volume", shaded by
    share of the busiest state) or net sentiment from -1 to 1 ("sentiment", vermillion for
    negative, blue for positive). States without a value are pale. ``link(state)`` is each
    tile's address, ``describe(state)`` its tooltip."""
    west = min(c for c, _ in TILES.values())
    columns = 1 + max(c for c, _ in TILES.values()) - west
    rows = 1 + max(r for _, r in TILES.values())
    width = columns * (_TILE + _GAP)
    height = _TOP + rows * (_TILE + _GAP)
    top = max((abs(v) for v in values.values()), default=0) or 1
    out = [
        f'<svg class="chart india-map" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        _legend(mode),
    ]
    for code, (column, row) in TILES.items():
        state = STATE_BY_CODE[code]
        x, y = (column - west) * (_TILE + _GAP), _TOP + row * (_TILE + _GAP)
        value = values.get(state)
        fill, opacity = _shade(value, mode, top)
        ink = "#fff" if fill != EMPTY_COLOUR and opacity > 0.55 else "#1a1a1a"
        out.append(
            f'<a href="{escape(link(state))}" data-state="{escape(state)}">'
            f'<rect x="{x}" y="{y}" width="{_TILE}" height="{_TILE}" rx="4" fill="{fill}" '
            f'fill-opacity="{opacity:.2f}"><title>{escape(describe(state))}</title></rect>'
            f'<text x="{x + _TILE / 2}" y="{y + _TILE / 2 + 4}" text-anchor="middle" '
            f'fill="{ink}" class="tile">{code}</text></a>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label is escaped above)


def _shade(value: float | None, mode: str, top: float) -> tuple[str, float]:
    if value is None:
        return EMPTY_COLOUR, 1.0
    if mode == "sentiment":
        colour = NEGATIVE_COLOUR if value < 0 else POSITIVE_COLOUR
        return colour, 0.15 + 0.85 * min(1.0, abs(value))
    if not value:
        return EMPTY_COLOUR, 1.0
    return VOLUME_COLOUR, 0.15 + 0.85 * value / top


def _legend(mode: str) -> str:
    if mode == "sentiment":
        return (
            f'<rect x="0" y="4" width="12" height="12" fill="{NEGATIVE_COLOUR}"/>'
            '<text x="16" y="14" class="legend">more negative</text>'
            f'<rect x="120" y="4" width="12" height="12" fill="{POSITIVE_COLOUR}"/>'
            '<text x="136" y="14" class="legend">more positive</text>'
            f'<rect x="240" y="4" width="12" height="12" fill="{EMPTY_COLOUR}"/>'
            '<text x="256" y="14" class="legend">no posts</text>'
        )
    return (
        f'<rect x="0" y="4" width="12" height="12" fill="{VOLUME_COLOUR}" fill-opacity="0.2"/>'
        f'<rect x="12" y="4" width="12" height="12" fill="{VOLUME_COLOUR}"/>'
        '<text x="30" y="14" class="legend">fewer to more posts</text>'
        f'<rect x="180" y="4" width="12" height="12" fill="{EMPTY_COLOUR}"/>'
        '<text x="196" y="14" class="legend">no posts</text>'
    )


def _check_layout() -> None:
    """Every state of routing/states.py has one tile, and no two tiles share a place."""
    if set(TILES) != set(STATE_CODES.values()):
        raise RuntimeError("the tile map must place exactly the states of routing/states.py")
    if len(set(TILES.values())) != len(TILES):
        raise RuntimeError("two states share a tile")


_check_layout()
