"""``unkonf bench_realtime``: the realtime stack under load, next to a bare websockets baseline.

- ``setup``: a throwaway database with a published barcamp, users, registrations and sessions
  (run in a subprocess, so the command never touches the configured database);
- ``bare``: the baseline, a bare ``websockets`` server that broadcasts what it receives;
- ``loadgen``: websocket clients, many per process in one asyncio loop;
- ``runner``: starts the servers and load-generator processes, runs the scenarios, measures.
"""
