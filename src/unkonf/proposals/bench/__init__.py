"""``unkonf bench_pitch``: N phones tap "I'm in" during one pitch; see docs/benchmarks.md."""
