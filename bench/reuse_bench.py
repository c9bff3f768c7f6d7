"""Related datasets and tags at scale (issue 18): the work must grow linearly.

Makes synthetic dataset views (20 themes, 60 publishers, keywords from a vocabulary of
800 with a few very common ones, field names from 400 with `district` in half of them)
and times :func:`generator.site.reuse.related_datasets` and the tag slugs for each size,
printing CPU seconds (process time: a shared machine's load does not count), microseconds
per dataset and the ratio to the smallest size (linear: the ratio of sizes; quadratic: its
square). Below a few thousand datasets many keys have fewer members than the window of
24 looked at per key, so the time per dataset rises until the windows fill, then stays.

    python -m bench.reuse_bench                          # 1,000, 10,000 and 100,000
    python -m bench.reuse_bench --datasets 500 2000      # a quick look
"""

from __future__ import annotations

import argparse
import random
import time
from types import SimpleNamespace

from generator.policy import OpenType
from generator.site.reuse import related_datasets, tag_slugs

COMMON = ["公交", "教育", "医疗", "企业"]  # keywords a large share of datasets carry


def synthetic_views(n: int, seed: int = 18) -> list[SimpleNamespace]:
    rng = random.Random(seed)
    vocab = [f"标签{i}" for i in range(800)]
    field_names = [f"field_{i}" for i in range(400)]
    views = []
    for i in range(n):
        keywords = tuple(dict.fromkeys(rng.sample(vocab, 3) + [rng.choice(COMMON)]))
        names = rng.sample(field_names, 6) + (["district"] if i % 2 else [])
        ds = SimpleNamespace(
            id=f"ds-{i:06d}",
            title=SimpleNamespace(zh=f"数据集{i}", en=""),
            keywords=keywords,
            theme=f"theme-{rng.randrange(20)}",
            publisher=f"pub-{rng.randrange(60)}",
            resources=(SimpleNamespace(fields=tuple(SimpleNamespace(name=x) for x in names)),),
        )
        views.append(SimpleNamespace(id=ds.id, ds=ds, open_type=OpenType.OPEN, shows_schema=True))
    return views


def measure(n: int) -> tuple[float, float]:
    views = synthetic_views(n)
    started = time.process_time()
    related = related_datasets(views)
    related_s = time.process_time() - started
    assert len(related) == n
    started = time.process_time()
    tag_slugs(kw for v in views for kw in v.ds.keywords)
    return related_s, time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args(argv)
    sizes = sorted(args.datasets)
    print(f"{'datasets':>9} {'related CPU s':>14} {'µs/dataset':>11} {'ratio':>7} {'tags s':>8}")
    base = None
    for n in sizes:
        related_s, tags_s = measure(n)
        base = base or related_s
        print(
            f"{n:>9,} {related_s:>14.3f} {related_s / n * 1e6:>11.1f} "
            f"{related_s / base:>7.1f} {tags_s:>8.3f}"
        )
    print(f"(sizes grow {sizes[-1] / sizes[0]:.0f}×: linear means the ratio grows as much)")


if __name__ == "__main__":
    main()
