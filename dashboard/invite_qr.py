"""QR codes of invite links, for posters: SVG drawn on the server (segno), no script, no image service."""

import io

import segno


def _code(link: str) -> segno.QRCode:
    # Level M survives a poster that is creased or a little dirty.
    return segno.make(link, error="m")


def invite_qr_inline(link: str, *, label: str) -> str:
    """An <svg> to put in the page, named for screen readers."""
    svg = _code(link).svg_inline(scale=5, border=2, dark="#0b3d5c", light="#ffffff", svgclass="qr", title=label)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def invite_qr_file(link: str, *, label: str) -> bytes:
    """A standalone SVG file, large enough to print on A4."""
    out = io.BytesIO()
    _code(link).save(out, kind="svg", scale=16, border=4, dark="#000000", light="#ffffff", title=label)
    return out.getvalue()
