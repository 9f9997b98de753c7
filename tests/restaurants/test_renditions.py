"""Renditions of the uploaded pictures (common/renditions.py): made by the worker's task after the upload, in
the sizes the pages show and in WebP with a JPEG/PNG fallback, once; used by the pages as soon as they exist,
the original shown until then; the cached menu shows them at once."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from PIL import Image

from common import renditions
from menu.models import CatalogueVersion, Product
from restaurants.models import Restaurant, Role
from tests import factories as f
from tests.ocpizza.test_media_s3 import add_product
from tests.queue import deferred, run_deferred
from tests.restaurants.test_pages import RESTAURANT_PAGE_QUERIES

pytestmark = pytest.mark.django_db

TASK = "renditions.make"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "photo.jpg", size: tuple[int, int] = (1600, 1200), image_format: str = "JPEG"):
    """An upload as a camera gives it: 4:3, 1600x1200 (a flat colour keeps the test fast)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 60, 40)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def stored(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(file)
        image.load()
    return image


def made_files(instance, field: str) -> dict[tuple[str, int], tuple[int, int]]:
    """(format, width of the box) → the stored file's size, for each rendition of instance.<field>."""
    file = getattr(instance, field)
    kind = instance.RENDITIONS[field]
    files = {}
    for image_format in renditions.formats_of(kind, file.name):
        for box in kind.boxes():
            image = stored(renditions.rendition_name(file, box, image_format))
            assert image.format == image_format
            files[(image_format, box[0])] = image.size
    return files


def rendition_files(root: Path) -> list[Path]:
    return sorted(path for path in (root / "renditions").rglob("*") if path.is_file())


def url(restaurant) -> str:
    return reverse("restaurant_detail", args=[restaurant.slug])


def page(client, restaurant) -> str:
    return client.get(url(restaurant), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def card(content: str, slug: str) -> str:
    match = re.search(rf'<article class="product[^"]*" id="product-{slug}">.*?</article>', content, re.S)
    assert match, f"no card for {slug}"
    return match.group(0)


# ---------- The task: each kind at its sizes, WebP and its fallback ----------


def test_the_task_makes_a_dish_photo_at_112_and_224_px_in_webp_and_jpeg(menu):
    margherita = menu["margherita"]
    margherita.image = photo("margherita.jpg")
    margherita.save()

    assert run_deferred(TASK) == 1

    margherita.refresh_from_db()
    assert margherita.image_renditions_of == margherita.image.name
    assert made_files(margherita, "image") == {
        ("WEBP", 112): (112, 112),
        ("WEBP", 224): (224, 224),
        ("JPEG", 112): (112, 112),
        ("JPEG", 224): (224, 224),
    }


def test_the_task_makes_a_restaurant_photo_at_480_and_960_px_in_16_by_10(restaurant_a):
    restaurant_a.photo = photo("front.jpg")
    restaurant_a.save()

    run_deferred(TASK)

    restaurant_a.refresh_from_db()
    assert made_files(restaurant_a, "photo") == {
        ("WEBP", 480): (480, 300),
        ("WEBP", 960): (960, 600),
        ("JPEG", 480): (480, 300),
        ("JPEG", 960): (960, 600),
    }


def test_a_png_upload_keeps_a_png_fallback_beside_its_webp(restaurant_a):
    chef = f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.PIZZAIOLO, photo=photo("chef.png", (300, 300), "PNG")
    )

    run_deferred(TASK)

    chef.refresh_from_db()
    assert made_files(chef, "photo") == {
        ("WEBP", 88): (88, 88),
        ("WEBP", 176): (176, 176),
        ("PNG", 88): (88, 88),
        ("PNG", 176): (176, 176),
    }


def test_a_video_poster_is_made_960_px_wide_in_its_own_proportions(restaurant_a):
    restaurant_a.video_poster = photo("poster.jpg", (1920, 1080))
    restaurant_a.save()

    run_deferred(TASK)

    restaurant_a.refresh_from_db()
    assert made_files(restaurant_a, "video_poster") == {("JPEG", 960): (960, 540)}


def test_the_task_run_a_second_time_does_nothing(menu, settings):
    margherita = menu["margherita"]
    margherita.image = photo("margherita.jpg")
    margherita.save()
    job = deferred(TASK)[0]
    run_deferred(TASK)
    files = {path: path.stat().st_mtime_ns for path in rendition_files(settings.MEDIA_ROOT)}
    version = CatalogueVersion.objects.get().value

    renditions.make_renditions(**job.args)

    assert {path: path.stat().st_mtime_ns for path in rendition_files(settings.MEDIA_ROOT)} == files
    assert CatalogueVersion.objects.get().value == version
    assert not renditions.make(Product.objects.get(pk=margherita.pk), "image")


def test_the_task_skips_the_renditions_already_stored(menu, settings):
    margherita = menu["margherita"]
    margherita.image = photo("margherita.jpg")
    margherita.save()
    run_deferred(TASK)
    lost, *kept = rendition_files(settings.MEDIA_ROOT)
    kept_times = {path: path.stat().st_mtime_ns for path in kept}
    lost.unlink()
    Product.objects.filter(pk=margherita.pk).update(image_renditions_of="")  # as if the worker died midway

    assert renditions.make(Product.objects.get(pk=margherita.pk), "image")

    assert lost.exists()
    assert {path: path.stat().st_mtime_ns for path in kept} == kept_times


def test_the_task_leaves_a_newer_upload_to_its_own_job(menu):
    margherita = menu["margherita"]
    margherita.image = photo("first.jpg")
    margherita.save()
    stale = Product.objects.get(pk=margherita.pk)
    margherita.image = photo("second.jpg")
    margherita.save()

    assert not renditions.make(stale, "image")

    margherita.refresh_from_db()
    assert margherita.image_renditions_of == ""
    run_deferred(TASK)
    margherita.refresh_from_db()
    assert margherita.image_renditions_of == margherita.image.name


def test_the_task_of_a_deleted_product_does_nothing(menu):
    product = f.ProductFactory(image=photo())
    job = deferred(TASK)[0]
    product.recipe_lines.all().delete()
    Product.objects.filter(pk=product.pk).delete()

    renditions.make_renditions(**job.args)  # no error: nothing to make


# ---------- The upload defers its task in its own transaction ----------


def test_an_upload_defers_its_renditions_in_the_transaction_of_its_save(menu):
    margherita = menu["margherita"]

    with pytest.raises(RuntimeError), transaction.atomic():
        margherita.image = photo()
        margherita.save()
        assert len(deferred(TASK)) == 1
        raise RuntimeError("the admin's save fails after the upload")

    assert deferred(TASK) == []
    margherita.image = photo()
    margherita.save()
    [job] = deferred(TASK)
    assert job.args == {"model": "menu.product", "pk": margherita.pk, "field": "image"}
    assert job.queue_name == "renditions"


def test_a_save_without_a_new_upload_defers_nothing(menu, restaurant_a):
    margherita = menu["margherita"]
    margherita.image = photo()
    margherita.save()
    run_deferred(TASK)

    margherita.refresh_from_db()
    margherita.price += 1
    margherita.save()
    restaurant_a.save()  # no photo

    assert deferred(TASK) == []


def test_an_upload_in_the_admin_shows_on_the_menu_once_the_worker_made_its_renditions(
    client, head_office, restaurant_a, menu, stock_a
):
    client.force_login(head_office)
    response = add_product(client, image=photo("calzone.jpg"))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    client.logout()
    calzone = Product.objects.get(slug="calzone")

    before = card(page(client, restaurant_a), "calzone")
    run_deferred(TASK)
    after = card(page(client, restaurant_a), "calzone")

    assert f'src="{calzone.image.url}"' in before and "<picture>" not in before
    assert "<picture>" in after and calzone.image.url not in after


# ---------- The pages ----------


def test_the_menu_shows_a_dish_with_its_renditions_srcset_sizes_and_lazy_loading(
    client, restaurant_a, menu, stock_a
):
    margherita = menu["margherita"]
    margherita.image = photo()
    margherita.save()
    run_deferred(TASK)
    margherita.refresh_from_db()

    content = card(page(client, restaurant_a), "margherita")

    webp = [renditions.rendition_name(margherita.image, box, "WEBP") for box in renditions.DISH.boxes()]
    jpeg = [renditions.rendition_name(margherita.image, box, "JPEG") for box in renditions.DISH.boxes()]
    assert (
        f'<source type="image/webp" srcset="/media/{webp[0]} 112w, /media/{webp[1]} 224w" '
        'sizes="(min-width: 640px) 112px, 96px">'
    ) in content
    img = re.search(r"<img [^>]+>", content).group(0)
    assert f'src="/media/{jpeg[0]}"' in img
    assert f'srcset="/media/{jpeg[0]} 112w, /media/{jpeg[1]} 224w"' in img
    assert 'width="112" height="112"' in img and 'loading="lazy"' in img
    assert margherita.image.url not in content


def test_until_its_renditions_exist_the_page_shows_the_original_and_makes_none(
    client, restaurant_a, menu, stock_a, settings
):
    margherita = menu["margherita"]
    margherita.image = photo()
    margherita.save()

    content = card(page(client, restaurant_a), "margherita")

    img = re.search(r"<img [^>]+>", content).group(0)
    assert f'src="{margherita.image.url}"' in img
    assert "srcset" not in img and "<picture>" not in content
    assert 'width="112" height="112"' in img and 'loading="lazy"' in img
    assert not (settings.MEDIA_ROOT / "renditions").exists()


def test_the_restaurant_photo_is_the_first_picture_loaded_at_once_and_chefs_are_lazy(
    client, restaurant_a, menu, stock_a
):
    restaurant_a.photo = photo()
    restaurant_a.save()
    chef = f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.PIZZAIOLO, photo=photo("chef.jpg", (600, 600))
    )
    run_deferred(TASK)

    content = page(client, restaurant_a)

    hero = re.search(r'<div class="restaurant-hero__media">.*?</div>', content, re.S).group(0)
    assert "<picture>" in hero and 'fetchpriority="high"' in hero and "loading=" not in hero
    assert 'sizes="(min-width: 1160px) 482px, (min-width: 860px) calc(45vw - 40px), 100vw"' in hero
    assert 'width="480" height="300"' in hero
    chef.refresh_from_db()
    chef_img = re.search(r'<img [^>]*class="chef__photo"[^>]*>', content).group(0)
    assert (
        'loading="lazy"' in chef_img and 'sizes="88px"' in chef_img and 'width="88" height="88"' in chef_img
    )
    assert renditions.rendition_name(chef.photo, (176, 176), "JPEG") in chef_img


def test_the_home_page_shows_the_restaurants_renditions_lazily(client, restaurant_a):
    restaurant_a.photo = photo()
    restaurant_a.save()
    run_deferred(TASK)
    restaurant_a.refresh_from_db()

    content = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    media = re.search(r'<a class="restaurant-card__media".*?</a>', content, re.S).group(0)
    assert renditions.rendition_name(restaurant_a.photo, (480, 300), "WEBP") in media
    assert 'loading="lazy"' in media and 'width="480" height="300"' in media


def test_a_video_loads_nothing_before_it_is_played_and_shows_its_uploaded_poster(
    client, restaurant_a, menu, stock_a
):
    restaurant_a.video = SimpleUploadedFile("presentation.mp4", b"\x00\x00\x00\x18ftypmp42")
    restaurant_a.photo = photo()
    restaurant_a.video_poster = photo("poster.jpg", (1920, 1080))
    restaurant_a.save()

    before = page(client, restaurant_a)
    run_deferred(TASK)
    after = page(client, restaurant_a)

    restaurant_a.refresh_from_db()
    poster = renditions.rendition_name(restaurant_a.video_poster, (960, None), "JPEG")
    assert f'<video controls preload="none" poster="{restaurant_a.video_poster.url}">' in before
    assert f'<video controls preload="none" poster="/media/{poster}">' in after


def test_without_an_uploaded_poster_the_video_shows_the_restaurant_photo(client, restaurant_a, menu, stock_a):
    restaurant_a.video = SimpleUploadedFile("presentation.mp4", b"\x00\x00\x00\x18ftypmp42")
    restaurant_a.photo = photo()
    restaurant_a.save()
    run_deferred(TASK)
    restaurant_a.refresh_from_db()

    content = page(client, restaurant_a)

    photo_960 = renditions.rendition_name(restaurant_a.photo, (960, 600), "JPEG")
    assert f'<video controls preload="none" poster="/media/{photo_960}">' in content


# ---------- The cached menu ----------


def test_the_cached_menu_shows_a_rendition_as_soon_as_it_is_made(client, restaurant_a, menu, stock_a):
    margherita = menu["margherita"]
    margherita.image = photo()
    margherita.save()
    assert "<picture>" not in card(page(client, restaurant_a), "margherita")  # cached with the original

    run_deferred(TASK)

    assert "<picture>" in card(page(client, restaurant_a), "margherita")


@pytest.mark.parametrize("with_renditions", [False, True])
def test_pictures_add_no_query_to_the_menu_page(
    client, restaurant_a, menu, stock_a, django_assert_num_queries, with_renditions
):
    for product in Product.objects.all():
        product.image = photo(f"{product.slug}.jpg", (400, 300))
        product.save()
    restaurant_a.photo = photo()
    restaurant_a.save()
    f.StaffMemberFactory(restaurant=restaurant_a, role=Role.PIZZAIOLO, photo=photo("chef.jpg", (300, 300)))
    if with_renditions:
        run_deferred(TASK)

    with django_assert_num_queries(RESTAURANT_PAGE_QUERIES):
        content = page(client, restaurant_a)

    assert content.count("<picture>") == (Product.objects.count() + 2 if with_renditions else 0)


# ---------- Uploads from before the renditions ----------


def test_make_renditions_defers_a_job_for_each_upload_without_renditions(menu, restaurant_a):
    Product.objects.filter(pk=menu["margherita"].pk).update(
        image=default_storage.save("products/old.jpg", photo())
    )
    Restaurant.objects.filter(pk=restaurant_a.pk).update(
        photo=default_storage.save("restaurants/photos/old.jpg", photo())
    )

    call_command("make_renditions", stdout=io.StringIO())

    assert sorted((job.args["model"], job.args["field"]) for job in deferred(TASK)) == [
        ("menu.product", "image"),
        ("restaurants.restaurant", "photo"),
    ]
    run_deferred(TASK)
    assert list(renditions.missing_renditions()) == []


def test_make_renditions_now_makes_them_in_the_command(menu):
    Product.objects.filter(pk=menu["margherita"].pk).update(
        image=default_storage.save("products/old.jpg", photo())
    )

    call_command("make_renditions", "--now", stdout=io.StringIO())

    assert deferred(TASK) == []
    assert Product.objects.get(pk=menu["margherita"].pk).image_renditions_of == "products/old.jpg"
