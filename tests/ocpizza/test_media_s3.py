"""Media on S3 (django-storages), against moto's S3 server on loopback: uploads through the admin land in the
bucket, the page's signed URL serves them, the private object refuses anyone without a signature, and bad
uploads are form errors."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import Message
from html import unescape
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from storages.backends.s3 import S3Storage

from common import renditions
from menu.models import Product
from ocpizza.csp import s3_media_origins
from tests import factories as f
from tests.queue import run_deferred

CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="module")
def media_storage_settings(s3_endpoint) -> dict:
    """STORAGES["default"] as settings.py builds it from the environment, pointed at the moto server."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        "AWS_STORAGE_BUCKET_NAME": "set-per-test",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    script = "import json, django; django.setup(); from django.conf import settings as s; "
    script += "print(json.dumps(s.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture
def s3_storage(media_storage_settings, bucket, settings):
    """The default storage is a fresh moto bucket, configured by settings.py (private objects)."""
    storage = {
        **media_storage_settings,
        "OPTIONS": {**media_storage_settings["OPTIONS"], "bucket_name": bucket},
    }
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield storage["OPTIONS"]


@pytest.fixture
def admin_client(client, head_office):
    client.force_login(head_office)
    return client


def png_bytes(size: tuple[int, int] = (64, 48), *, noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


def add_product(admin_client, *, image):
    """POST the admin's "add product" form, with its inline formsets empty."""
    url = reverse("admin:menu_product_add")
    page = admin_client.get(url)
    data = {
        "category": f.CategoryFactory().pk,
        "name_fr": "Calzone",
        "name_en": "Calzone",
        "slug": "calzone",
        "description_fr": "",
        "description_en": "",
        "is_active": "on",
        "position": "0",
        "price": "13.50",
        "vat_rate": "10.00",
        "station": "oven",
        "image": image,
        "_save": "1",
    }
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return admin_client.post(url, data)


def error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["adminform"].form.errors.as_data()[field]]


def fetch(url: str) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback moto server
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def test_an_image_uploaded_in_the_admin_is_stored_in_the_bucket_and_served_by_its_signed_url(
    admin_client, s3_storage, s3, bucket, s3_endpoint
):
    content = png_bytes()

    response = add_product(admin_client, image=upload("calzone.png", content))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    product = Product.objects.get(slug="calzone")
    assert product.image.name.startswith("products/calzone")
    # In the bucket, private, with the cache header.
    stored = s3.get_object(Bucket=bucket, Key=product.image.name)
    assert stored["Body"].read() == content
    assert stored["CacheControl"] == "private, max-age=86400"
    # The change page shows the picture through a signed URL that serves the same bytes.
    page = admin_client.get(reverse("admin:menu_product_change", args=[product.pk])).content.decode()
    src = unescape(re.search(r'<img src="(http[^"]+)"', page).group(1))
    assert src.startswith(f"{s3_endpoint}/{bucket}/products/calzone") and "X-Amz-Signature=" in src
    status, body, headers = fetch(src)
    assert (status, body) == (200, content)
    assert headers["Content-Type"] == "image/png"


def test_the_private_object_refuses_an_unsigned_url(admin_client, s3_storage):
    add_product(admin_client, image=upload("calzone.png", png_bytes()))
    signed = default_storage.url(Product.objects.get(slug="calzone").image.name)
    unsigned = urlunsplit(urlsplit(signed)._replace(query=""))

    assert fetch(signed)[0] == 200
    assert fetch(unsigned)[0] == 403


def test_a_text_file_renamed_png_is_a_form_error_and_nothing_is_stored(admin_client, s3_storage, s3, bucket):
    response = add_product(admin_client, image=upload("menu.png", b"Pizza Margherita 9.50 EUR\n" * 20))

    assert response.status_code == 200
    # Pillow cannot read it: Django's ImageField refuses it before our content check has to.
    assert error_codes(response, "image") == ["invalid_image"]
    assert not Product.objects.exists()
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_gif_renamed_png_is_refused_by_its_first_bytes(admin_client, s3_storage):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")  # a real image, so Pillow alone would accept it

    response = add_product(admin_client, image=upload("calzone.png", buffer.getvalue()))

    assert error_codes(response, "image") == ["invalid_content"]


def test_an_image_over_the_size_limit_is_a_form_error(admin_client, s3_storage):
    big = png_bytes((1400, 1300), noise=True)  # random pixels do not compress: about 5.5 MB
    assert len(big) > 5 * 1024 * 1024

    response = add_product(admin_client, image=upload("huge.png", big))

    assert response.status_code == 200
    assert error_codes(response, "image") == ["file_too_large"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"region_name": "eu-west-3", "addressing_style": "virtual"}, None),
        ({"region_name": None, "addressing_style": "virtual"}, None),
        ({"region_name": "eu-west-3", "addressing_style": "path"}, None),
        ({"endpoint_url": "http://127.0.0.1:9000", "addressing_style": "path"}, "http://127.0.0.1:9000"),
    ],
)
def test_the_csp_allows_the_origin_of_the_media_urls(options, expected):
    storage = S3Storage(bucket_name="ocpizza-media", signature_version="s3v4", **CREDENTIALS, **options)
    url = storage.url("products/margherita.png")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))

    allowed = s3_media_origins(
        bucket="ocpizza-media",
        region=options.get("region_name"),
        endpoint_url=options.get("endpoint_url"),
        addressing_style=options.get("addressing_style"),
    )

    assert origin in allowed
    if expected:
        assert origin == expected


def test_restaurant_photos_videos_menu_cards_and_chef_photos_go_to_the_bucket(db, s3_storage, s3, bucket):
    restaurant = f.RestaurantFactory()
    chef = f.StaffMemberFactory(restaurant=restaurant)

    restaurant.photo.save("front.png", ContentFile(png_bytes()))
    restaurant.video.save("tour.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64))
    restaurant.menu_card.save("carte.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    chef.photo.save("chef.png", ContentFile(png_bytes()))

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {restaurant.photo.name, restaurant.video.name, restaurant.menu_card.name, chef.photo.name}
    assert {key.rsplit("/", 1)[0] for key in keys} == {
        "restaurants/photos",
        "restaurants/videos",
        "restaurants/menus",
        "staff",
    }


def test_renditions_are_made_into_the_bucket_and_served_by_signed_urls(admin_client, s3_storage, s3, bucket):
    response = add_product(admin_client, image=upload("calzone.png", png_bytes((600, 450), noise=True)))
    assert response.status_code == 302
    product = Product.objects.get(slug="calzone")

    assert run_deferred("renditions.make") == 1

    product.refresh_from_db()
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    made = {
        renditions.rendition_name(product.image, box, f)
        for box in renditions.DISH.boxes()
        for f in ("WEBP", "PNG")
    }
    assert keys == {product.image.name, *made}
    picture = renditions.picture(product.image, product.image_renditions_of, renditions.DISH)
    webp = picture.sources[0].srcset.split(" ")[0]
    status, body, headers = fetch(webp)
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(body)).size == (112, 112)
