"""Writes the crafted uploads in this folder (run it from the repository root:
``.venv/bin/python tests/data/images/make_images.py``). Each file is a valid picture that
carries something besides its pixels, the way cameras, editing programs or an attacker
leave it there; ``tests/test_upload_reencoding.py`` checks none of it is stored.

Every marker to look for contains ``SECRET``.
"""

import io
import zlib
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

HERE = Path(__file__).parent
GPS = {1: "N", 2: (47.0, 36.0, 12.5), 3: "W", 4: (122.0, 20.0, 5.0)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
       b'dc:creator="SECRET photographer"/></rdf:RDF></x:xmpmeta>')
HTML = b'<html><body><script>alert("SECRET " + document.cookie)</script></body></html>'


def picture(size=(120, 80), mode="RGB"):
    """A small scene: sky, sea and a red buoy, so a lost or turned pixel shows."""
    img = Image.new(mode, size, "#7fb2e5")
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, size[1] // 2, size[0], size[1]], fill="#1d4e89")
    draw.ellipse([10, size[1] // 2 - 12, 34, size[1] // 2 + 12], fill="#d62828")
    return img


def png_chunk(kind, data):
    body = kind + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def png_with_text_chunks():
    info = PngInfo()
    info.add_text("Author", "SECRET author in a tEXt chunk")
    info.add_text("Comment", "SECRET note in a zTXt chunk " * 4, zip=True)
    info.add_itxt("Description", "SECRET description in an iTXt chunk", lang="en")
    out = io.BytesIO()
    picture(mode="RGBA").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_with_exif():
    out = io.BytesIO()
    picture(mode="RGBA").save(out, "PNG")
    data = out.getvalue()
    # An eXIf chunk with a GPS position, as phones write into PNG screenshots.
    exif = Image.Exif()
    exif[0x010F] = "SECRET camera"
    exif[0x8825] = GPS
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + png_chunk(b"eXIf", exif.tobytes()) + data[iend:]


def jpeg_with_comment_and_gps():
    exif = Image.Exif()
    exif[0x010F] = "SECRET camera"
    exif[0x0112] = 6  # held on its side: the stored picture must be turned upright
    exif[0x8825] = GPS
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    picture().save(out, "JPEG", quality=90, exif=exif, comment=b"SECRET JPEG comment",
                   icc_profile=srgb)
    data = out.getvalue()
    # An XMP packet in its own APP1 segment, after the EXIF one, as editing programs add it.
    app1 = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    segment = b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1
    return data[:2] + segment + data[2:]


def png_with_html_appended():
    out = io.BytesIO()
    picture().save(out, "PNG")
    return out.getvalue() + HTML


def gif_with_comment():
    frames = [picture().convert("P"), picture(size=(120, 80)).transpose(
        Image.Transpose.FLIP_LEFT_RIGHT).convert("P")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=[400, 600],
                   loop=0, comment=b"SECRET GIF comment")
    return out.getvalue() + HTML


def webp_with_exif_and_xmp():
    exif = Image.Exif()
    exif[0x010F] = "SECRET camera"
    exif[0x8825] = GPS
    out = io.BytesIO()
    picture().save(out, "WEBP", quality=90, exif=exif, xmp=XMP)
    return out.getvalue()


FILES = {
    "png-text-chunks.png": png_with_text_chunks,
    "png-exif-gps.png": png_with_exif,
    "jpeg-comment-gps-xmp.jpg": jpeg_with_comment_and_gps,
    "png-html-appended.png": png_with_html_appended,
    "gif-comment-animated.gif": gif_with_comment,
    "webp-exif-xmp.webp": webp_with_exif_and_xmp,
}

if __name__ == "__main__":
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
        print(name)
