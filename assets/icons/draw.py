"""Draws the LRFR icon: a face whose left half is coarse pixels and right half smooth (what
DSR does), inside the green corners of a detection box. Writes the hicolor PNG sizes the
.deb installs. Run: python3 assets/icons/draw.py (needs Pillow)."""

from pathlib import Path

from PIL import Image, ImageDraw

S = 1024
BG, SKIN, DARK, GREEN = (31, 42, 54, 255), (236, 196, 160, 255), (40, 30, 28, 255), (76, 175, 80, 255)


def head(draw, box):
    x0, y0, x1, y1 = box
    draw.ellipse(box, fill=SKIN)
    w, h = x1 - x0, y1 - y0
    for ex in (0.32, 0.68):
        cx, cy, r = x0 + ex * w, y0 + 0.42 * h, 0.06 * w
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=DARK)
    draw.arc((x0 + 0.3 * w, y0 + 0.5 * h, x0 + 0.7 * w, y0 + 0.8 * h), 20, 160, fill=DARK, width=int(0.04 * w))


def main():
    out = Path(__file__).resolve().parent
    smooth = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    draw = ImageDraw.Draw(smooth)
    draw.rounded_rectangle((0, 0, S - 1, S - 1), radius=S // 6, fill=BG)
    face = (S * 0.27, S * 0.2, S * 0.73, S * 0.8)
    head(draw, face)
    # The left half as a 16 px face would be: 16x16 blocks over the head, then back up.
    blocky = smooth.resize((16, 16), Image.BOX).resize((S, S), Image.NEAREST)
    icon = smooth.copy()
    left = (S * 3 // 16, S * 2 // 16, S // 2, S * 14 // 16)
    icon.paste(blocky.crop(left), left[:2])
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((0, 0, S - 1, S - 1), radius=S // 6, outline=BG, width=S // 40)
    # Detection-box corners.
    m, l, w = S * 0.14, S * 0.16, S // 28
    for (x, y, dx, dy) in [(m, m, 1, 1), (S - m, m, -1, 1), (m, S - m, 1, -1), (S - m, S - m, -1, -1)]:
        draw.line((x, y, x + dx * l, y), fill=GREEN, width=w)
        draw.line((x, y, x, y + dy * l), fill=GREEN, width=w)
    for size in (48, 64, 128, 256, 512):
        icon.resize((size, size), Image.LANCZOS).save(out / f"lrfr-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
