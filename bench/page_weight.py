"""The weight of the menu page: bytes transferred by Chromium to show Lyon Bellecour's page, as a visitor
opens it (lazy pictures below the fold are not loaded, nothing is scrolled). Written to bench/results.json
under "page_weight"; `make bench` runs it after bench/run.py.

The stack is production's: the Procfile's web process with DEBUG off and the media in an S3 bucket (moto's
server on loopback, the demo's pictures and their renditions uploaded by `load_demo` through
django-storages), with the demo's real-sized photos (1600x1200 JPEGs of about 1 MB).

`--code DIR --before` measures another tree (a copy of an older commit, run with this virtualenv) and
records it as the "before" figure; its demo pictures are first replaced in the bucket by real-sized ones
(the same 1600x1200 JPEG treatment as ocpizza/demo/images.py), so both figures show the same photos.

    bench/page_weight.py                                   # after: this tree
    git archive main | tar -x -C /tmp/main && bench/page_weight.py --code /tmp/main --before
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    PYTHON,
    ROOT,
    WORK,
    Database,
    free_port,
    log,
    procfile_web_command,
    script_arguments,
    server_env,
)

RESULTS = ROOT / "bench" / "results.json"
BUDGET_BYTES = 300 * 1024
RESTAURANT = "lyon-bellecour"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# A phone (390 px wide, an iPhone 12 to 15's viewport) at 1x and at its real density, and a desktop.
VIEWPORTS = {
    "mobile_390px_dpr1": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
    },
    "mobile_390px_dpr3": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
    },
    "desktop_1280px_dpr1": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
}


def s3_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_STORAGE_BUCKET_NAME": "media",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


def stack_env(database_url: str, endpoint: str, port: int = 0, *, debug: bool = False) -> dict[str, str]:
    # Plain HTTP on loopback: no redirect to https.
    return {
        **server_env(database_url, port=port, debug=debug),
        **s3_env(endpoint),
        "SECURE_SSL_REDIRECT": "false",
    }


def manage(code: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True, cwd=code, env=env, stdout=subprocess.DEVNULL)


def photos_to_real_size(endpoint: str) -> int:
    """Every picture of the bucket (not a rendition) replaced by a 1600x1200 JPEG of about 1 MB made from it.
    Returns how many."""
    import boto3
    from PIL import Image

    # The demo's own treatment (4:3, 1600x1200, grain, quality 95), from its file: the package would need
    # Django set up.
    spec = importlib.util.spec_from_file_location("demo_images", ROOT / "ocpizza" / "demo" / "images.py")
    demo_images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo_images)

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
    count = 0
    for item in s3.list_objects_v2(Bucket="media").get("Contents", []):
        key = item["Key"]
        if key.startswith("renditions/") or not key.lower().endswith((".png", ".jpg", ".jpeg")):
            continue
        original = Image.open(io.BytesIO(s3.get_object(Bucket="media", Key=key)["Body"].read())).convert(
            "RGB"
        )
        s3.put_object(Bucket="media", Key=key, Body=demo_images._photo(original))
        count += 1
    return count


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def measure(url: str) -> dict:
    """Bytes transferred (headers and bodies as sent) for each viewport, once the page is loaded and the
    network idle."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, options in VIEWPORTS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda request, finished=finished: finished.append(request))
            response = page.goto(url, wait_until="load")
            if response is None or response.status != 200:
                raise RuntimeError(f"{url} answered {response and response.status}")
            page.wait_for_load_state("networkidle")
            by_type: dict[str, int] = {}
            images = []
            for request in finished:
                sizes = request.sizes()
                size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                by_type[request.resource_type] = by_type.get(request.resource_type, 0) + size
                if request.resource_type == "image":
                    images.append(request.url.split("?")[0].rsplit("/", 2)[-2:])
            total = sum(by_type.values())
            figures[name] = {
                "transferred_bytes": total,
                "transferred_kb": round(total / 1024, 1),
                "requests": len(finished),
                "images_loaded": len(images),
                "bytes_by_type": dict(sorted(by_type.items())),
            }
            context.close()
        browser.close()
    return figures


def run(code: Path, *, before: bool) -> dict:
    from moto.server import ThreadedMotoServer

    WORK.mkdir(parents=True, exist_ok=True)
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys()).create_bucket(
        Bucket="media"
    )
    database = Database()
    server = None
    try:
        database.start()
        log(f"Preparing {code}: migrate, load_demo, collectstatic (media in S3 at {endpoint})...")
        setup_env = stack_env(database.url, endpoint, debug=True)
        manage(code, setup_env, "migrate", "--noinput", "-v", "0")
        manage(code, setup_env, "createcachetable")
        manage(code, setup_env, "load_demo", "--reset")
        manage(code, setup_env, "collectstatic", "--noinput", "-v", "0")
        if before:
            log(f"{photos_to_real_size(endpoint)} pictures replaced by real-sized photos.")
        port = free_port()
        env = {**stack_env(database.url, endpoint, port), "PORT": str(port)}
        log_file = open(WORK / "page_weight_server.log", "a")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            ["bash", "-c", f"exec {procfile_web_command_of(code)}"],
            cwd=code,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{port}/healthz")
        figures = measure(f"http://127.0.0.1:{port}/restaurants/{RESTAURANT}/")
    finally:
        if server:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
            log_file.close()
        database.stop()
        moto.stop()
    return figures


def procfile_web_command_of(code: Path) -> str:
    if code == ROOT:
        return procfile_web_command()
    for line in (code / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise RuntimeError(f"{code}/Procfile has no web process.")


def wait_for(url: str, timeout: float = 30) -> None:
    import time
    import urllib.request

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s (see {WORK / 'page_weight_server.log'}).")


def commit_of(code: Path) -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=code, capture_output=True, text=True)
    return out.stdout.strip() or "not a git checkout"


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("--code", type=Path, default=ROOT, help="the tree to measure (this one by default)")
    parser.add_argument("--before", action="store_true", help="record it as the figure before renditions")
    parser.add_argument("--label", default="", help="what the measured tree is (the commit by default)")
    args = parser.parse_args()
    code = args.code.resolve()
    figures = run(code, before=args.before)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    weight = results.setdefault("page_weight", {})
    weight.update(
        {
            "page": f"/restaurants/{RESTAURANT}/ (26 products, 2 chefs), anonymous, first visit, no scrolling",
            "how": "Chromium (Playwright), sum of headers + bodies of every finished request; production "
            "settings, media on S3 (moto), demo photos at 1600x1200, ~1 MB each",
            "budget_bytes_at_390px": BUDGET_BYTES,
        }
    )
    weight["before" if args.before else "after"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "code": args.label or commit_of(code),
        **figures,
    }
    after = weight.get("after", {})
    if after:
        weight["after_within_budget_at_390px"] = all(
            after[name]["transferred_bytes"] < BUDGET_BYTES for name in VIEWPORTS if name.startswith("mobile")
        )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name, figure in figures.items():
        log(
            f"{name}: {figure['transferred_kb']} KB in {figure['requests']} requests ({figure['images_loaded']} images)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
