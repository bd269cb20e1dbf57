"""Pictures for the demo newsroom, drawn with Pillow: nothing is downloaded.

Each drawing is seeded by a name, so the same story always gets the same picture.
"""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

SCENE_SIZE = (1600, 1000)
PORTRAIT_SIZE = (480, 480)


def _rgb(hex_color):
    hex_color = hex_color.lstrip("#")
    return tuple(int(hex_color[i : i + 2], 16) for i in (0, 2, 4))


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _gradient(draw, size, top, bottom):
    width, height = size
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_mix(top, bottom, y / max(height - 1, 1)))


def _city(draw, rnd, size):
    width, height = size
    _gradient(draw, size, (255, 196, 140), (120, 160, 210))
    x = 0
    while x < width:
        w = rnd.randint(70, 180)
        h = rnd.randint(height // 4, int(height * 0.8))
        shade = rnd.randint(40, 90)
        draw.rectangle([x, height - h, x + w, height], fill=(shade, shade + 5, shade + 20))
        for wy in range(height - h + 20, height - 20, 34):
            for wx in range(x + 12, x + w - 16, 26):
                if rnd.random() < 0.45:
                    draw.rectangle([wx, wy, wx + 10, wy + 16], fill=(250, 220, 140))
        x += w + rnd.randint(0, 12)


def _water(draw, rnd, size):
    width, height = size
    horizon = int(height * 0.45)
    _gradient(draw, (width, horizon), (170, 205, 235), (235, 240, 245))
    for y in range(horizon, height):
        t = (y - horizon) / (height - horizon)
        draw.line([(0, y), (width, y)], fill=_mix((60, 120, 160), (20, 50, 90), t))
    for _ in range(140):
        x, y = rnd.randint(0, width), rnd.randint(horizon + 10, height)
        draw.line([(x, y), (x + rnd.randint(20, 80), y)], fill=(200, 225, 240), width=2)
    hull = rnd.randint(200, width - 400)
    draw.polygon([(hull, horizon + 40), (hull + 260, horizon + 40), (hull + 220, horizon + 90),
                  (hull + 30, horizon + 90)], fill=(150, 40, 40))
    draw.rectangle([hull + 90, horizon - 30, hull + 170, horizon + 40], fill=(235, 235, 230))


def _field(draw, rnd, size):
    width, height = size
    _gradient(draw, size, (150, 200, 240), (240, 240, 220))
    for i, base in enumerate((0.55, 0.65, 0.78)):
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, int(height * base + rnd.randint(-40, 40))))
        points.append((width, height))
        draw.polygon(points, fill=_mix((120, 170, 80), (60, 110, 40), i / 2))
    sun = rnd.randint(200, width - 200)
    draw.ellipse([sun - 60, 90, sun + 60, 210], fill=(255, 230, 150))


def _night(draw, rnd, size):
    width, height = size
    _gradient(draw, size, (10, 15, 45), (50, 40, 90))
    for _ in range(300):
        x, y = rnd.randint(0, width), rnd.randint(0, int(height * 0.7))
        r = rnd.choice((1, 1, 2))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(240, 240, 255))
    moon = rnd.randint(150, width - 150)
    draw.ellipse([moon - 70, 80, moon + 70, 220], fill=(245, 240, 210))
    draw.rectangle([0, int(height * 0.85), width, height], fill=(15, 15, 25))


def _crowd(draw, rnd, size):
    width, height = size
    _gradient(draw, size, (225, 220, 210), (180, 170, 160))
    for row in range(7):
        y = int(height * 0.35) + row * 90
        for _ in range(26):
            x = rnd.randint(-40, width)
            color = rnd.choice([(200, 80, 60), (60, 90, 160), (230, 190, 70), (90, 140, 90),
                                (120, 80, 140), (40, 40, 40)])
            draw.ellipse([x, y + 70, x + 130, y + 300], fill=color)
            skin = rnd.choice([(240, 200, 170), (200, 150, 110), (150, 100, 70), (100, 70, 50)])
            draw.ellipse([x + 35, y, x + 95, y + 70], fill=skin)


def _abstract(draw, rnd, size):
    width, height = size
    _gradient(draw, size, (245, 245, 240), (220, 225, 235))
    for _ in range(18):
        x, y = rnd.randint(-200, width), rnd.randint(-200, height)
        r = rnd.randint(60, 320)
        color = (rnd.randint(30, 230), rnd.randint(30, 230), rnd.randint(30, 230))
        if rnd.random() < 0.5:
            draw.ellipse([x, y, x + r, y + r], fill=color)
        else:
            draw.rectangle([x, y, x + r, y + r // 2], fill=color)


SCENES = {
    "city": _city, "water": _water, "field": _field,
    "night": _night, "crowd": _crowd, "abstract": _abstract,
}


def scene_jpeg(scene, seed, size=SCENE_SIZE):
    """A JPEG (bytes) of a simple illustrated scene."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size)
    SCENES.get(scene, _abstract)(ImageDraw.Draw(img), rnd, size)
    img = img.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def portrait_jpeg(seed, background="#345995", size=PORTRAIT_SIZE):
    """A JPEG (bytes) of a head-and-shoulders silhouette on a coloured ground."""
    rnd = random.Random(seed)
    width, height = size
    img = Image.new("RGB", size, _rgb(background))
    draw = ImageDraw.Draw(img)
    skin = rnd.choice([(241, 204, 176), (224, 172, 130), (190, 135, 95), (141, 95, 64),
                       (101, 67, 45)])
    hair = rnd.choice([(30, 25, 20), (80, 50, 30), (150, 110, 60), (200, 190, 170),
                       (60, 40, 35)])
    shirt = rnd.choice([(240, 240, 240), (40, 50, 70), (120, 30, 40), (60, 100, 80),
                        (200, 170, 90)])
    cx = width // 2
    draw.ellipse([cx - 190, int(height * 0.68), cx + 190, int(height * 1.35)], fill=shirt)
    draw.rectangle([cx - 38, int(height * 0.52), cx + 38, int(height * 0.74)], fill=skin)
    head_w, head_h = rnd.randint(82, 96), rnd.randint(105, 118)
    top = int(height * 0.2)
    if rnd.random() < 0.5:  # longer hair falls behind the head
        draw.rounded_rectangle([cx - head_w - 16, top - 10, cx + head_w + 16, top + 2 * head_h],
                               radius=60, fill=hair)
    draw.ellipse([cx - head_w, top, cx + head_w, top + 2 * head_h], fill=skin)
    draw.chord([cx - head_w - 6, top - 18, cx + head_w + 6, top + head_h], 180, 360, fill=hair)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def logo_png(name, color):
    """A square PNG badge with the masthead's initials, for feeds and structured data."""
    size = 512
    img = Image.new("RGB", (size, size), _rgb(color))
    draw = ImageDraw.Draw(img)
    initials = "".join(word[0] for word in name.replace("The ", "").split()[:2]).upper()
    # Pillow's built-in font scales without any font file on the machine.
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), anchor="mm",
              font_size=220)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()
