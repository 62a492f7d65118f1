#!/usr/bin/env python
"""Run the demo stack in the foreground: web server (pages, API, MapProxy) and job worker.

Logs of every process are shown with a prefix; Ctrl-C (or `make stop`, which sends
SIGTERM to the pid in var/run/demo.pid) stops all of them and the database.

The demo listens on 127.0.0.1 with DEBUG on. HOST=0.0.0.0 (or an address of this
machine) shares it on a network: it then says so loudly and runs with DEBUG off, so
no debug page (source code, settings) reaches anyone else; private files and the
MapProxy demo are never served by URL in any case.
"""
import argparse
import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PIDFILE = ROOT / "var" / "run" / "demo.pid"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def shared_environment(host: str) -> dict[str, str]:
    """The children's environment when the demo is reachable from a network."""
    names = {host, socket.gethostname(), "127.0.0.1", "localhost"}
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - the user asked to listen everywhere
        with contextlib.suppress(OSError):
            names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
        # The address this machine uses towards a network (a UDP connect sends nothing).
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            names.add(s.getsockname()[0])
    names -= {"0.0.0.0", "::"}  # noqa: S104
    allowed = os.environ.get("DJANGO_ALLOWED_HOSTS") or ",".join(sorted(names))
    return {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": allowed}


def warn_shared(host: str, port: str, allowed: str) -> None:
    line = "!" * 72
    print(f"\n{line}\n  WARNING: the demo listens on {host}:{port}, reachable from the network.\n"
          "  It runs with DEBUG off (no debug pages); its demo accounts have published\n"
          "  passwords, so anyone on this network can log in with them.\n"
          f"  Answering for: {allowed} (set DJANGO_ALLOWED_HOSTS to change)\n{line}\n",
          file=sys.stderr, flush=True)


def processes(port: str, host: str = "127.0.0.1") -> dict[str, list[str]]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "web": [
            str(VENV_BIN / "gunicorn"), "geo_portal.wsgi", "--bind", bind,
            "--workers", "2", "--threads", "4", "--worker-class", "gthread",
            "--timeout", "120", "--no-control-socket", "--access-logfile", "-",
        ],
        # Started again by run_worker whenever it stops (a database restart), as in production.
        "worker": [str(VENV_BIN / "python"), "manage.py", "run_worker"],
    }


# Only the web server's end stops the demo; a worker that ends is started again.
RESTARTED = {"worker"}


def start(name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env=env,
    )
    threading.Thread(target=pump, args=(name, proc.stdout), daemon=True).start()
    return proc


def pump(name: str, stream) -> None:
    for line in iter(stream.readline, ""):
        sys.stdout.write(f"{name:>6} | {line}")
        sys.stdout.flush()


def wait_until_up(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback URL we built)
                return True
        except OSError:
            time.sleep(0.3)
    return False


def banner(port: str, host: str = "127.0.0.1") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from geo_portal.demo.accounts import demo_accounts

    url = f"http://{host}:{port}/"
    print("\n" + "=" * 72)
    print(f"  geo_portal is running at {url}")
    print(f"  administration:  {url}admin/")
    print(f"  WMS:             {url}mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities")
    print(f"  WMTS:            {url}mapproxy/wmts/1.0.0/WMTSCapabilities.xml")
    print(f"  API docs:        {url}api/docs/")
    print("  demo logins (user / password / role):")
    for username, password, role in demo_accounts():
        print(f"    {username:<12} {password:<18} {role}")
    print("  Ctrl-C stops everything (or `make stop` from another terminal).")
    print("=" * 72 + "\n", flush=True)


def stop_running() -> int:
    if not PIDFILE.exists():
        print("no demo is running")
        return 0
    pid = int(PIDFILE.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        print(f"stopping demo (pid {pid})")
    except ProcessLookupError:
        PIDFILE.unlink(missing_ok=True)
    return 0


def run(port: str, host: str = "127.0.0.1") -> int:
    env = dict(os.environ)
    if not is_loopback(host):
        env.update(shared_environment(host))
        warn_shared(host, port, env["DJANGO_ALLOWED_HOSTS"])
    local = "127.0.0.1" if host in {"0.0.0.0", "::"} or is_loopback(host) else host  # noqa: S104
    PIDFILE.parent.mkdir(parents=True, exist_ok=True)
    PIDFILE.write_text(str(os.getpid()))
    children: dict[str, subprocess.Popen] = {}
    stopping = threading.Event()

    def shutdown(*_args) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    try:
        commands = processes(port, host)
        for name, cmd in commands.items():
            children[name] = start(name, cmd, env)
        if wait_until_up(f"http://{local}:{port}/", time.monotonic() + 60):
            banner(port, local)
        else:
            print("error: the web server did not answer within 60 s", file=sys.stderr)
            stopping.set()
        while not stopping.is_set():
            for name, proc in list(children.items()):
                if proc.poll() is None:
                    continue
                print(f"error: {name} exited with code {proc.returncode}", file=sys.stderr)
                if name in RESTARTED and not stopping.wait(5):
                    print(f"starting {name} again", file=sys.stderr)
                    children[name] = start(name, commands[name], env)
                elif name not in RESTARTED:
                    stopping.set()
            stopping.wait(0.5)
    finally:
        for proc in children.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in children.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop"], check=False)
        PIDFILE.unlink(missing_ok=True)
        print("demo stopped")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop", action="store_true", help="stop a running demo")
    args = parser.parse_args()
    if args.stop:
        return stop_running()
    return run(os.environ.get("PORT", "8000"), os.environ.get("HOST", "127.0.0.1"))


if __name__ == "__main__":
    sys.exit(main())
